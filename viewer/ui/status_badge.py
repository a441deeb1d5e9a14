"""Paints a message status as a coloured badge (good green, neutral grey, waiting amber, bad
red), and a row's source as a small lettered glyph. The words a badge stands for are in the
cell's tooltip (status_explanation), so colour is never the only carrier of meaning."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from viewer.ui import palette
from viewer.ui.interactions_model import SourceRole, ToneRole


class StatusBadgeDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        if not text:
            super().paint(painter, option, index)
            return
        # Let the style draw the selection background, then the badge on top.
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        # Asked at paint time: a switch to dark mode repaints in the dark set.
        ink, fill = palette.badge(index.data(ToneRole) or "unknown")
        metrics = option.fontMetrics
        width = min(metrics.horizontalAdvance(text) + 14, option.rect.width() - 6)
        height = min(metrics.height() + 4, option.rect.height() - 4)
        badge = QRectF(
            option.rect.x() + 3, option.rect.center().y() - height / 2 + 1, width, height
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(ink) if fill is None else Qt.PenStyle.NoPen)
        painter.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(QColor(ink))
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - 10))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, elided)
        painter.restore()


SOURCE_LETTERS = {"capillary": "C", "ctrlhub": "H"}


class SourceGlyphDelegate(QStyledItemDelegate):
    """The Source column as one small letter in a coloured square: C Capillary, H Ctrl-Hub."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        source = index.data(SourceRole) or ""
        letter = SOURCE_LETTERS.get(source)
        if letter is None:
            return
        ink, fill = palette.source_glyph(source)
        side = min(
            option.fontMetrics.height() + 2, option.rect.height() - 4, option.rect.width() - 4
        )
        box = QRectF(
            option.rect.center().x() - side / 2 + 1,
            option.rect.center().y() - side / 2 + 1,
            side,
            side,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(box, 3, 3)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(ink))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, letter)
        painter.restore()
