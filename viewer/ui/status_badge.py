"""Paints a message status as a coloured badge (good green, neutral grey, waiting amber, bad
red), and a row's source as a small lettered glyph. The words a badge stands for are in the
cell's tooltip (status_explanation), so colour is never the only carrier of meaning.

Qt's own delegate draws them: the model hands each such cell over as a picture
(DecorationRole, InteractionsModel.multiData) and no text, and Qt draws the cell's
background, the picture and the focus frame in C++. Python delegates for the two columns
cost a call from Qt into Python per cell and the work around it: ~1.5 ms of a ~8 ms paint
of the typical customer's list (bench/list_paint.py, "all of it" against "no pictures").

A picture is the whole cell but for the style's margins, transparent but for the badge or
glyph, which sits where the Python delegates drew it (Qt puts a picture that size at the
margin and the cell's top). Each is made once per look (its words or letter, the cell's
size, the colour set) and kept; what it depends on besides is the view's font, style and
screen, and the columns' widths: a change of any of them, announced to the view, forgets
them all."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QTableView

from viewer.safe_text import shown
from viewer.ui import palette
from viewer.ui.interactions_model import SOURCE, STATUS

# A change the view is told of that alters how its cells are drawn.
_LOOK_CHANGES = frozenset(
    {
        QEvent.Type.FontChange,
        QEvent.Type.StyleChange,
        QEvent.Type.PaletteChange,
        QEvent.Type.ScreenChangeInternal,
        QEvent.Type.DevicePixelRatioChange,
    }
)
# A picture for a cell and how it sits there: (pixmap or None, its inset from the cell's
# left edge or None when centred across, half its width, half its height).
_Placed = tuple[QPixmap | None, int | None, float, float]
_NOTHING: _Placed = (None, None, 0.0, 0.0)


def _centre(start: int, size: int) -> int:
    """QRect.center()'s coordinate: C++ integer division, which rounds toward zero (Python's
    // rounds down: they differ for a cell scrolled more than halfway out of view)."""
    return int((2 * start + size - 1) / 2)


class CellPictures(QObject):
    """The pictures of a view's status and source cells, as QIcons for DecorationRole: the
    same picture in every mode, so Qt neither greys nor tints it (a selected or dimmed row
    shows its badge as before: its background says the state)."""

    def __init__(self, view: QTableView):
        super().__init__(view)
        self._view = view
        self._icons: dict[tuple, QIcon | None] = {}
        self._cells: dict[int, tuple[int, int]] = {}  # column → its cells' (width, height)
        # Qt shrinks a picture to the view's icon size: none of a cell's should be.
        view.setIconSize(QSize(_LARGEST, _LARGEST))
        view.installEventFilter(self)
        view.horizontalHeader().sectionResized.connect(self._column_resized)
        view.verticalHeader().sectionResized.connect(self.forget)

    def forget(self, *_changed) -> None:
        self._icons.clear()
        self._cells.clear()

    def _column_resized(self, column: int, _old: int, _new: int) -> None:
        if column in (STATUS, SOURCE):  # not Subject's, which follows the window's width
            self.forget()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in _LOOK_CHANGES:
            self.forget()
        return False

    def status(self, label: str, tone: str) -> QIcon | None:
        """The badge of a status as status_display gives it (label, tone value)."""
        look = (label, tone, id(palette.colours()))
        icon = self._icons.get(look)
        if icon is None and look not in self._icons:
            icon = self._keep(look, self._picture(STATUS, _place_badge, shown(label), tone))
        return icon

    def source(self, source: str) -> QIcon | None:
        """The glyph of a source ("capillary", "ctrlhub")."""
        look = (source, id(palette.colours()))
        icon = self._icons.get(look)
        if icon is None and look not in self._icons:
            icon = self._keep(look, self._picture(SOURCE, _place_glyph, source))
        return icon

    def status_size(self, label: str) -> QSize:
        """The size of a status cell that shows this status's badge whole, not cut short."""
        view = self._view
        grid = 1 if view.showGrid() else 0
        width = view.fontMetrics().horizontalAdvance(shown(label)) + _BADGE_PADDING + 6
        return QSize(width, view.verticalHeader().defaultSectionSize() - grid)

    def _keep(self, look: tuple, icon: QIcon | None) -> QIcon | None:
        if len(self._icons) >= _KEPT:  # a hostile reply's thousands of status words
            self._icons.clear()
        self._icons[look] = icon
        return icon

    def _cell(self, column: int) -> tuple[int, int]:
        """A cell's width and height in `column`, as QTableView paints it (less its grid)."""
        cell = self._cells.get(column)
        if cell is None:
            view = self._view
            grid = 1 if view.showGrid() else 0
            cell = self._cells[column] = (
                view.horizontalHeader().sectionSize(column) - grid,
                view.verticalHeader().defaultSectionSize() - grid,
            )
        return cell

    def _picture(self, column: int, place, *what) -> QIcon | None:
        """A cell-sized picture with `place`'s badge or glyph where the delegates drew it:
        `inset` from the cell's left or centred across, centred down on QRect.center().
        On a screen that scales, the icon also holds the picture at scale 1: Qt takes a
        picture's size in the list from that one, and paints the one of the screen's scale."""
        view = self._view
        width, height = self._cell(column)
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        if width - 2 * margin <= 0 or height <= 0:
            return None
        icon = QIcon()
        for ratio in dict.fromkeys((view.devicePixelRatioF(), 1.0)):
            look = _Look(view.font(), view.fontMetrics(), width, height, ratio)
            cell = _cell_picture(look, margin, place(look, *what))
            if cell is None:
                return None
            for mode in _MODES:
                icon.addPixmap(cell, mode, QIcon.State.Off)
        return icon


