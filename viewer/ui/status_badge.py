"""Paints a message status as a coloured badge (good green, neutral grey, waiting amber, bad
red), and a row's source as a small lettered glyph. The words a badge stands for are in the
cell's tooltip (status_explanation), so colour is never the only carrier of meaning.

Qt's own delegate draws them: the model hands each such cell over as a picture
(DecorationRole, InteractionsModel.multiData) and no text, and Qt draws the cell's
background, the picture and the focus frame in C++. Python delegates for the two columns
cost a call from Qt into Python per cell and the work around it: ~1.5 ms of a ~8 ms paint
of the typical customer's list (bench/list_paint.py, "all of it" against "no pictures").

A picture is as tall as the cell and reaches from the style's margin, where Qt puts it, to
the badge's or glyph's right edge, transparent but for them: each sits where the Python
delegates drew it. Each is made once per look (its words or letter, the colour set) and
kept while what it is drawn from stays the same: the list's font, style, screen scale,
row height and the two columns' widths, looked at before each paint (CellPictures.
begin_paint).

One cell is drawn otherwise: the current one, in a list with the keyboard focus. Qt frames
it around its text, which a picture cell has none of, and the delegates framed the whole
cell under the picture; so that cell is given no picture, Qt frames it whole, and the list
draws its picture over it after Qt's paint (TimelineTable.paintEvent)."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QTableView

from viewer.safe_text import shown
from viewer.ui import palette
from viewer.ui.interactions_model import SOURCE, STATUS

# A picture for a cell and how it sits there: (pixmap or None, its inset from the cell's
# left edge or None when centred across, half its width, half its height).
_Placed = tuple[QPixmap | None, int | None, float, float]
_NOTHING: _Placed = (None, None, 0.0, 0.0)


def _centre(start: int, size: int) -> int:
    """QRect.center()'s coordinate: C++ integer division, which rounds toward zero."""
    return int((2 * start + size - 1) / 2)


