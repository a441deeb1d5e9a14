"""Paints a message status as a coloured badge (good green, neutral grey, waiting amber, bad
red), and a row's source as a small lettered glyph. The words a badge stands for are in the
cell's tooltip (status_explanation), so colour is never the only carrier of meaning.

Both delegates ask the model for their cell directly (InteractionsModel.badge, .source_of)
and never call initStyleOption: that asks the model for seven roles through Qt, and the
calls between Qt and Python were most of what a badge cost (44 cells a screen, each
painted on every repaint). The option Qt hands to paint() already carries what the
background needs (rect, state, alternate row, the view's font and palette).

Each delegate also remembers, per cell look (its words or letter, its size, the colour
set), which picture goes where in the cell: working that out again (font metrics, font
key, pixel ratio, from Python) for every cell of every paint was ~1.8 ms of a 12 ms list
paint (the same list painted with the old and the new delegates, side by side). What it
depends on besides is the view's font, style and screen: a change of any of them,
announced to the view, forgets it all."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from viewer.ui import palette
from viewer.ui.interactions_model import InteractionsModel


def _background(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """The cell as the style draws an empty one: alternate row, selection, focus."""
    widget = option.widget
    if widget is not None:
        widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)


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
_PLACED_LIMIT = 512


def _centre(start: int, size: int) -> int:
    """QRect.center()'s coordinate: C++ integer division, which rounds toward zero (Python's
    // rounds down: they differ for a cell scrolled more than halfway out of view)."""
    return int((2 * start + size - 1) / 2)


class _LookWatcher(QObject):
    """Calls `forget` when the view it watches is told its look changed."""

    def __init__(self, view: QWidget, forget) -> None:
        super().__init__(view)
        self._forget = forget
        view.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in _LOOK_CHANGES:
            self._forget()
        return False


class _PictureDelegate(QStyledItemDelegate):
    """A cell painted as the style's empty cell with one remembered picture on it."""

    def __init__(self, model: InteractionsModel, parent: QWidget):
        super().__init__(parent)
        self._model = model
        self._placed: dict[tuple, _Placed] = {}
        # Not the delegate itself: its eventFilter is the one Qt gives an item editor.
        self._watcher = _LookWatcher(parent, self._placed.clear)

    def _paint_picture(
        self, painter: QPainter, option: QStyleOptionViewItem, look: tuple, place
    ) -> None:
        """The cell's background, then the picture `place(painter, option)` made for this
        `look` (made once per look: see the module's docstring), placed as before this
        was remembered: centred on the cell's QRect.center()."""
        _background(painter, option)  # the selection under the picture
        placed = self._placed.get(look)
        if placed is None:
            if len(self._placed) >= _PLACED_LIMIT:
                self._placed.clear()
            placed = self._placed[look] = place(painter, option)
        pixmap, inset, half_width, half_height = placed
        if pixmap is not None:
            rect = option.rect
            x, y = rect.x(), rect.y()
            left = (
                x + inset if inset is not None else int(_centre(x, rect.width()) - half_width + 1)
            )
            top = int(_centre(y, rect.height()) - half_height + 1)
            painter.drawPixmap(left, top, pixmap)


class StatusBadgeDelegate(_PictureDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        text, tone = self._model.badge(index.row())
        rect = option.rect
        # Asked at paint time: a switch to dark mode repaints in the dark set.
        look = (text, tone, rect.width(), rect.height(), id(palette.colours()))
        self._paint_picture(painter, option, look, lambda p, o: _place_badge(p, o, text, tone))


def _place_badge(painter: QPainter, option: QStyleOptionViewItem, text: str, tone: str) -> _Placed:
    if not text:
        return _NOTHING
    ink, fill = palette.badge(tone)
    metrics, rect = option.fontMetrics, option.rect
    width = min(metrics.horizontalAdvance(text) + 14, rect.width() - 6)
    height = min(metrics.height() + 4, rect.height() - 4)
    if width <= 0 or height <= 0:
        return _NOTHING
    key = ("badge", text, ink, fill, width, height, option.font.key(), _ratio(painter))
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


# Badges and glyphs drawn once and then copied: drawing each cell anew (antialiased shapes,
# shaped text, from Python) was half of what painting the list cost.
_PIXMAPS: dict[tuple, QPixmap] = {}
_PIXMAP_LIMIT = 512


def _ratio(painter: QPainter) -> float:
    device = painter.device()
    return device.devicePixelRatioF() if device is not None else 1.0


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


class SourceGlyphDelegate(_PictureDelegate):
    """The Source column as one small letter in a coloured square: C Capillary, H Ctrl-Hub."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        source = self._model.source_of(index.row())
        rect = option.rect
        look = (source, rect.width(), rect.height(), id(palette.colours()))
        self._paint_picture(painter, option, look, lambda p, o: _place_glyph(p, o, source))


def _place_glyph(painter: QPainter, option: QStyleOptionViewItem, source: str) -> _Placed:
    letter = SOURCE_LETTERS.get(source)
    if letter is None:
        return _NOTHING
    ink, fill = palette.source_glyph(source)
    rect = option.rect
    side = min(option.fontMetrics.height() + 2, rect.height() - 4, rect.width() - 4)
    if side <= 0:
        return _NOTHING
    font = QFont(option.font)
    font.setBold(True)
    key = ("glyph", letter, ink, fill, side, side, font.key(), _ratio(painter))
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
