"""The timeline list: a QTableView laid out so the answer stays in view, driven by keys.

Layout: Time first and never scrolled away (no horizontal scrolling: the columns are fitted
to the width, Subject takes what is left), the source as a small glyph beside it, Campaign
and User hidden until asked for (right-click the header; remembered in ui_settings).
Keys: J/K or the arrows move rows, Enter moves to the detail pane, Tab leaves the list
(never a cell-by-cell walk), Ctrl+C copies the selected rows as text, Ctrl+Shift+C as JSON.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from viewer.i18n import _, ngettext
from viewer.ui.export_actions import COPY_LIMIT, rows_as_json, rows_as_text
from viewer.ui.interactions_model import (
    CAMPAIGN,
    CHANNEL,
    COLUMNS,
    COUNTERPART,
    SOURCE,
    STATUS,
    SUBJECT,
    TIME,
    USER,
    InteractionsModel,
)
from viewer.ui.status_badge import CellPictures
from viewer.ui.ui_settings import recall, remember

HIDDEN_KEY = "timeline/hidden_columns"
HIDDEN_BY_DEFAULT = (CAMPAIGN, USER)
# Preferred widths; when the list is narrow these give way (in this order) down to the
# minimum, so Subject keeps at least SUBJECT_MIN and nothing scrolls sideways. Narrower
# still (the window at its narrowest, the splitter dragged), they are let go of whole, in
# the same order, until Subject has its minimum; they come back when there is room.
# Status keeps its width: "Awaiting callback" is often the answer itself.
PREFERRED = {CHANNEL: 100, STATUS: 130, COUNTERPART: 170, CAMPAIGN: 90, USER: 90}
MINIMUM = {COUNTERPART: 80, CHANNEL: 80, CAMPAIGN: 60, USER: 60}
GIVE_WAY = (COUNTERPART, CAMPAIGN, USER, CHANNEL)
SUBJECT_MIN = 160
GLYPH_WIDTH = 28
# Keyed by int: QKeyEvent.key() is an int.
_DOWN_KEYS: dict[int, Qt.Key] = {Qt.Key.Key_J: Qt.Key.Key_Down, Qt.Key.Key_K: Qt.Key.Key_Up}


class TimelineTable(QTableView):
    # Enter on a row: the agent wants to read it (focus moves to the detail pane).
    open_requested = Signal()
    # A sentence for the status bar ("Copied 3 rows").
    told = Signal(str)

    def __init__(self, model: InteractionsModel, parent=None):
        super().__init__(parent)
        self._interactions = model  # model() is typed as any QAbstractItemModel
        self.setModel(model)
        model.modelReset.connect(self._lay_out_rows_now)  # after Qt's own reset (connected first)
        self.setAccessibleName(_("Messages and interactions"))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setTabKeyNavigation(False)  # Tab leaves the list
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._pictures = model.pictures = CellPictures(self)  # badges and glyphs, drawn by Qt
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self._build_header()
        self.setSortingEnabled(True)

    def _lay_out_rows_now(self) -> None:
        """New rows are laid out now, not on the loop's next turn as Qt does after a reset.
        Qt's turn came after the list's next paint, and laying out repaints the whole list:
        every lookup, tab and filter painted the list twice (~10 ms each, typical customer).
        Now the layout's repaint is the one already due."""
        self.executeDelayedItemsLayout()

    # -- columns ------------------------------------------------------------------------
    def _build_header(self) -> None:
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionsMovable(False)
        # A title wider than its column ends in "…" (Qt's headers cut it off at both ends).
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setMinimumSectionSize(GLYPH_WIDTH)
        header.moveSection(header.visualIndex(SOURCE), 1)  # the glyph right after Time
        header.setSectionResizeMode(SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(SOURCE, GLYPH_WIDTH)
        header.resizeSection(TIME, self._time_width())
        for column, width in PREFERRED.items():
            header.resizeSection(column, width)
        header.setSortIndicator(TIME, Qt.SortOrder.DescendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        # The agent's choice (the column menu); fit_columns hides these and those let go of.
        self._hidden_by_choice = set(self._remembered_hidden())
        self._let_go: set[int] = set()  # no room for them now
        for column in self._hidden_by_choice:
            self.setColumnHidden(column, True)

    def _time_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("2026-12-31 23:59 · 11 mo ago") + 16

    @staticmethod
    def _remembered_hidden() -> list[int]:
        stored = recall(HIDDEN_KEY)
        if stored is None:
            return list(HIDDEN_BY_DEFAULT)
        if isinstance(stored, str):  # QSettings gives one value back as a bare string
            names = [stored]
        elif isinstance(stored, list | tuple):
            names = [n for n in stored if isinstance(n, str)]
        else:  # absent or of another kind (the file edited by hand): nothing to hide
            names = []
        # Time and Subject are the answer: never hidden, whatever the file says.
        return [
            COLUMNS.index(n)
            for n in names
            if n in COLUMNS and COLUMNS.index(n) not in (TIME, SUBJECT)
        ]

    def column_menu(self) -> QMenu:
        """Show or hide columns; Time and Subject always stay."""
        menu = QMenu(self)
        for column, name in enumerate(COLUMNS):
            if column in (TIME, SUBJECT):
                continue
            label = _(name)
            if column in self._let_go:  # chosen, yet not on screen: say why
                label = _("{column} (no room: widen the list)").format(column=label)
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(column not in self._hidden_by_choice)
            action.toggled.connect(lambda on, c=column: self.show_column(c, on))
        return menu

    def _column_menu(self, position) -> None:
        menu = self.column_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.horizontalHeader().mapToGlobal(position))

    def show_column(self, column: int, shown: bool) -> None:
        if shown:
            self._hidden_by_choice.discard(column)
        else:
            self._hidden_by_choice.add(column)
        remember(HIDDEN_KEY, [COLUMNS[c] for c in sorted(self._hidden_by_choice)])
        self.setColumnHidden(column, not shown)
        self.fit_columns()  # there may be no room for it now

    @property
    def columns_let_go(self) -> frozenset[int]:
        """Columns the agent shows that the list has no room for now."""
        return frozenset(self._let_go)

    def fit_columns(self) -> None:
        """Give the columns their preferred widths when there is room; when not, shrink the
        ones that matter least, and then let them go, so Subject keeps its minimum and Time
        never scrolls away."""
        header = self.horizontalHeader()
        available = self.viewport().width()
        if available <= 0:
            return
        chosen = [c for c in range(len(COLUMNS)) if c not in self._hidden_by_choice]
        fixed = {TIME: self._time_width(), SOURCE: GLYPH_WIDTH}
        widths = {c: fixed.get(c) or PREFERRED[c] for c in chosen if c != SUBJECT}
        at_least = sum(MINIMUM.get(c, width) for c, width in widths.items()) + SUBJECT_MIN
        let_go = set()
        for column in GIVE_WAY:
            if at_least <= available:
                break
            if column in widths:
                del widths[column]
                at_least -= MINIMUM[column]
                let_go.add(column)
        self._let_go = let_go
        for column in chosen:
            if self.isColumnHidden(column) != (column in let_go):
                self.setColumnHidden(column, column in let_go)
        excess = sum(widths.values()) + SUBJECT_MIN - available
        for column in GIVE_WAY:
            if excess <= 0:
                break
            if column in widths:
                give = min(excess, widths[column] - MINIMUM[column])
                widths[column] -= give
                excess -= give
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def resizeEvent(self, event) -> None:
        """Columns the resize widens or narrows (Subject takes what is left; a scroll bar that
        comes or goes changes that) are repainted by the paint the resize is due anyway. Told
        of them, QTableView repaints them again a turn of the loop later, after that paint:
        another customer, a tab or a window resized painted the whole list twice."""
        header = self.horizontalHeader()
        widths = list(map(header.sectionSize, range(header.count())))
        was_blocked = header.blockSignals(True)  # sectionResized: QTableView's later repaint
        try:
            super().resizeEvent(event)
            self.fit_columns()
        finally:
            header.blockSignals(was_blocked)
        if list(map(header.sectionSize, range(header.count()))) != widths:
            self.updateGeometries()  # what QTableView does when told, but now
            self.viewport().update()

    def paintEvent(self, event) -> None:
        """The rows about to be painted get their texts first, in one go (model.warm). A
        picture cell with the focus frame gets its picture after Qt's paint, over the frame
        (viewer/ui/status_badge.py)."""
        area = event.rect()
        first = self.rowAt(area.top())
        if first >= 0:
            last = self.rowAt(area.bottom())  # -1: the rows end above the area's bottom
            self._interactions.warm(first, last if last >= 0 else self.model().rowCount() - 1)
        focused = self._framed_picture_cell()
        self._pictures.begin_paint(focused)
        super().paintEvent(event)
        if focused is not None:
            painter = QPainter(self.viewport())
            self._pictures.draw_over(
                painter,
                self.visualRect(focused),
                self._interactions.picture(focused.row(), focused.column()),
            )
            painter.end()

    def _framed_picture_cell(self) -> QModelIndex | None:
        """The current cell when Qt frames it (the list has the focus) and it is a picture."""
        current = self.currentIndex()
        if not current.isValid() or current.column() not in (STATUS, SOURCE):
            return None
        return current if self.hasFocus() or self.viewport().hasFocus() else None

    # -- keys -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if key in _DOWN_KEYS and plain:
            arrow = QKeyEvent(QEvent.Type.KeyPress, _DOWN_KEYS[key], Qt.KeyboardModifier.NoModifier)
            super().keyPressEvent(arrow)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            if self.currentIndex().isValid():
                self.open_requested.emit()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and plain:
            return  # rows, not cells: no sideways walk that would scroll Time away
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection(as_json=False)
            return
        if key == Qt.Key.Key_C and mods == (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        ):
            self.copy_selection(as_json=True)
            return
        super().keyPressEvent(event)

    # -- copying --------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """Selected rows, top to bottom, from the selection's ranges (not one index per
        cell: Ctrl+A over 100,000 rows would make 800,000)."""
        rows: set[int] = set()
        selection = self.selectionModel().selection()
        for selected in map(selection.at, range(selection.count())):
            rows.update(range(selected.top(), selected.bottom() + 1))
            if len(rows) > COPY_LIMIT:
                break
        if not rows and self.currentIndex().isValid():
            rows.add(self.currentIndex().row())
        return sorted(rows)

    def copy_selection(self, as_json: bool) -> None:
        rows = self.selected_rows()
        if not rows:
            self.told.emit(_("Select one or more rows to copy."))
            return
        kept = rows[:COPY_LIMIT]
        items = [i for i in map(self._interactions.interaction, kept) if i is not None]
        text = rows_as_json(items) if as_json else rows_as_text(items)
        QGuiApplication.clipboard().setText(text)
        if as_json:
            said = ngettext(
                "Copied {count:,} row as JSON.", "Copied {count:,} rows as JSON.", len(kept)
            )
        else:
            said = ngettext(
                "Copied {count:,} row as text.", "Copied {count:,} rows as text.", len(kept)
            )
        said = said.format(count=len(kept))
        if len(rows) > COPY_LIMIT:
            said = _("{copied} Only the first {limit:,}: export CSV for all.").format(
                copied=said, limit=COPY_LIMIT
            )
        self.told.emit(said)

    def select_only(self, row: int) -> None:
        index = self.model().index(row, 0)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
