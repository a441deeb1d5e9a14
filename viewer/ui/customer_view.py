"""One customer on screen: the card, the channel tabs, the list and the detail pane.

It paints whatever result it is given and keeps the agent's place (tab, selected row,
scroll) when the new result is the same customer refreshed. While a search for someone
else runs, what is shown is dimmed under "Searching for …"; when that search fails, the
old customer stays dimmed and is labelled as the previous one, so it cannot be mistaken
for the customer on the phone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from viewer.domain import Customer, Interaction, LookupResult
from viewer.lookup import LookupService
from viewer.present import local_time
from viewer.ui.channel_tabs import ChannelTabs
from viewer.ui.customer_card import CustomerCard
from viewer.ui.detail_controller import DetailController
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
from viewer.ui.status_badge import StatusBadgeDelegate

COLUMN_WIDTHS = {TIME: 130, CHANNEL: 120, STATUS: 120, SUBJECT: 330, COUNTERPART: 190, CAMPAIGN: 80, USER: 90,
                 SOURCE: 80}
NO_CUSTOMER = "No customer yet — search above."


class CustomerView(QWidget):
    def __init__(self, service: Callable[[], LookupService | None], parent=None):
        """`service` returns the current LookupService (None before any set-up)."""
        super().__init__(parent)
        self.result: LookupResult | None = None
        self.card = CustomerCard()
        self.channel_tabs = ChannelTabs()
        self.model = InteractionsModel(self)
        self.table = self._make_table()
        self.detail = DetailPane()
        self.details = DetailController(self.detail, service, self.selected_interaction, self)
        self._build()
        self.channel_tabs.channel_changed.connect(self._channel_changed)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

    # -- building ---------------------------------------------------------------------------
    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName("Messages and interactions")
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
        self.split.setSizes([860, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.card)
        layout.addWidget(self.split, 1)

    # -- what is shown ------------------------------------------------------------------------
    def show_result(self, result: LookupResult) -> None:
        """Put a result on screen; the same customer refreshed keeps tab, row and scroll."""
        same = self.result is not None and self.result.query == result.query
        kept_channel = self.channel_tabs.current() if same else None
        selected = self.selected_interaction() if same else None
        scroll = self.table.verticalScrollBar().value() if same else 0
        self.result = result
        self.details.reset(result)
        self.model.set_interactions(result.interactions)
        self.table.horizontalHeader().setSortIndicator(TIME, Qt.SortOrder.DescendingOrder)
        freshness = ("Saved " if result.from_cache else "Live · fetched ") + local_time(result.fetched_at)
        self.card.show_customer(result.customer, str(result.query), freshness)
        self.set_stale("")
        self.channel_tabs.fill(result, keep=kept_channel)
        self._reselect(selected, scroll)

    def set_stale(self, banner: str) -> None:
        """Dim what is shown under `banner` ("Searching for …"); "" shows it as current."""
        self.card.set_banner(banner)
        # Disabled widgets draw in the palette's greyed colours: plainly not current, still
        # readable. (A QGraphicsOpacityEffect corrupts the drawing of scroll areas.)
        self.split.setEnabled(not banner)
        self.card.name.setEnabled(not banner)
        self.card.identifiers.setEnabled(not banner)

    @property
    def is_stale(self) -> bool:
        return self.card.banner.isVisibleTo(self.card)

    @property
    def dimmed(self) -> bool:
        return not self.split.isEnabled()

    def clear(self, title: str = NO_CUSTOMER) -> None:
        self.result = None
        self.details.reset(None)
        self.model.set_interactions([])
        self.channel_tabs.clear()
        self.card.show_customer(Customer(), title, "")
        self.card.chips.clear()
        self.set_stale("")
        self.detail.clear()

    # -- tabs and rows ------------------------------------------------------------------------
    def select_channel(self, channel: str | None) -> None:
        self.channel_tabs.select(channel)

    def selected_interaction(self) -> Interaction | None:
        current = self.table.selectionModel().currentIndex()
        return self.model.interaction(current.row()) if current.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )

    def _channel_changed(self, channel: str | None) -> None:
        selected = self.selected_interaction()
        self.model.set_channel(channel)
        row = self.model.row_of(selected) if selected else None
        if row is not None:  # the message the agent was reading is in this tab too
            self.select_row(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.details.show(None)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.details.show(self.model.interaction(current.row()) if current.isValid() else None)

    def _reselect(self, selected: Interaction | None, scroll: int) -> None:
        row = self.model.row_with_key(selected.key) if selected is not None else None
        if row is not None:
            self.select_row(row)
            self.table.verticalScrollBar().setValue(scroll)
        else:
            self.details.show(None)
            if self.model.rowCount():
                self.table.scrollToTop()
        if self.result.opened is not None and row is None:  # a pasted interaction id
            self._open_interaction(self.result.opened.interaction.id)

    def _open_interaction(self, interaction_id: str) -> None:
        self.select_channel(None)
        for row in range(self.model.rowCount()):
            item = self.model.interaction(row)
            if item is not None and item.source.value == "ctrlhub" and item.id == interaction_id:
                self.select_row(row)
                self.table.scrollTo(self.model.index(row, 0))
                return