def _cell_picture(look: _Look, margin: int, placed: _Placed) -> QPixmap | None:
    """The cell less its margins, transparent but for the placed badge or glyph."""
    pixmap, inset, half_width, half_height = placed
    if pixmap is None:
        return None
    left = inset if inset is not None else int(_centre(0, look.width) - half_width + 1)
    top = int(_centre(0, look.height) - half_height + 1)
    ratio = look.ratio
    # Sized as Qt asks the icon for it (qRound of the size times the scale), so that it is
    # copied as it is, not scaled by a pixel and blurred, at 150%.
    cell = QPixmap(
        max(1, int((look.width - 2 * margin) * ratio + 0.5)),
        max(1, int(look.height * ratio + 0.5)),
    )
    cell.setDevicePixelRatio(ratio)
    cell.fill(Qt.GlobalColor.transparent)
    painter = QPainter(cell)
    painter.drawPixmap(max(0, left - margin), top, pixmap)
    painter.end()
    return cell


class _Look(NamedTuple):
    """What a badge or glyph is drawn from: the view's font, and its cells' size."""

    font: QFont
    metrics: QFontMetrics
    width: int
    height: int
    ratio: float


_BADGE_PADDING = 14  # px: a badge is its words and 7 on each side; its cell 3 more each side
_KEPT = 512
_LARGEST = 16_384  # px: no cell is wider or taller
_MODES = (QIcon.Mode.Normal, QIcon.Mode.Disabled, QIcon.Mode.Active, QIcon.Mode.Selected)


def _place_badge(look: _Look, text: str, tone: str) -> _Placed:
    if not text:
        return _NOTHING
    ink, fill = palette.badge(tone)
    metrics = look.metrics
    width = min(metrics.horizontalAdvance(text) + _BADGE_PADDING, look.width - 6)
    height = min(metrics.height() + 4, look.height - 4)
    if width <= 0 or height <= 0:
        return _NOTHING
    key = ("badge", text, ink, fill, width, height, look.font.key(), look.ratio)
    return _pixmap(key, lambda p: _badge(p, key, metrics)), 3, width / 2, height / 2


def _badge(painter: QPainter, key: tuple, metrics) -> None:
    _, text, ink, fill, width, height, _font, _ratio_ = key
    badge = QRectF(0, 0, width, height)
    painter.setPen(QColor(ink) if fill is None else Qt.PenStyle.NoPen)
    painter.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(badge.adjusted(0.5, 0.5, -0.5, -0.5), height / 2, height / 2)
    painter.setPen(QColor(ink))
    elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - 10))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, elided)


# Badges and glyphs drawn once: a column's new width or a scheme switched back makes new
# cell pictures, most often of the same badges.
_PIXMAPS: dict[tuple, QPixmap] = {}
_PIXMAP_LIMIT = 512


def _pixmap(key: tuple, draw) -> QPixmap:
    """The picture for `key` (its last three parts: size, font, pixel ratio), drawn by
    `draw(painter)` in logical pixels the first time it is asked for."""
    pixmap = _PIXMAPS.get(key)
    if pixmap is None:
        if len(_PIXMAPS) >= _PIXMAP_LIMIT:
            _PIXMAPS.clear()
        width, height, ratio = key[-4], key[-3], key[-1]
        pixmap = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw(painter)
        painter.end()
        _PIXMAPS[key] = pixmap
    return pixmap


SOURCE_LETTERS = {"capillary": "C", "ctrlhub": "H"}


def _place_glyph(look: _Look, source: str) -> _Placed:
    """The Source column's picture: one small letter in a coloured square, C Capillary,
    H Ctrl-Hub."""
    letter = SOURCE_LETTERS.get(source)
    if letter is None:
        return _NOTHING
    ink, fill = palette.source_glyph(source)
    side = min(look.metrics.height() + 2, look.height - 4, look.width - 4)
    if side <= 0:
        return _NOTHING
    font = QFont(look.font)
    font.setBold(True)
    key = ("glyph", letter, ink, fill, side, side, font.key(), look.ratio)
    return _pixmap(key, lambda p: _glyph(p, key, font)), None, side / 2, side / 2


def _glyph(painter: QPainter, key: tuple, font: QFont) -> None:
    _, letter, ink, fill, side, _side, _font, _ratio_ = key
    box = QRectF(0, 0, side, side)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(fill))
    painter.drawRoundedRect(box, 3, 3)
    painter.setFont(font)
    painter.setPen(QColor(ink))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, letter)