class CellPictures:
    """The pictures of a view's status and source cells, as QIcons for DecorationRole: the
    same picture in every mode, so Qt neither greys nor tints it (a selected or dimmed row
    shows its badge as before: its background says the state)."""

    def __init__(self, view: QTableView):
        self._view = view
        self._icons: dict[tuple, QIcon | None] = {}
        self._bytes = 0
        self._drawn_from: tuple = ()
        # (row, column) of the cell the view draws the picture of itself (see the module).
        self.drawn_over: tuple[int, int] | None = None
        # Qt shrinks a picture to the view's icon size: none of a cell's should be.
        view.setIconSize(QSize(_LARGEST, _LARGEST))

    def begin_paint(self, focused: QModelIndex | None) -> None:
        """Before each paint of the view: forget every picture if what they are drawn from
        changed, and leave `focused` (a picture cell, or None) for the view to draw."""
        view = self._view
        header = view.horizontalHeader()
        drawn_from = (
            view.devicePixelRatioF(),
            header.sectionSize(STATUS),
            header.sectionSize(SOURCE),
            view.verticalHeader().defaultSectionSize(),
            view.showGrid(),
            view.font().key(),
            view.style().name(),
            id(palette.colours()),
        )
        if drawn_from != self._drawn_from:
            self._drawn_from = drawn_from
            self._forget()
        self.drawn_over = (focused.row(), focused.column()) if focused is not None else None

    def draw_over(self, painter: QPainter, cell: QRect, picture: QIcon | None) -> None:
        """`picture` on `cell` where Qt's delegate puts it (see the module)."""
        if picture is not None:
            margin = self._margin()
            size = picture.actualSize(QSize(_LARGEST, _LARGEST))
            picture.paint(painter, QRect(cell.x() + margin, cell.y(), size.width(), size.height()))

    def _forget(self) -> None:
        self._icons.clear()
        self._bytes = 0

    def status(self, label: str, tone: str) -> QIcon | None:
        """The badge of a status as status_display gives it (label, tone value)."""
        key = (label, tone, id(palette.colours()))
        icon = self._icons.get(key)
        if icon is None and key not in self._icons:
            icon = self._keep(key, self._picture(STATUS, _place_badge, shown(label), tone))
        return icon

    def source(self, source: str) -> QIcon | None:
        """The glyph of a source ("capillary", "ctrlhub")."""
        key = (source, id(palette.colours()))
        icon = self._icons.get(key)
        if icon is None and key not in self._icons:
            icon = self._keep(key, self._picture(SOURCE, _place_glyph, source))
        return icon

    def status_size(self, label: str) -> QSize:
        """The size of a status cell that shows this status's badge whole, not cut short."""
        width = self._view.fontMetrics().horizontalAdvance(shown(label)) + _BADGE_PADDING + 6
        return QSize(width, self._cell(STATUS)[1])

    def source_size(self) -> QSize:
        """The size of a source cell that shows its glyph whole."""
        return QSize(self._view.fontMetrics().height() + 2 + 4, self._cell(SOURCE)[1])

    def _keep(self, key: tuple, icon: QIcon | None) -> QIcon | None:
        size = icon.actualSize(QSize(_LARGEST, _LARGEST)) if icon is not None else QSize()
        # Bytes, not a count: a hostile reply's thousands of long status words, in a column
        # made wide, would otherwise keep hundreds of MB of pictures.
        cost = max(1, size.width() * size.height()) * 4 * (1 + self._view.devicePixelRatioF() ** 2)
        if self._bytes + cost > _KEPT_BYTES:
            self._forget()
        self._icons[key] = icon
        self._bytes += int(cost)
        return icon

    def _cell(self, column: int) -> tuple[int, int]:
        """A cell's width and height in `column`, as QTableView paints it (less its grid)."""
        view = self._view
        grid = 1 if view.showGrid() else 0
        return (
            view.horizontalHeader().sectionSize(column) - grid,
            view.verticalHeader().defaultSectionSize() - grid,
        )

    def _margin(self) -> int:
        """Where Qt's delegate puts a picture: the style's focus frame margin, and 1."""
        view = self._view
        return view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1

    def _picture(self, column: int, place, *what) -> QIcon | None:
        """A picture with `place`'s badge or glyph where the delegates drew it: `inset` from
        the cell's left or centred across, centred down on QRect.center(). On a screen that
        scales, the icon also holds the picture at scale 1: Qt takes a picture's size in the
        list from that one, and paints the one of the screen's scale."""
        view = self._view
        width, height = self._cell(column)
        margin = self._margin()
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
    """From the cell's margin to the placed badge's or glyph's right edge, as tall as the
    cell, transparent but for it."""
    pixmap, inset, half_width, half_height = placed
    if pixmap is None:
        return None
    left = inset if inset is not None else int(_centre(0, look.width) - half_width + 1)
    top = int(_centre(0, look.height) - half_height + 1)
    inside = max(0, left - margin)
    ratio = look.ratio
    # Sized as Qt asks the icon for it (qRound of the size times the scale), so that it is
    # copied as it is, not scaled by a pixel and blurred, at 150%.
    # 2 px more, transparent: at 125% or 150% Qt's copy may lose the last device pixel.
    width = min(look.width - 2 * margin, inside + round(2 * half_width) + 2)
    cell = QPixmap(max(1, int(width * ratio + 0.5)), max(1, int(look.height * ratio + 0.5)))
    cell.setDevicePixelRatio(ratio)
    cell.fill(Qt.GlobalColor.transparent)
    painter = QPainter(cell)
    painter.drawPixmap(inside, top, pixmap)
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
_KEPT_BYTES = 16 * 1024 * 1024
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


def _pixmap(key: tuple, draw) -> QPixmap:
    """The picture for `key` (its last four parts: width, height, font, pixel ratio), drawn
    by `draw(painter)` in logical pixels."""
    width, height, ratio = key[-4], key[-3], key[-1]
    pixmap = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(painter)
    painter.end()
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
