"""The customer's interactions as one Qt table model that shows one channel at a time.

DESIGN.md planned one model plus a QSortFilterProxyModel per channel tab. Measured on the
100,000-message demo customer, that proxy calls back into Python for every row whenever
it filters (775 ms to open a channel tab) and twice per comparison when it sorts. So this
model keeps every row itself, sorted by one Python key per row, and shows the rows of the
current channel, picked out with one list comprehension (a few ms).
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from viewer.domain import Interaction, channel_label, status_display
from viewer.present import DIRECTION_ARROWS, local_time, utc_time
from viewer.safe_text import shown
from viewer.ui.plain import tooltip

ChannelRole = Qt.ItemDataRole.UserRole + 1
ToneRole = Qt.ItemDataRole.UserRole + 2
InteractionRole = Qt.ItemDataRole.UserRole + 3

COLUMNS = ("Time", "Channel", "Status", "Subject", "Receiver / contact", "Campaign", "User", "Source")
TIME, CHANNEL, STATUS, SUBJECT, COUNTERPART, CAMPAIGN, USER, SOURCE = range(len(COLUMNS))
_OLDEST = datetime.min.replace(tzinfo=UTC)
_Index = QModelIndex | QPersistentModelIndex


def _sort_key(column: int):
    return {
        TIME: lambda i: i.occurred_at or _OLDEST,
        CHANNEL: lambda i: channel_label(i.channel).casefold(),
        STATUS: lambda i: status_display(i.status)[0].casefold(),
        SUBJECT: lambda i: i.subject.casefold(),
        COUNTERPART: lambda i: i.counterpart.casefold(),
        CAMPAIGN: lambda i: (len(i.campaign_id or ""), i.campaign_id or ""),
        USER: lambda i: (len(i.user_id or ""), i.user_id or ""),
        SOURCE: lambda i: i.source.value,
    }[column]


class InteractionsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[Interaction] = []  # every row, in the current sort order
        self._rows: list[Interaction] = []  # the rows of the current channel
        self.channel: str | None = None  # None: all channels

    # -- filling ----------------------------------------------------------------------
    def set_interactions(self, interactions: list[Interaction], channel: str | None = None) -> None:
        """New rows (newest first, as lookup.py merges them), showing `channel`."""
        self.beginResetModel()
        self._all = list(interactions)
        self.channel = channel
        self._rows = self._of_channel()
        self.endResetModel()

    def set_channel(self, channel: str | None) -> None:
        self.beginResetModel()
        self.channel = channel
        self._rows = self._of_channel()
        self.endResetModel()

    def _of_channel(self) -> list[Interaction]:
        if self.channel is None:
            return self._all
        return [item for item in self._all if item.channel == self.channel]

    def interaction(self, row: int) -> Interaction | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, item: Interaction) -> int | None:
        for row, listed in enumerate(self._rows):
            if listed is item:
                return row
        return None

    def row_with_key(self, key: tuple[str, str, str]) -> int | None:
        """The row of the interaction with this key (the same message in a newer result)."""
        return next((row for row, listed in enumerate(self._rows) if listed.key == key), None)

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt idiom
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == ChannelRole:
            return item.channel
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == ToneRole:
            return status_display(item.status)[1].value
        if role == InteractionRole:
            return item
        return None

    @staticmethod
    def _display(item: Interaction, column: int) -> str:
        """What a cell shows: server text bounded and made visible, per cell as it is
        painted (the model serves 100,000 rows; only the visible ones are asked)."""
        return shown(InteractionsModel._cell_text(item, column))

    @staticmethod
    def _cell_text(item: Interaction, column: int) -> str:
        if column == TIME:
            return local_time(item.occurred_at)
        if column == CHANNEL:
            return f"{DIRECTION_ARROWS[item.direction]} {channel_label(item.channel)}"
        if column == STATUS:
            return status_display(item.status)[0]
        if column == SUBJECT:
            return item.subject  # shown() puts a multi-line subject on one line
        if column == COUNTERPART:
            return item.counterpart
        if column == CAMPAIGN:
            return item.campaign_id or ""
        if column == USER:
            return item.user_id or ""
        return item.source.label

    @staticmethod
    def _tooltip(item: Interaction, column: int) -> str | None:
        """Tooltips are rich text to Qt: escaped (plain.tooltip) so a tag is only characters."""
        text = InteractionsModel._tooltip_text(item, column)
        return tooltip(text) if text else None

    @staticmethod
    def _tooltip_text(item: Interaction, column: int) -> str | None:
        if column == TIME:
            return utc_time(item.occurred_at)
        if column == CHANNEL:
            return f"{item.direction.value} · {item.source.label}"
        if column == STATUS:
            return item.status or None
        if column == SUBJECT and len(item.subject) > 60:
            return item.subject
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        # Keep the selection and the current row on the same interactions after the sort.
        persistent = self.persistentIndexList()
        tracked = [self._rows[index.row()] for index in persistent]
        self._all.sort(key=_sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = self._of_channel()
        if persistent:
            new_row = {id(item): row for row, item in enumerate(self._rows)}
            moved = [self.index(new_row[id(item)], index.column()) for index, item in zip(persistent, tracked, strict=True)]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
