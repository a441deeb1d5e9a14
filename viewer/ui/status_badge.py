"""Paints a message status as a coloured badge (good green, neutral grey, waiting amber, bad
red), and a row's source as a small lettered glyph. The words a badge stands for are in the
cell's tooltip (status_explanation), so colour is never the only carrier of meaning.

Both delegates ask the model for their cell directly (InteractionsModel.badge, .source_of)
and never call initStyleOption: that asks the model for seven roles through Qt, and the
calls between Qt and Python were most of what a badge cost (44 cells a screen, each
painted on every repaint). The option Qt hands to paint() already carries what the
background needs (rect, state, alternate row, the view's font and palette)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from viewer.ui import palette
from viewer.ui.interactions_model import InteractionsModel


def _background(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """The cell as the style draws an empty one: alternate row, selection, focus."""
    widget = option.widget
    if widget is not None:
        widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)


class StatusBadgeDelegate(QStyledItemDelegate):
    def __init__(self, model: InteractionsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        text, tone = self._model.badge(index.row())
        _background(painter, option)  # the selection under the badge
        if not text:
            return
        # Asked at paint time: a switch to dark mode repaints in the dark set.
        ink, fill = palette.badge(tone)
        metrics = option.fontMetrics
        width = min(metrics.horizontalAdvance(text) + 14, option.rect.width() - 6)
        height = min(metrics.height() + 4, option.rect.height() - 4)
        if width <= 0 or height <= 0:
            return
        key = ("badge", text, ink, fill, width, height, option.font.key(), _ratio(painter))
        left, top = option.rect.x() + 3, option.rect.center().y() - height / 2 + 1
        painter.drawPixmap(int(left), int(top), _pixmap(key, lambda p: _badge(p, key, metrics)))


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


class SourceGlyphDelegate(QStyledItemDelegate):
    """The Source column as one small letter in a coloured square: C Capillary, H Ctrl-Hub."""

    def __init__(self, model: InteractionsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        _background(painter, option)
        source = self._model.source_of(index.row())
        letter = SOURCE_LETTERS.get(source)
        if letter is None:
            return
        ink, fill = palette.source_glyph(source)
        side = min(
            option.fontMetrics.height() + 2, option.rect.height() - 4, option.rect.width() - 4
        )
        if side <= 0:
            return
        font = QFont(option.font)
        font.setBold(True)
        key = ("glyph", letter, ink, fill, side, side, font.key(), _ratio(painter))
        left = option.rect.center().x() - side / 2 + 1
        top = option.rect.center().y() - side / 2 + 1
        painter.drawPixmap(int(left), int(top), _pixmap(key, lambda p: _glyph(p, key, font)))


def _glyph(painter: QPainter, key: tuple, font: QFont) -> None:
    _, letter, ink, fill, side, _side, _font, _ratio_ = key
    box = QRectF(0, 0, side, side)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(fill))
    painter.drawRoundedRect(box, 3, 3)
    painter.setFont(font)
    painter.setPen(QColor(ink))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, letter)
