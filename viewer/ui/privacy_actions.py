"""Privacy commands of the window: Help → Access log, Connection → Sign out…, and the
access-log records of the window's exports and copies (searches record themselves in the
lookup service).

Sign out asks first (a non-modal box), then clears the screen and closes the profile's
service (its clients hold the session in memory) before `connections.sign_out` ends the
Ctrl-Hub session and removes the profile's secrets and saved customers.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
)

from viewer.i18n import _
from viewer.safe_text import BLOCK_LIMIT, shown
from viewer.ui.plain import plain_label
from viewer.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from viewer.connections import Profile
    from viewer.ui.main_window import MainWindow  # a type only: the window builds this

ACCESS_LOG_DAYS = 30


def _connections():
    """The connection services, imported on first use: the window is shown before the
    network, keyring and saved-data stack they pull in is loaded."""
    from viewer import connections

    return connections


class PrivacyActions(QObject):
    signed_out = Signal(str)  # the sentence the agent was shown

    def __init__(self, window: MainWindow, help_menu: QMenu):
        super().__init__(window)
        self.window = window
        self.help_menu = help_menu
        self.dialog: QDialog | QMessageBox | None = None  # the open one, kept alive
        self._tasks = BackgroundTasks()
        self.access_log_action = help_menu.addAction(_("Access log"), self.show_access_log)
        self.sign_out_action = QAction(_("Sign out…"), self)
        self.sign_out_action.triggered.connect(self.confirm_sign_out)
        # The Connection menu is built by the connection controller right after the window.
        QTimer.singleShot(0, self._place_sign_out)

    def _place_sign_out(self) -> None:
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and menu.title() == _("&Connection"):
                delete = _("Delete this connection…")
                before = next((a for a in menu.actions() if a.text() == delete), None)
                if before is None:
                    menu.addAction(self.sign_out_action)
                else:
                    menu.insertAction(before, self.sign_out_action)
                return
        self.help_menu.addAction(self.sign_out_action)  # a window without connection controller

    # -- the access log ---------------------------------------------------------------------
    def record(self, kind: str, count: int | None) -> None:
        """An export or copy of the customer on screen, in the access log."""
        service, result = (
            getattr(self.window, "service", None),
            getattr(self.window, "result", None),
        )
        if service is not None and result is not None:
            # The unmasked query (the shown result's may be masked): the log hashes it.
            view = getattr(self.window, "view", None)
            query = getattr(view, "shown_query", None) or result.query
            service.record_action(kind, query, count)

    def show_access_log(self) -> asyncio.Task:
        return self._tasks.start(self._show_access_log())

    async def _show_access_log(self) -> None:
        lines = await _connections().access_log_lines(ACCESS_LOG_DAYS)
        dialog = QDialog(self.window)
        dialog.setWindowTitle(_("Access log"))
        dialog.resize(760, 420)
        layout = QVBoxLayout(dialog)
        layout.addWidget(
            plain_label(
                _(
                    "Lookups, reveals, exports, copies and sign-outs of the last "
                    "{days} days, newest first. Identifiers are masked; "
                    "`customer-viewer audit --csv` prints every record."
                ).format(days=ACCESS_LOG_DAYS)
            )
        )
        text = QPlainTextEdit()
        text.setReadOnly(True)
        text.setPlainText(
            shown(
                "\n".join(lines) or _("No access recorded yet."), BLOCK_LIMIT * 10, multiline=True
            )
        )
        text.setAccessibleName(_("Access log records"))
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.close)
        layout.addWidget(buttons)
        self.access_log_text = text
        self.dialog = dialog
        dialog.open()

    # -- signing out ---------------------------------------------------------------------------
    def confirm_sign_out(self) -> None:
        service = getattr(self.window, "service", None)
        profile = (
            _connections().saved_profiles().get(service.profile_name)
            if service is not None
            else None
        )
        if profile is None:
            self.window.statusBar().showMessage(_("Only a saved connection can be signed out."))
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Sign out"),
            _(
                "Sign out of “{name}”? Its Ctrl-Hub session is ended, and "
                "its passwords, tokens and saved customers are removed from this computer. "
                "The connection's settings stay."
            ).format(name=shown(profile.name, 80)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name comes from the config file
        box.setModal(False)
        yes = QMessageBox.StandardButton.Yes
        box.buttonClicked.connect(
            lambda button: self.sign_out(profile) if box.standardButton(button) == yes else None
        )
        self.dialog = box
        box.open()

    def sign_out(self, profile: Profile) -> asyncio.Task:
        return self._tasks.start(self._sign_out(profile))

    async def _sign_out(self, profile: Profile) -> None:
        old = self.window.service
        store = old.store if old is not None else None
        closing = self.window.use_service(None, profile.name)  # nothing of it stays on screen
        if closing is not None:
            # The search it cancels still saves the answer it painted: that save, and any
            # in flight, land before the saved data is cleared (LookupService.settle).
            await closing
        result = await _connections().sign_out(profile, store)
        self.window.message_bar.show_message(
            "info" if result.server_ended else "warning", [result.message]
        )
        self.signed_out.emit(result.message)

    # -- background work -------------------------------------------------------------------------
    async def shutdown(self) -> None:
        await self._tasks.shutdown()
