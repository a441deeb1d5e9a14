"""The main window: search, customer card, channel tabs, the list, and the detail pane.

Searching runs on the asyncio loop (qasync). A new search cancels the one in flight, and
a generation number makes sure a late answer to an old search never replaces a newer
one. A failed search leaves the previous result on screen and says why in one sentence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from viewer.domain import (
    Customer,
    IdentifierKind,
    Interaction,
    InteractionDetail,
    LookupResult,
    NotFound,
    Query,
    Source,
    ViewerError,
    channel_label,
)
from viewer.identifiers import parse_query
from viewer.lookup import LookupService
from viewer.present import (
    age,
    detail_fields,
    interaction_detail_fields,
    local_time,
    raw_json_text,
    tab_label,
)
from viewer.safe_text import shown
from viewer.ui.customer_card import CustomerCard
from viewer.ui.detail_pane import DetailPane
from viewer.ui.interactions_model import (
    CAMPAIGN,
    CHANNEL,
    COUNTERPART,
    SOURCE,
    STATUS,
    SUBJECT,
    TIME,
    USER,
    InteractionsModel,
)
from viewer.ui.message_bar import MessageBar
from viewer.ui.plain import plain_label, set_plain, tooltip
from viewer.ui.search_bar import SearchBar
from viewer.ui.status_badge import StatusBadgeDelegate

log = logging.getLogger("viewer.ui")
COLUMN_WIDTHS = {TIME: 130, CHANNEL: 120, STATUS: 120, SUBJECT: 330, COUNTERPART: 190, CAMPAIGN: 80, USER: 90, SOURCE: 80}
GREY = QColor("#8a8f94")
# Online, saved data paints first only when it is small: a 100,000-message customer costs
# as much to rebuild from the store as to fetch live, and both would compete for the CPU.
PREPAINT_MAX_BYTES = 1024 * 1024


class MainWindow(QMainWindow):
    # Emitted when a result is on screen (rows painted), with the seconds it took.
    result_shown = Signal(float)
    # Emitted when a search ended without a new result (error shown), for tests and tools.
    search_failed = Signal(str)
    # Emitted when a Ctrl-Hub interaction's full detail is on screen (or failed to load).
    detail_shown = Signal(str)
    # Emitted when a source says the session ended and signing in again would fix it.
    sign_in_needed = Signal()
    offline_changed = Signal(bool)

    def __init__(self, service: LookupService | None, profile_label: str = "", setup_problem: str = ""):
        super().__init__()
        self.service = service
        self.result: LookupResult | None = None
        self._search_task: asyncio.Task | None = None
        self._detail_task: asyncio.Task | None = None
        self._details: dict[str, InteractionDetail] = {}  # Ctrl-Hub details of this result
        self._generation = 0
        self._saved_data_notes: list[str] = []  # said by the saved data during this search
        self._started_at = 0.0
        self._closing: set[asyncio.Task] = set()  # old services being closed
        self.last_query: tuple[str, IdentifierKind | None] | None = None
        self.setWindowTitle("Customer Interaction Viewer" + (f" — {shown(profile_label)}" if profile_label else ""))
        self.resize(1360, 820)

        self.search_bar = SearchBar()
        self.message_bar = MessageBar()
        self.card = CustomerCard()
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.setDocumentMode(True)
        self.tab_note = plain_label()
        self.tab_note.setWordWrap(True)
        self.tab_note.hide()
        self.model = InteractionsModel(self)
        self.table = self._make_table()
        self.detail = DetailPane()
        self._build_layout()

        self.profile_label = plain_label(f"Profile: {profile_label}" if profile_label else "")
        self.offline_label = QLabel("● Working offline")
        self.offline_label.setStyleSheet("color: #842029; font-weight: bold;")
        self.offline_label.hide()
        self.resting_label = plain_label()
        self.resting_label.setStyleSheet("color: #842029;")
        self.resting_label.hide()
        self.statusBar().addPermanentWidget(self.resting_label)
        self.recent_entries: list = []
        self.statusBar().addPermanentWidget(self.offline_label)
        self.statusBar().addPermanentWidget(self.profile_label)
        if service is not None:
            service.on_saved = self._refresh_recent
            service.on_notice = self.show_saved_data_notice
        self.search_bar.search_requested.connect(self.start_search)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("Copy diagnostics", self.copy_diagnostics)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.cancel_search)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.search_bar.field.setFocus)
        if setup_problem:
            self.message_bar.show_message("error", [setup_problem])
        self.search_bar.field.setFocus()

    # -- layout -----------------------------------------------------------------------
    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setItemDelegateForColumn(STATUS, StatusBadgeDelegate(table))
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            table.setColumnWidth(column, width)
        header.setSortIndicator(TIME, Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)
        return table

    def _build_layout(self) -> None:
        list_side = QWidget()
        list_layout = QVBoxLayout(list_side)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.tabs)
        list_layout.addWidget(self.tab_note)
        list_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(list_side)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([860, 480])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.card)
        layout.addWidget(split, 1)
        self.pages = QStackedWidget()  # the customer view, or a welcome page before any set-up
        self.pages.addWidget(central)
        self.setCentralWidget(self.pages)

    def show_page(self, page: QWidget | None) -> None:
        """Show `page` (e.g. the welcome page) instead of the customer view; None: the view."""
        if page is None:
            self.pages.setCurrentIndex(0)
            return
        if self.pages.indexOf(page) < 0:
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    def use_service(self, service: LookupService | None, profile_label: str, problem: str = "") -> None:
        """Switch to another connection. One tenant's data is never shown under another:
        the screen is cleared, and the old service is closed in the background."""
        self.cancel_search()
        self._cancel_detail()
        old, self.service = self.service, service
        if service is not None:
            service.offline = self.offline_label.isVisible()
            service.on_saved = self._refresh_recent
            service.on_notice = self.show_saved_data_notice
        if old is not None and old is not service:
            closing = asyncio.ensure_future(old.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        self.result = None
        self._details = {}
        self.model.set_interactions([])
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self.tabs.blockSignals(False)
        self.tab_note.hide()
        self.card.show_customer(Customer(), "No customer yet — search above.", "")
        self.detail.clear()
        self.setWindowTitle(f"Customer Interaction Viewer — {shown(profile_label)}")
        set_plain(self.profile_label, f"Profile: {profile_label}")
        if problem:
            self.message_bar.show_message("error", [problem])
        else:
            self.message_bar.clear()
        self._refresh_recent()
        self.show_page(None)

    # -- searching ----------------------------------------------------------------------
    def start_search(self, text: str, kind: IdentifierKind | None = None) -> None:
        self.last_query = (text, kind)
        try:
            query = parse_query(text, kind)
        except ViewerError as exc:
            self._show_failure(exc)
            return
        if self.service is None:
            self.message_bar.show_message("error", ["No connection is set up, so nothing can be searched."])
            return
        self.cancel_search()
        self._generation += 1
        self._saved_data_notes = []
        self._started_at = time.perf_counter()
        self._search_task = asyncio.ensure_future(self._run_search(query, self._generation))

    def cancel_search(self) -> None:
        if self._search_task and not self._search_task.done():
            self._search_task.cancel()
            self._set_busy(False, "Search cancelled.")

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.search_bar.set_busy(busy)
        if message:
            self.statusBar().showMessage(shown(message))

    def _progress(self, source: Source, state: str) -> None:
        if state == "asking":
            self.statusBar().showMessage(f"Asking {source.label}…")

    async def _run_search(self, query: Query, generation: int) -> None:
        """Live lookup at once, saved data read alongside: the saved copy paints only if it
        comes first (a customer seen before appears instantly), the live answer replaces it."""
        self._set_busy(True, f"Looking up {query}…")
        online = not self.service.offline
        saved_task = asyncio.ensure_future(self._saved_answer(query, PREPAINT_MAX_BYTES if online else None))
        if self.service.offline:
            live = None
        else:
            live = asyncio.ensure_future(self.service.lookup(query, progress=self._progress))
        try:
            saved = await self._paint_saved_unless_live_first(saved_task, live, generation)
            if live is None:
                self._set_busy(False)
                if saved is None:
                    self._show_failure(NotFound("Working offline, and this customer is not in the saved data."))
                return
            await self._finish_live(query, live, saved_task, saved, generation)
        except Exception as exc:  # e.g. showing the answer failed: the spinner still stops, with a sentence
            log.exception("showing a search failed unexpectedly")
            if generation == self._generation:
                self._set_busy(False)
                self._show_failure(ViewerError("The answer arrived but could not be shown.",
                                               detail=type(exc).__name__))
        finally:
            for task in (saved_task, live):
                if task is not None and not task.done():
                    task.cancel()

    async def _paint_saved_unless_live_first(self, saved_task, live, generation: int) -> LookupResult | None:
        waiting = {saved_task} if live is None else {saved_task, live}
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if saved_task not in done or generation != self._generation:
            return None
        saved = saved_task.result()
        if saved is not None and (live is None or not live.done()):
            note = (f"Working offline — showing data saved {age(saved.fetched_at)} ago." if live is None
                    else f"Saved {age(saved.fetched_at)} ago — refreshing…")
            self.show_result(saved, note=note)
        return saved

    async def _finish_live(self, query: Query, live, saved_task, saved: LookupResult | None,
                           generation: int) -> None:
        try:
            result = await live
        except asyncio.CancelledError:
            raise
        except ViewerError as exc:
            if generation != self._generation:
                return
            if saved is None:  # still on its way, or too big to pre-paint: fetch it whole now
                saved = await saved_task if not saved_task.done() else saved_task.result()
                saved = saved or await self._saved_answer(query)
                if saved is not None:
                    self.show_result(saved)
            self._set_busy(False)
            if saved is not None and not isinstance(exc, NotFound):
                self._show_offline(saved, exc)
            else:
                self._show_failure(exc)
            return
        except Exception as exc:  # a bug must not take the window down with it
            log.exception("lookup failed unexpectedly")
            if generation == self._generation:
                self._set_busy(False)
                self._show_failure(ViewerError("Something unexpected went wrong.", detail=type(exc).__name__))
            return
        if generation != self._generation:
            return  # a newer search owns the screen
        self._set_busy(False)
        self.show_result(result)

    async def _saved_answer(self, query: Query | None, max_bytes: int | None = None) -> LookupResult | None:
        if query is None:
            return None
        try:
            return await self.service.cached(query, max_bytes=max_bytes)
        except asyncio.CancelledError:
            raise
        except Exception:  # saved data is a bonus: never let it stop a live lookup
            log.exception("reading saved data failed")
            return None

    def _show_offline(self, saved: LookupResult, exc: ViewerError) -> None:
        lines = [f"Offline — showing data saved {age(saved.fetched_at)} ago. {exc}"]
        self.message_bar.show_message("warning", lines, exc.detail)
        self.statusBar().showMessage(shown(str(exc)))
        self.search_failed.emit(str(exc))

    def show_saved_data_notice(self, text: str) -> None:
        """Said once by the saved data: a damaged file set aside, a customer too large to keep.
        Added to the notices already shown (the result's own warnings), never replacing them."""
        self._saved_data_notes.append(text)
        bar = self.message_bar
        kept = [bar.text.text()] if not bar.isHidden() and bar.severity in ("warning", "info") else []
        bar.show_message("warning", [*kept, text])

    def _show_resting(self) -> None:
        """Sources that kept failing and are not asked for a while, in the status bar."""
        resting = self.service.resting() if self.service is not None else {}
        text = "  ".join(f"{source.label} unavailable ({left:.0f} s)" for source, left in resting.items())
        self.resting_label.setText(text)
        self.resting_label.setVisible(bool(text))

    def _show_failure(self, exc: ViewerError) -> None:
        self._show_resting()
        kept = " The previous result is still shown." if self.result else ""
        action = ("Sign in again", self.sign_in_needed.emit) if getattr(exc, "needs_sign_in", False) else None
        self.message_bar.show_message("error", [str(exc) + kept], exc.detail, action)
        self.statusBar().showMessage(shown(str(exc)))
        self.search_failed.emit(str(exc))

    # -- showing a result ----------------------------------------------------------------------
    def show_result(self, result: LookupResult, note: str = "") -> None:
        """Put a result on screen. When it refreshes the customer already shown, the tab,
        the selected message and the scroll position stay where the agent left them."""
        same_customer = self.result is not None and self.result.query == result.query
        kept_channel = self.tabs.tabData(self.tabs.currentIndex()) if same_customer else None
        selected = self.selected_interaction() if same_customer else None
        scroll = self.table.verticalScrollBar().value() if same_customer else 0
        self.result = result
        self._cancel_detail()
        self._details = {}
        if result.opened is not None:
            self._details[result.opened.interaction.id] = result.opened
        self.model.set_interactions(result.interactions)
        self.table.horizontalHeader().setSortIndicator(TIME, Qt.SortOrder.DescendingOrder)
        freshness = ("Saved " if result.from_cache else "Live · fetched ") + local_time(result.fetched_at)
        self.card.show_customer(result.customer, str(result.query), freshness)
        self._fill_tabs(result)
        if kept_channel is not None:
            self.select_channel(kept_channel)
        self._reselect(selected, scroll)
        self._show_notices(result, note)
        self._refresh_recent()
        took = time.perf_counter() - self._started_at if self._started_at else 0.0
        origin = "saved" if result.from_cache else "live"
        self.statusBar().showMessage(f"{len(result.interactions):,} messages ({origin}) · {took:.2f} s")
        self._show_resting()
        self.result_shown.emit(took)

    # -- recent customers and working offline -------------------------------------------
    def _refresh_recent(self) -> None:
        if self.service is None or self.service.store is None:
            self._fill_recent([])
            return
        task = asyncio.ensure_future(self._load_recent(self.service))
        self._closing.add(task)  # a strong reference until done (shutdown awaits these too)
        task.add_done_callback(self._closing.discard)

    async def _load_recent(self, service: LookupService) -> None:
        try:
            recent = await service.recent()
        except Exception:
            log.exception("reading the recent customers failed")
            return
        if service is self.service:  # the profile may have changed meanwhile
            self._fill_recent(recent)

    def _fill_recent(self, recent: list) -> None:
        menu = self.search_bar.recent_menu
        menu.clear()
        for entry in recent:
            who, value = shown(entry.name or entry.query.value), shown(entry.query.value)
            label = f"{who}  ·  {entry.query.kind.label} {value}"
            action = menu.addAction(label.replace("&", "&&"))  # "&" in a name is not a shortcut
            action.setToolTip(tooltip(f"Viewed {local_time(entry.viewed_at)}"))
            action.triggered.connect(lambda _=False, q=entry.query: self.open_query(q))
        if not recent:
            menu.addAction("No customers looked at yet").setEnabled(False)
        self.recent_entries = recent

    def open_query(self, query: Query) -> None:
        """Search an exact query (from the recent list): no kind detection needed."""
        self.search_bar.field.setText(query.value)
        self.start_search(query.value, query.kind)

    def set_offline(self, offline: bool) -> None:
        """Work offline: answers come from saved data only and nothing is sent."""
        if self.service is not None:
            self.service.offline = offline
        self.offline_label.setVisible(offline)
        self.statusBar().showMessage("Working offline: only saved data is shown." if offline else "Back online.")
        self.offline_changed.emit(offline)

    def _reselect(self, selected: Interaction | None, scroll: int) -> None:
        row = None
        if selected is not None:
            row = next((r for r in range(self.model.rowCount())
                        if self.model.interaction(r).key == selected.key), None)
        if row is not None:
            self.select_row(row)
            self.table.verticalScrollBar().setValue(scroll)
        else:
            self.detail.clear()
            if self.model.rowCount():
                self.table.scrollToTop()
        if self.result.opened is not None and row is None:  # a pasted interaction id
            self._open_interaction(self.result.opened.interaction.id)

    def _show_notices(self, result: LookupResult, note: str) -> None:
        notices = ([note] if note else []) + [str(e) for e in result.errors] + result.warnings
        notices += [n for n in self._saved_data_notes if n not in notices]  # not wiped by a repaint
        if notices:
            detail = "\n".join(f"{e.source.label if e.source else ''}: {e.detail}" for e in result.errors if e.detail)
            expired = any(getattr(e, "needs_sign_in", False) for e in result.errors)
            action = ("Sign in again", self.sign_in_needed.emit) if expired else None
            severity = "info" if note and not (result.errors or result.warnings) else "warning"
            self.message_bar.show_message(severity, notices, detail, action)
        else:
            self.message_bar.clear()

    def _fill_tabs(self, result: LookupResult) -> None:
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self.tabs.addTab(f"All ({len(result.interactions):,})")
        self.tabs.setTabData(0, None)
        for channel, count in result.counts.items():
            index = self.tabs.addTab(tab_label(count))
            self.tabs.setTabData(index, channel)
            if count.total == 0 and count.listed == 0:
                self.tabs.setTabTextColor(index, GREY)
                self.tabs.setTabToolTip(index, tooltip(f"No {channel_label(channel)} messages"))
        self.tabs.setCurrentIndex(0)
        self.tabs.blockSignals(False)
        self._tab_changed(0)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def select_channel(self, channel: str | None) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabData(index) == channel:
                self.tabs.setCurrentIndex(index)
                return

    def _tab_changed(self, index: int) -> None:
        channel = self.tabs.tabData(index) if index >= 0 else None
        selected = self.selected_interaction()
        self.model.set_channel(channel)
        self._update_tab_note(channel)
        row = self.model.row_of(selected) if selected else None
        if row is not None:  # the message the agent was reading is in this tab too
            self.select_row(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.detail.clear()

    def _update_tab_note(self, channel: str | None) -> None:
        count = self.result.counts.get(channel) if (self.result and channel) else None
        note = ""
        if count and not count.itemised and count.total:
            note = f"{count.total} {channel_label(channel).lower()} — the source reports the count only, not each one."
        elif count and count.total > count.listed:
            note = f"Showing {count.listed:,} of {count.total:,}: the source listed only these."
        elif count and count.total == 0:
            note = f"No {channel_label(channel)} messages for this customer."
        set_plain(self.tab_note, note)
        self.tab_note.setVisible(bool(note))

    # -- detail ----------------------------------------------------------------------
    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.interaction(current.row()) if current.isValid() else None
        if item is None:
            self.detail.clear()
            return
        self.show_detail(item)

    def show_detail(self, item: Interaction) -> None:
        """The row's own fields at once; a Ctrl-Hub row then loads its full detail."""
        if item.source is Source.CTRLHUB:
            known = self._details.get(item.id)
            if known is not None:
                self._show_full_detail(known)
                return
        title = f"{channel_label(item.channel)} · {item.subject or item.id}"
        loading = item.source is Source.CTRLHUB and self.service is not None
        note = "Loading names, notes and times from Ctrl-Hub…" if loading else ""
        self.detail.show_fields(title, detail_fields(item), raw_json_text(item.raw), note,
                                document=item.raw)
        self._cancel_detail()
        if loading:
            self._detail_task = asyncio.ensure_future(self._load_detail(item))

    def _show_full_detail(self, detail: InteractionDetail) -> None:
        item = detail.interaction
        arrow = "←" if item.direction.value == "inbound" else "→"
        title = f"Ctrl-Hub {channel_label(item.channel)} {arrow} {local_time(item.occurred_at)}"
        self.detail.show_fields(title, interaction_detail_fields(detail), raw_json_text(detail.document),
                                document=detail.document)

    async def _load_detail(self, item: Interaction) -> None:
        try:
            detail = await self.service.interaction_detail(Source.CTRLHUB, item.id)
        except asyncio.CancelledError:
            raise
        except ViewerError as exc:
            if self.selected_interaction() is item:
                self.detail.set_note(f"The full detail could not be loaded: {exc}")
            self.detail_shown.emit(str(exc))
            return
        except Exception as exc:  # a bug must not take the window down with it
            log.exception("detail failed unexpectedly")
            self.detail.set_note(f"The full detail could not be loaded ({type(exc).__name__}).")
            self.detail_shown.emit(type(exc).__name__)
            return
        self._details[item.id] = detail
        if self.selected_interaction() is item:
            self._show_full_detail(detail)
        self.detail_shown.emit(item.id)

    def _cancel_detail(self) -> None:
        if self._detail_task and not self._detail_task.done():
            self._detail_task.cancel()
        self._detail_task = None

    def _open_interaction(self, interaction_id: str) -> None:
        self.select_channel(None)
        for row in range(self.model.rowCount()):
            item = self.model.interaction(row)
            if item is not None and item.source is Source.CTRLHUB and item.id == interaction_id:
                self.select_row(row)
                self.table.scrollTo(self.model.index(row, 0))
                return

    def selected_interaction(self) -> Interaction | None:
        current = self.table.selectionModel().currentIndex()
        return self.model.interaction(current.row()) if current.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )

    # -- quitting ----------------------------------------------------------------------
    def diagnostics(self) -> str:
        from PySide6 import __version__ as pyside_version

        from viewer.diagnostics import report

        service = self.service
        store = service.store if service is not None else None
        where = "none" if store is None else ("memory only" if store.path is None else str(store.path))
        return report(qt_version=pyside_version, offline=bool(service and service.offline),
                      resting=service.resting() if service is not None else {}, store_where=where)

    def copy_diagnostics(self) -> None:
        """For a support ticket: versions, profiles, state and the last errors (no secrets)."""
        QGuiApplication.clipboard().setText(self.diagnostics())
        self.statusBar().showMessage("Diagnostics copied: paste them into your support ticket.")

    def repeat_last_search(self) -> None:
        if self.last_query is not None:
            self.start_search(*self.last_query)

    async def shutdown(self) -> None:
        """Cancel the search in flight and close the HTTP clients."""
        for task in (self._search_task, self._detail_task):
            if task and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.service is not None:
            await self.service.aclose()
        for closing in list(self._closing):
            with contextlib.suppress(Exception):
                await closing
