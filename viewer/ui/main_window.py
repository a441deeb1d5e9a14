"""The main window: a composition of the parts, and the window-wide commands.

Search bar and message bar on top; the customer (card, tabs, list, detail) below. The
search itself is SearchController's (ui/search_controller.py) over the lookup service's
stream; the customer area is CustomerView's; the detail pane is DetailController's; the
Recent menu is RecentMenu's. This file only builds, wires and switches connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from viewer import masking
from viewer.domain import IdentifierKind, Interaction, LookupResult, Query
from viewer.i18n import N_, _
from viewer.safe_text import shown
from viewer.ui import clipboard_lookup, masked_mode
from viewer.ui.customer_view import CustomerView
from viewer.ui.export_actions import ExportActions
from viewer.ui.message_bar import MessageBar
from viewer.ui.palette import set_look
from viewer.ui.plain import plain_label, set_plain
from viewer.ui.privacy_actions import PrivacyActions
from viewer.ui.recent_menu import RecentMenu
from viewer.ui.search_bar import SearchBar
from viewer.ui.search_controller import SearchController
from viewer.ui.shortcuts import ShortcutsDialog, install_window_keys, show_shortcuts

if TYPE_CHECKING:  # only a type here: the window shows before the lookup stack loads
    from viewer.lookup import LookupService

TITLE = N_("Customer Interaction Viewer")


def window_title(profile_label: str) -> str:
    if not profile_label:
        return _(TITLE)
    return _("{title} — {profile}").format(title=_(TITLE), profile=shown(profile_label))


class MainWindow(QMainWindow):
    offline_changed = Signal(bool)
    shortcuts_dialog: ShortcutsDialog | None = None  # the F1 page, once opened (ui/shortcuts.py)

    def __init__(self, service: LookupService | None, profile_label: str = ""):
        super().__init__()
        self.service = service
        self._closing: set[asyncio.Task] = set()  # old services being closed
        self.setWindowTitle(window_title(profile_label))
        self.resize(1360, 820)

        self.search_bar = SearchBar()
        self.message_bar = MessageBar()
        self.view = CustomerView(lambda: self.service)
        self.searches = SearchController(
            lambda: self.service, self.search_bar, self.view, self.message_bar, self._status, self
        )
        self.recent = RecentMenu(self.search_bar.recent_menu, self)
        self.masked = masked_mode.MaskedMode(
            bool(service is not None and service.mask_by_default), self
        )
        self._build_layout()
        self._build_status_bar(profile_label)
        self._expose_parts()
        self._connect_service(service)
        self._wire()
        self.search_bar.field.setFocus()

    # -- building ------------------------------------------------------------------------
    def _build_layout(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.view, 1)
        self.pages = QStackedWidget()  # the customer view, or a welcome page before any set-up
        self.pages.addWidget(central)
        self.setCentralWidget(self.pages)

    def _build_status_bar(self, profile_label: str) -> None:
        self.profile_label = plain_label(
            _("Profile: {name}").format(name=profile_label) if profile_label else ""
        )
        self.offline_label = QLabel(_("● Working offline"))
        set_look(self.offline_label, tone="error", strong=True)
        self.offline_label.hide()
        self.statusBar().addPermanentWidget(self.offline_label)
        self.statusBar().addPermanentWidget(self.profile_label)

    def _expose_parts(self) -> None:
        """The parts tests, tools and the connection controller reach for by name."""
        self.card, self.detail = self.view.card, self.view.detail
        self.model, self.table = self.view.model, self.view.table
        self.tabs = self.view.channel_tabs.bar
        self.result_shown = self.searches.result_shown
        self.search_failed = self.searches.search_failed
        self.sign_in_needed = self.searches.sign_in_needed
        self.search_finished = self.searches.search_finished
        self.detail_shown = self.view.details.detail_shown

    def _wire(self) -> None:
        self.search_bar.search_requested.connect(self.start_search)
        self.recent.open_requested.connect(self.open_query)
        self.result_shown.connect(lambda _took: self.recent.refresh(self.service))
        self.search_menu = self.menuBar().addMenu(_("&Search"))  # screen-pop adds its setting here
        clipboard_lookup.install(self, self.search_menu)
        help_menu = self.menuBar().addMenu(_("&Help"))
        help_menu.addAction(_("Copy diagnostics"), self.copy_diagnostics)
        help_menu.addAction(_("Keyboard shortcuts (F1)"), lambda: show_shortcuts(self))
        install_window_keys(self)
        self.exports = ExportActions(
            lambda: self.view.result,
            self.model.shown_interactions,
            self.view.current_filter,
            self._status,
            lambda text: self.message_bar.show_message("error", [text]),
            self,
        )
        self.menuBar().insertMenu(help_menu.menuAction(), self.exports.menu)
        self.view.filter_bar.export_button.setMenu(self.exports.menu)
        self.view.told.connect(self._status)
        self.privacy = PrivacyActions(self, help_menu)  # Access log, Sign out…, export/copy records
        self.exports.saved.connect(
            lambda _path: self.privacy.record("export", len(self.model.shown_interactions()))
        )
        self.exports.summary_action.triggered.connect(lambda: self.privacy.record("copy", 1))
        masked_mode.install(self, self.masked)  # Ctrl+M, the "● Masked" button, Reveal

    def _connect_service(self, service: LookupService | None) -> None:
        if service is not None:
            service.on_saved = lambda: self.recent.refresh(self.service)
            service.on_notice = self.searches.add_note

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(shown(text))

    # -- pages and connections -----------------------------------------------------------------
    def show_page(self, page: QWidget | None) -> None:
        """Show `page` (e.g. the welcome page) instead of the customer view; None: the view."""
        if page is None:
            self.pages.setCurrentIndex(0)
            return
        if self.pages.indexOf(page) < 0:
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    def use_service(
        self, service: LookupService | None, profile_label: str, problem: str = ""
    ) -> asyncio.Future[None] | None:
        """Switch to another connection. One tenant's data is never shown under another:
        the screen is cleared, and the old service is closed in the background; the closing
        is returned (it ends once the old service's saves have landed), None if none."""
        self.cancel_search()
        old, self.service = self.service, service
        if service is not None:
            service.offline = self.offline_label.isVisible()
        self._connect_service(service)
        closing = None
        if old is not None and old is not service:
            closing = asyncio.ensure_future(_close(old))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        self.view.clear()
        masking.forget_shapes()  # the old connection's customers' texts
        if service is not None:
            self.masked.set_on(service.mask_by_default)  # each profile's own default
        self.setWindowTitle(window_title(profile_label))
        set_plain(self.profile_label, _("Profile: {name}").format(name=profile_label))
        if problem:
            self.message_bar.show_message("error", [problem])
        else:
            self.message_bar.clear()
        self.recent.refresh(service)
        self.show_page(None)
        return closing

    def set_offline(self, offline: bool) -> None:
        """Work offline: answers come from saved data only and nothing is sent."""
        if self.service is not None:
            self.service.offline = offline
        self.offline_label.setVisible(offline)
        self._status(
            _("Working offline: only saved data is shown.") if offline else _("Back online.")
        )
        self.offline_changed.emit(offline)

    # -- searching (SearchController does the work) -------------------------------------------
    @property
    def result(self) -> LookupResult | None:
        return self.view.result

    @property
    def recent_entries(self) -> list:
        return self.recent.entries

    def start_search(self, text: str, kind: IdentifierKind | None = None) -> None:
        self.searches.start(self.masked.typed(text), kind)

    def open_query(self, query: Query) -> None:
        """Search an exact query (from the recent list): no kind detection needed."""
        self.search_bar.field.setText(query.value)
        self.start_search(query.value, query.kind)

    def set_connecting(self, connecting: bool) -> None:
        """The connection is being opened (start-up, a profile switch): a search typed
        meanwhile waits for it. False once it is open or could not be: the search runs now."""
        self.searches.set_connecting(connecting)

    def cancel_search(self) -> None:
        self.searches.cancel()

    def repeat_last_search(self) -> None:
        self.searches.retry()

    def show_result(self, result: LookupResult) -> None:
        self.view.show_result(result)

    def tab_titles(self) -> list[str]:
        return self.view.channel_tabs.titles()

    def select_channel(self, channel: str | None) -> None:
        self.view.select_channel(channel)

    def selected_interaction(self) -> Interaction | None:
        return self.view.selected_interaction()

    def select_row(self, row: int) -> None:
        self.view.select_row(row)

    # -- support and quitting -------------------------------------------------------------------
    def diagnostics(self) -> str:
        from PySide6 import __version__ as pyside_version

        from viewer.connections import diagnostics_report

        return diagnostics_report(self.service, qt_version=pyside_version)

    def copy_diagnostics(self) -> None:
        """For a support ticket: versions, profiles, state and the last errors (no secrets)."""
        QGuiApplication.clipboard().setText(self.diagnostics())
        self._status(_("Diagnostics copied: paste them into your support ticket."))

    async def shutdown(self) -> None:
        """Cancel the search and detail in flight, then close the HTTP clients."""
        await self.searches.shutdown()
        await self.view.details.shutdown()
        await self.view.shutdown()
        await self.exports.shutdown()
        await self.privacy.shutdown()
        await self.recent.shutdown()
        if self.service is not None:
            await self.service.aclose()
        for closing in list(self._closing):
            with contextlib.suppress(Exception):
                await closing


async def _close(service: LookupService) -> None:
    """Close a connection the window let go of. Its saves land first (LookupService.settle);
    a source that fails to close is logged, and whoever waits for the closing (a sign-out,
    a deletion) goes on: it must not stop them."""
    try:
        await service.aclose()
    except Exception as exc:
        logging.getLogger("viewer.ui").warning(
            "closing the previous connection failed: %s", type(exc).__name__
        )
