"""One customer on screen: the card (with what needs attention), the filter bar, the channel
tabs, the list and the detail pane.

It paints whatever result it is given and keeps the agent's place (tab, filter, selected
row, scroll) when the new result is the same customer refreshed; a new customer starts
unfiltered. While a search for someone else runs, what is shown is dimmed under
"Searching for …"; when that search fails, the old customer stays dimmed and is labelled
as the previous one, so it cannot be mistaken for the customer on the phone.

The filter never stalls the window: each change is an index lookup (TimelineIndex). For a
large result the index's per-row tables are built once in a worker thread, the first time
a filter is wanted; a filter asked for meanwhile is applied when they are ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from viewer.attention import AttentionItem, attention
from viewer.domain import Customer, Interaction, LookupResult, Query
from viewer.i18n import N_, _
from viewer.present import local_time
from viewer.timeline import TimelineFilter, TimelineIndex
from viewer.ui.channel_tabs import ChannelTabs
from viewer.ui.customer_card import CustomerCard
from viewer.ui.detail_controller import DetailController
from viewer.ui.detail_pane import DetailPane
from viewer.ui.filter_bar import FilterBar
from viewer.ui.interactions_model import TIME, InteractionsModel
from viewer.ui.lay_out import lay_out_now
from viewer.ui.next_paint import NextPaint
from viewer.ui.timeline_table import TimelineTable

if TYPE_CHECKING:  # only a type here: the window shows before the lookup stack loads
    from viewer.lookup import LookupService

log = logging.getLogger("viewer.ui")
NO_CUSTOMER = N_("No customer yet — search above.")
# Above this many rows the filter's index and the attention list are built off the GUI
# thread (about 5 ms of work per 1,000 rows); below, at once.
OFF_THREAD_ROWS = 5_000
_NOTHING_YET = object()  # the detail pane shows nothing of this result yet


class CustomerView(QWidget):
    # A sentence for the status bar (copied rows, a row that is gone).
    told = Signal(str)

    def __init__(self, service: Callable[[], LookupService | None], parent=None):
        """`service` returns the current LookupService (None before any set-up)."""
        super().__init__(parent)
        self.result: LookupResult | None = None
        # The unmasked query of what is shown: a masked result's query cannot tell two
        # customers masked alike apart, nor the same customer masked and unmasked.
        self.shown_query: Query | None = None
        self.card = CustomerCard()
        self.filter_bar = FilterBar()
        self.channel_tabs = ChannelTabs()
        self.model = InteractionsModel(self)
        self.table = TimelineTable(self.model)
        self.next_paint = NextPaint(self.table.viewport())  # the list on screen: see next_paint.py
        self.detail = DetailPane()
        self.details = DetailController(self.detail, service, self.selected_interaction, self)
        self._shown_item: object = _NOTHING_YET  # what the detail pane shows now
        self._ready_index: TimelineIndex | None = None  # an index whose tables are built
        self._background: set[asyncio.Task] = set()
        self._preparing: asyncio.Task | None = None
        self._build()
        self._wire()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        list_side = QWidget()
        list_layout = QVBoxLayout(list_side)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.channel_tabs)
        list_layout.addWidget(self.table, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(list_side)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([920, 420])  # the list first: at 1024 px it keeps ~70 %
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.card)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.split, 1)

    def _wire(self) -> None:
        self.channel_tabs.channel_changed.connect(self._channel_changed)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.open_requested.connect(self.focus_detail)
        self.table.told.connect(self.told)
        self.filter_bar.changed.connect(self.apply_filter)
        self.filter_bar.engaged.connect(self.prepare_filter)
        self.card.attention.chosen.connect(self.show_key)

    # -- what is shown ------------------------------------------------------------------------
    def show_result(self, result: LookupResult, same_as: Query | None = None) -> None:
        """Put a result on screen; the same customer refreshed (or masked anew) keeps tab,
        filter, row and scroll, a new one starts on All, unfiltered. `same_as`: the
        unmasked query of a masked result."""
        query = same_as if same_as is not None else result.query
        same = self.result is not None and self.shown_query == query
        self.shown_query = query
        kept_channel = self.channel_tabs.current() if same else None
        selected = self.selected_interaction() if same else None
        scroll = self.table.verticalScrollBar().value() if same else 0
        if not same:
            self.filter_bar.reset()
        # The same card too: masked mode switched repaints the same customer, otherwise told.
        same_card = same and self.result is not None and self.result.customer == result.customer
        self.result = result
        self.details.reset(result, keep=same)
        self._shown_item = _NOTHING_YET
        self.model.set_interactions(result.interactions, index=self._new_index(result.interactions))
        self.table.horizontalHeader().setSortIndicator(TIME, Qt.SortOrder.DescendingOrder)
        freshness = (_("Saved {time}") if result.from_cache else _("Live · fetched {time}")).format(
            time=local_time(result.fetched_at)
        )
        self.card.show_customer(result.customer, str(result.query), freshness)
        self._show_attention(result, keep=same_card)
        self.set_stale("")
        flt = self.filter_bar.current_filter()
        if not flt.is_empty and self._index_ready():
            self.model.set_filter(flt)
        elif not flt.is_empty:
            self._prepare_index()  # shown unfiltered for a moment, then filtered
        self.channel_tabs.fill(result, keep=kept_channel, matched=self.model.matched_by_channel())
        self._show_summary()
        self._reselect(selected, scroll)
        # Laid out now (the card, the tabs: the first tabs make their row taller), so that it
        # paints in its final place at once (viewer/ui/lay_out.py).
        lay_out_now(self.channel_tabs)

    def set_stale(self, banner: str) -> None:
        """Dim what is shown under `banner` ("Searching for …"); "" shows it as current."""
        self.card.set_banner(banner)
        # Disabled widgets draw in the palette's greyed colours: plainly not current, still
        # readable. (A QGraphicsOpacityEffect corrupts the drawing of scroll areas.)
        self.split.setEnabled(not banner)
        self.filter_bar.setEnabled(not banner)
        self.card.name.setEnabled(not banner)
        self.card.identifiers.setEnabled(not banner)
        self.card.attention.setEnabled(not banner)

    @property
    def is_stale(self) -> bool:
        return self.card.banner.isVisibleTo(self.card)

    @property
    def dimmed(self) -> bool:
        return not self.split.isEnabled()

    def clear(self, title: str = "") -> None:
        """Nothing on screen; the card says `title` (default: "No customer yet")."""
        self.result = self.shown_query = None
        self.details.reset(None)
        self._shown_item = _NOTHING_YET
        self.filter_bar.reset()
        self.model.set_interactions([])
        self.channel_tabs.clear()
        self.card.show_customer(Customer(), title or _(NO_CUSTOMER), "")
        self.card.chips.clear()
        self.card.attention.clear()
        self._show_summary()
        self.set_stale("")
        self.detail.clear()

    # -- the filter ---------------------------------------------------------------------------
    def apply_filter(self, flt: TimelineFilter) -> None:
        """Show the rows `flt` keeps in this tab; tabs count what it keeps per channel."""
        if self.result is None:
            return
        if not flt.is_empty and not self._index_ready():
            self._prepare_index()  # applied when the index is ready
            self.filter_bar.show_note(_("Preparing the filter…"))
            return
        selected = self.selected_interaction()
        self.model.set_filter(flt)
        self.channel_tabs.show_matches(self.model.matched_by_channel())
        self._show_summary()
        self._keep_selected(selected)

    def current_filter(self) -> TimelineFilter:
        return self.model.filter

    def _show_summary(self) -> None:
        self.filter_bar.show_summary(
            self.model.matched_count(), self.model.total(), self.model.filtered
        )

    def _new_index(self, interactions: list[Interaction]) -> TimelineIndex:
        index = TimelineIndex(interactions)
        # Small: its tables are built on first use, quickly. Large: in a worker, when wanted.
        self._ready_index = index if len(interactions) < OFF_THREAD_ROWS else None
        return index

    def prepare_filter(self) -> None:
        """The agent is about to filter (Ctrl+F, a click in the bar): get the index ready."""
        if self.result is not None and not self._index_ready():
            self._prepare_index()

    def _index_ready(self) -> bool:
        return self._ready_index is self.model.index_

    def _prepare_index(self) -> None:
        if self._preparing is None or self._preparing.done():
            self._preparing = asyncio.ensure_future(self._prepare())

    async def _prepare(self) -> None:
        """Build the current index's tables in a worker; a newer result's index next, if
        one came meanwhile; then apply the filter the bar asks for."""
        while not self._index_ready():
            index = self.model.index_
            prepared = await asyncio.to_thread(self.model.prepare, index)
            self.model.adopt(prepared)
            self._ready_index = index if index is self.model.index_ else self._ready_index
        self.apply_filter(self.filter_bar.current_filter())

    # -- attention ------------------------------------------------------------------------------
    def _show_attention(self, result: LookupResult, keep: bool) -> None:
        """What needs attention; `keep`: the entries shown may stay while a large result's
        are worked out (the same customer, told the same way)."""
        now = datetime.now().astimezone()
        if len(result.interactions) < OFF_THREAD_ROWS:
            self.card.attention.show_entries(attention(result, now))
            return
        if not keep:  # the last customer's entries are not this one's, even for a moment
            self.card.attention.clear()
        task = asyncio.ensure_future(self._attention_off_thread(result, now, self.next_paint.arm()))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _attention_off_thread(
        self, result: LookupResult, now: datetime, painted: asyncio.Future[None] | None
    ) -> None:
        await self.next_paint.wait(painted)  # the rows first: this worker would slow their paint
        entries: list[AttentionItem] = await asyncio.to_thread(attention, result, now)
        if self.result is result:
            self.card.attention.show_entries(entries)

    def show_key(self, key: tuple[str, str, str]) -> None:
        """Select the row with this key (an attention entry was clicked): on All and
        unfiltered when the tab or the filter hides it."""
        row = self.model.row_with_key(key)
        if row is None and self.model.holds_key(key):
            self.select_channel(None)
            row = self.model.row_with_key(key)
            if row is None:
                self.filter_bar.clear()
                row = self.model.row_with_key(key)
        if row is None:
            self.told.emit(_("That row is no longer in the list."))
            return
        self.select_row(row)
        self.table.scrollTo(self.model.index(row, 0))
        self.table.setFocus()

    # -- tabs and rows ------------------------------------------------------------------------
    def select_channel(self, channel: str | None) -> None:
        self.channel_tabs.select(channel)

    def selected_interaction(self) -> Interaction | None:
        current = self.table.selectionModel().currentIndex()
        return self.model.interaction(current.row()) if current.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.select_only(row)

    def focus_detail(self) -> None:
        """Enter on a row: read it (arrows then scroll the fields)."""
        self.detail.focus_fields()

    def _channel_changed(self, channel: str | None) -> None:
        selected = self.selected_interaction()
        self.model.set_channel(channel)
        self._keep_selected(selected)

    def _keep_selected(self, selected: Interaction | None) -> None:
        """After the rows changed: the message the agent was reading stays selected when it
        is still listed; otherwise the pane says nothing is selected instead of lying."""
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.select_row(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self._show_detail(None)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(self.model.interaction(current.row()) if current.isValid() else None)

    def _show_detail(self, item: Interaction | None) -> None:
        if item is self._shown_item:
            return  # the same message re-selected after a filter or tab change (or none again)
        self._shown_item = item
        self.details.show(item)

    def _reselect(self, selected: Interaction | None, scroll: int) -> None:
        row = self.model.row_with_key(selected.key) if selected is not None else None
        if row is not None:
            self.select_row(row)
            self.table.verticalScrollBar().setValue(scroll)
        else:
            self._show_detail(None)
            if self.model.rowCount():
                self.table.scrollToTop()
        opened = self.result.opened if self.result is not None else None
        if opened is not None and row is None:  # a pasted interaction id
            self._open_interaction(opened.interaction.id)

    def _open_interaction(self, interaction_id: str) -> None:
        self.select_channel(None)
        for row in range(self.model.rowCount()):
            item = self.model.interaction(row)
            if item is not None and item.source.value == "ctrlhub" and item.id == interaction_id:
                self.select_row(row)
                self.table.scrollTo(self.model.index(row, 0))
                return

    async def shutdown(self) -> None:
        for task in [*self._background, self._preparing]:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
