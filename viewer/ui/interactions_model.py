"""The customer's interactions as one Qt table model that shows one channel, filtered.

DESIGN.md planned one model plus a QSortFilterProxyModel per channel tab. Measured on the
100,000-message demo customer, that proxy calls back into Python for every row whenever
it filters (775 ms to open a channel tab) and twice per comparison when it sorts. So this
model keeps every row itself, in the order it was given (newest first), and shows a list
of row *positions*: the current channel intersected with the timeline filter (asked of a
`TimelineIndex`, viewer/timeline.py), in the current sort order. Every step of that is a
C-level loop (`compress`/`map` over precomputed lists and byte masks): a few ms at 100k.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import compress, repeat
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimeZone,
)

from viewer import graveyard
from viewer.domain import Interaction, Source, channel_label, status_display, status_explanation
from viewer.i18n import N_, _
from viewer.present import DIRECTION_ARROWS, local_time, relative_age, utc_time
from viewer.safe_text import shown
from viewer.timeline import TimelineFilter, TimelineIndex
from viewer.ui.plain import tooltip

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from viewer.ui.status_badge import CellPictures

# A status's colour ("good", "bad"…) and a row's source ("capillary", "ctrlhub"), as words.
ToneRole = Qt.ItemDataRole.UserRole + 2
SourceRole = Qt.ItemDataRole.UserRole + 4
# The roles data() answers, as plain ints: Qt asks each painted cell for a dozen roles, and
# comparing an int with enum members one by one cost more than the answers (~4,000 calls a
# lookup).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_TONE, _SOURCE = int(ToneRole), int(SourceRole)
_SIZE_HINT = int(Qt.ItemDataRole.SizeHintRole)  # a picture cell's: its badge or glyph whole
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _ACCESSIBLE, _TONE, _SOURCE, _SIZE_HINT})
# The roles QStyledItemDelegate.initStyleOption asks of each cell it paints, in its order
# (Qt 6): of these, only the text (and a status or source cell's picture) is answered.
_PAINT_ROLES = tuple(
    int(role)
    for role in (
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.BackgroundRole,
    )
)
_PAINT_DISPLAY_SLOT = _PAINT_ROLES.index(_DISPLAY)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_PAINT_DECORATION_SLOT = _PAINT_ROLES.index(_DECORATION)
# Rows whose texts are kept at most (see InteractionsModel.warm): some ten screens.
TEXTS_KEPT = 500

# English names: also the keys ui_settings remembers hidden columns by; shown via _().
COLUMNS = (
    N_("Time"),
    N_("Channel"),
    N_("Status"),
    N_("Subject"),
    N_("Receiver / contact"),
    N_("Campaign"),
    N_("User"),
    N_("Source"),
)
TIME, CHANNEL, STATUS, SUBJECT, COUNTERPART, CAMPAIGN, USER, SOURCE = range(len(COLUMNS))
_COLUMN_RANGE = range(len(COLUMNS))
_PICTURED = frozenset({STATUS, SOURCE})  # painted as pictures (see multiData)
_AGO = len(COLUMNS)  # a kept row's texts end with the "how long ago" its Time text says
SOURCE_WORDS = {
    Source.CAPILLARY: N_("Capillary: a marketing message"),
    Source.CTRLHUB: N_("Ctrl-Hub: a service interaction (call, letter, e-mail, SMS, visit)"),
}
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


def zone_words() -> str:
    """The agent's own time zone, named: "Europe/London (UTC+01:00)"."""
    zone = QTimeZone.systemTimeZone()
    name = bytes(zone.id().data()).decode("ascii", "replace") or _("the computer's time zone")
    offset = zone.offsetFromUtc(QDateTime.currentDateTime())
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{name} (UTC{'-' if offset < 0 else '+'}{hours:02d}:{minutes:02d})"


def _channel_table(items, channels: list[str] | None = None) -> tuple[list, list, bytes | None]:
    """Each row's channel, the distinct channels, and each row's channel as one byte (None
    when a hostile reply has more than 255 channel words)."""
    channels = channels if channels is not None else [item.channel for item in items]
    distinct = list(dict.fromkeys(channels))
    code = {channel: n for n, channel in enumerate(distinct)}
    packed = bytes(map(code.__getitem__, channels)) if len(distinct) <= 255 else None
    return channels, distinct, packed


class InteractionsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Interaction] = []  # every row, as given: newest first
        self.index_: TimelineIndex = TimelineIndex([])
        self._order: list[int] | None = None  # positions in the sort order; None: as given
        self._channels: list[str] | None = None  # each row's channel, built on first use
        self._channel_masks: dict[str, bytes] = {}
        self._codes: tuple[list[str], bytes | None] | None = None
        self._matched: list[int] | None = None  # positions the filter keeps; None: no filter
        self._positions: Sequence[int] = []  # what is shown, in display order
        self.channel: str | None = None  # None: all channels
        self.filter = TimelineFilter()
        # What each row's cells say, by position, worked out a screenful at a time (warm).
        self._texts: dict[int, tuple[str, ...]] = {}
        # The status and source cells' pictures, from the view that paints them (None: the
        # list shows those cells' words).
        self.pictures: CellPictures | None = None

    # -- filling ----------------------------------------------------------------------
    def set_interactions(
        self,
        interactions: list[Interaction],
        channel: str | None = None,
        index: TimelineIndex | None = None,
    ) -> None:
        """New rows (newest first, as lookup.py merges them), showing `channel`, unfiltered.
        `index` may be a TimelineIndex already made for these rows."""
        self.beginResetModel()
        graveyard.retire(self._items)  # 100,000 old rows are freed off the GUI thread
        self._items = interactions if isinstance(interactions, list) else list(interactions)
        self.index_ = index if index is not None else TimelineIndex(self._items)
        self._order = None
        self._channels, self._channel_masks, self._codes = None, {}, None
        self._matched, self.filter = None, TimelineFilter()
        self.channel = channel
        self._positions = self._shown_positions()
        self._texts = {}
        self.endResetModel()

    def set_channel(self, channel: str | None) -> None:
        if channel == self.channel:
            # The same rows: a reset would only drop the selection and lay the list out
            # again (a new customer's tabs choose "All", which set_interactions shows).
            return
        self.beginResetModel()
        self.channel = channel
        self._positions = self._shown_positions()
        self.endResetModel()

    def set_filter(self, flt: TimelineFilter) -> None:
        """Show only the rows `flt` keeps (an index lookup: a few ms at 100,000 rows)."""
        self.beginResetModel()
        self.filter = flt
        self._matched = None if flt.is_empty else self.index_.matching(flt)
        self._positions = self._shown_positions()
        self.endResetModel()

    @property
    def filtered(self) -> bool:
        return self._matched is not None

    def total(self) -> int:
        return len(self._items)

    def matched_count(self) -> int:
        """Rows the filter keeps in every channel (all rows when there is no filter)."""
        return len(self._items) if self._matched is None else len(self._matched)

    def matched_by_channel(self) -> dict[str, int] | None:
        """How many rows of each channel the filter keeps; None without a filter."""
        if self._matched is None:
            return None
        distinct, codes = self._channel_codes()
        if codes is None:  # hundreds of channel words (a hostile reply): count plainly
            channels = self._row_channels()
            counts = dict.fromkeys(distinct, 0)
            for position in self._matched:
                counts[channels[position]] += 1
            return counts
        packed = bytes(map(codes.__getitem__, self._matched))  # one byte per kept row
        return {channel: packed.count(code) for code, channel in enumerate(distinct)}

    def _channel_codes(self) -> tuple[list[str], bytes | None]:
        """The result's channels, and each row's channel as one byte (None past 255)."""
        if self._codes is None:
            channels, distinct, packed = _channel_table(self._items, self._channels)
            self._channels, self._codes = channels, (distinct, packed)
        return self._codes

    @staticmethod
    def prepare(index: TimelineIndex) -> tuple:
        """Build the filter's tables, and the channel table for its rows, now: in a worker
        thread (about half a second at 100,000 rows). Reads the rows only; hand the answer
        to `adopt` on the GUI thread."""
        index.prepare()
        return index.items, _channel_table(index.items)

    def adopt(self, prepared: tuple) -> None:
        """Keep a channel table `prepare` built, if it is for the rows shown now."""
        items, (channels, distinct, packed) = prepared
        if items is self._items and self._codes is None:
            self._channels, self._codes = channels, (distinct, packed)

    def _row_channels(self) -> list[str]:
        if self._channels is None:
            self._channels = [item.channel for item in self._items]
        return self._channels

    def _channel_mask(self, channel: str) -> bytes:
        """One byte a row: 1 where the row is in `channel` (cached per channel)."""
        mask = self._channel_masks.get(channel)
        if mask is None:
            mask = bytes(map(operator.eq, self._row_channels(), repeat(channel)))
            self._channel_masks[channel] = mask
        return mask

    def _shown_positions(self) -> Sequence[int]:
        """The rows of the current channel the filter keeps, in the current sort order."""
        size = len(self._items)
        kept = self._matched
        if self.channel is not None:
            mask = self._channel_mask(self.channel)
            kept = list(
                compress(range(size), mask)
                if kept is None
                else compress(kept, map(mask.__getitem__, kept))
            )
        if self._order is None:
            # Every row as given: a range, not a list of 100,000 ints (3.8 MB, 2 ms).
            return range(size) if kept is None else kept
        if kept is None:
            return self._order
        wanted = bytearray(size)
        deque(map(wanted.__setitem__, kept, repeat(1)), maxlen=0)  # C-level loop
        return list(compress(self._order, map(wanted.__getitem__, self._order)))

    # -- rows -------------------------------------------------------------------------
    def warm(self, first: int, last: int) -> None:
        """Work out the cells' texts of shown rows `first`..`last` before Qt paints them.
        Python run in one loop here costs less than the same run cell by cell from inside
        Qt's paint: the typical customer's first paint took ~1 ms less (of ~10), this work
        included, and a repaint, which finds the texts kept, ~2 ms less (bench/list_paint.py).
        A kept row is worked out again when its "5 min ago" would now read otherwise, so a
        paint shows what data() answers at that moment, as before."""
        if len(self._texts) > TEXTS_KEPT:
            self._texts = {}
        texts, positions, items = self._texts, self._positions, self._items
        now = datetime.now(UTC)
        for row in range(max(first, 0), min(last + 1, len(positions))):
            position = positions[row]
            item = items[position]
            ago = relative_age(item.occurred_at, now)
            kept = texts.get(position)
            if kept is None or kept[_AGO] != ago:
                texts[position] = (
                    *map(self._display, repeat(item), _COLUMN_RANGE, repeat(ago)),
                    ago,
                )

    def interaction(self, row: int) -> Interaction | None:
        return self._items[self._positions[row]] if 0 <= row < len(self._positions) else None

    def shown_interactions(self) -> list[Interaction]:
        """The rows as shown (this channel, this filter, this order)."""
        return list(map(self._items.__getitem__, self._positions))

    def row_of(self, item: Interaction) -> int | None:
        for row, position in enumerate(self._positions):
            if self._items[position] is item:
                return row
        return None

    def row_with_key(self, key: tuple[str, str, str]) -> int | None:
        """The row of the interaction with this key (the same message in a newer result)."""
        items = self._items
        return next(
            (row for row, position in enumerate(self._positions) if items[position].key == key),
            None,
        )

    def holds_key(self, key: tuple[str, str, str]) -> bool:
        """Whether any row of the result (shown or not) has this key."""
        return any(item.key == key for item in self._items)

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt idiom
        return 0 if parent.isValid() else len(self._positions)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """As QAbstractTableModel's, in one call into Python instead of two: Qt's own asks
        rowCount() and columnCount() for every cell it paints. Fewer calls matter most while
        a worker parses, when each one waits for the GIL."""
        if parent.isValid() or not (0 <= row < len(self._positions) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if section == SOURCE else _(COLUMNS[section])  # the glyph column stays narrow
        if role == Qt.ItemDataRole.AccessibleTextRole:  # the glyph column too has a name
            return _(COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tooltip(section)
        return None

    @staticmethod
    def _header_tooltip(section: int) -> str | None:
        if section == TIME:
            return tooltip(
                _(
                    "Times are in your time zone, {zone}, with how long ago. "
                    "Point at a time to see it in UTC."
                ).format(zone=zone_words())
            )
        if section == SOURCE:
            return tooltip(
                _("Source: C = Capillary (marketing messages), H = Ctrl-Hub (service interactions)")
            )
        if section == STATUS:
            return tooltip(_("Point at a status to read what it means."))
        return None

    def data(self, index: _Index, role: int = _DISPLAY):
        role = int(role)
        if role not in _ANSWERED or not index.isValid():
            return None
        return self._answer(self._items[self._positions[index.row()]], index.column(), role)

    def multiData(self, index: _Index, span) -> None:
        """What the view asks of each cell it paints (font, colours, alignment, text…), in
        one call into Python instead of one per role: Qt's default asks data() for each
        of them, and each call from Qt into Python costs more than the answer. The row is
        looked up once per cell, not once per role.

        This is what the list paints, and there it differs from data() by design: a status
        or source cell is its picture (the badge, the glyph) and no text, while data()
        answers its words (for the tooltip, a screen reader, a copy) and no picture."""
        if not index.isValid():
            return
        position = self._positions[index.row()]
        column = index.column()
        if self.pictures is not None and column in _PICTURED:
            picture = (
                self._picture(self.pictures, self._items[position], column)
                if self.pictures.drawn_over != (index.row(), column)
                else None  # the view draws it over Qt's focus frame (status_badge.py)
            )
            self._picture_cell(picture, self._items[position], column, span)
            return
        if len(span) == len(_PAINT_ROLES):
            # The list's paint: QStyledItemDelegate asks these seven roles in one span, and
            # of them this model answers the text only. Going straight to its slot skips
            # five slots Python would wrap and ask for their role: ~0.6 ms of a 12 ms paint
            # (bench/list_paint.py). Its first and its text slot are checked: another span,
            # or these roles in another order in a later Qt, takes the loop below.
            slot = span[_PAINT_DISPLAY_SLOT]
            if slot.role() == _DISPLAY and span[0].role() == _PAINT_ROLES[0]:
                texts = self._texts.get(position)
                slot.setData(
                    texts[column]
                    if texts is not None
                    else self._display(self._items[position], column)
                )
                if self.pictures is not None:  # a picture cell's, painted before this one
                    span[_PAINT_DECORATION_SLOT].clearData()
                return
        item = self._items[position]
        for at in range(len(span)):
            slot = span[at]
            role = slot.role()
            if role in _ANSWERED:
                slot.setData(self._answer(item, column, role))
            else:
                slot.clearData()

    def picture(self, row: int, column: int) -> QIcon | None:
        """The picture a status or source cell is painted as (None: none, or not such a cell)."""
        item = self.interaction(row)
        if item is None or self.pictures is None or column not in _PICTURED:
            return None
        return self._picture(self.pictures, item, column)

    @staticmethod
    def _picture(pictures: CellPictures, item: Interaction, column: int) -> QIcon | None:
        if column == STATUS:
            label, tone = status_display(item.status)
            return pictures.status(label, tone.value)
        return pictures.source(item.source.value)

    def _picture_cell(self, picture: QIcon | None, item: Interaction, column: int, span) -> None:
        """A status or source cell's roles as painted: its picture in DecorationRole (the
        slot where Qt's delegate asks for it, else found), no text; the others as data()."""
        if len(span) == len(_PAINT_ROLES):
            shows, says = span[_PAINT_DECORATION_SLOT], span[_PAINT_DISPLAY_SLOT]
            if shows.role() == _DECORATION and says.role() == _DISPLAY:
                # Qt's delegate hands every cell the same span: what the last cell left in
                # a slot is cleared (see multiData).
                shows.setData(picture)
                says.clearData()
                return
        for at in range(len(span)):
            slot = span[at]
            role = slot.role()
            if role == _DECORATION:
                slot.setData(picture)
            elif role != _DISPLAY and role in _ANSWERED:
                slot.setData(self._answer(item, column, role))
            else:
                slot.clearData()

    def _answer(self, item: Interaction, column: int, role: int):
        if role == _DISPLAY:
            return self._display(item, column)
        if role == _TOOLTIP:
            return self._tooltip(item, column)
        if role == _TONE:
            return status_display(item.status)[1].value
        if role == _SOURCE:
            return item.source.value
        if role == _SIZE_HINT:  # the width a double-click on the column's edge gives it
            if self.pictures is None:
                return None
            if column == STATUS:
                return self.pictures.status_size(status_display(item.status)[0])
            return self.pictures.source_size() if column == SOURCE else None
        if column == SOURCE:  # _ACCESSIBLE
            return item.source.label
        return None

    @staticmethod
    def _display(item: Interaction, column: int, ago: str | None = None) -> str:
        """What a cell shows: server text bounded and made visible, per cell as it is
        painted (the model serves 100,000 rows; only the visible ones are asked). `ago`:
        the Time column's "5 min ago", if already worked out."""
        return shown(InteractionsModel._cell_text(item, column, ago))

    @staticmethod
    def _cell_text(item: Interaction, column: int, ago: str | None = None) -> str:
        if column == TIME:
            if ago is None:
                ago = relative_age(item.occurred_at, datetime.now(UTC))
            return (
                f"{local_time(item.occurred_at)} · {ago}" if ago else local_time(item.occurred_at)
            )
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
        return ""  # SOURCE: a glyph, painted as a picture (see multiData)

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
            return status_explanation(item.status)
        if column == SUBJECT and len(item.subject) > 60:
            return item.subject
        if column == SOURCE:
            words = SOURCE_WORDS.get(item.source)
            return _(words) if words else item.source.label
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        # Keep the selection and the current row on the same interactions after the sort.
        persistent = self.persistentIndexList()
        tracked = [self._positions[index.row()] for index in persistent]
        descending = order == Qt.SortOrder.DescendingOrder
        if column == TIME and descending:
            self._order = None  # the order the rows came in: newest first
        else:
            key, items = _sort_key(column), self._items
            self._order = sorted(range(len(items)), key=lambda p: key(items[p]), reverse=descending)
        self._positions = self._shown_positions()
        if persistent:
            new_row = {position: row for row, position in enumerate(self._positions)}
            moved = [
                self.index(new_row[position], index.column())
                for index, position in zip(persistent, tracked, strict=True)
            ]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
