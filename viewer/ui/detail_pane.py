"""The detail pane: every field of the selected interaction, and its raw JSON."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.present import Field

PLACEHOLDER = "Select a message to see all of its fields."


class DetailPane(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel(PLACEHOLDER)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #664d03;")
        self.note.hide()
        self._shown: dict[str, str] = {}

        self._form_host = QWidget()
        self.form = QFormLayout(self._form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._form_host)

        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setAccessibleName("Raw JSON")
        self.copy_button = QPushButton("Copy JSON")
        self.copy_button.clicked.connect(self.copy_raw)
        self.copy_button.setEnabled(False)
        raw_box = QWidget()
        raw_layout = QVBoxLayout(raw_box)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_header = QHBoxLayout()
        raw_header.addWidget(QLabel("Raw JSON, as the server sent it"))
        raw_header.addStretch(1)
        raw_header.addWidget(self.copy_button)
        raw_layout.addLayout(raw_header)
        raw_layout.addWidget(self.raw)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(raw_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)

    def values(self) -> dict[str, str]:
        """Shown label → value, for tests and for "copy all"."""
        return dict(self._shown)

    def show_fields(self, title: str, fields: list[Field], raw_text: str, note: str = "") -> None:
        self.title.setText(title)
        self.set_note(note)
        while self.form.rowCount():
            self.form.removeRow(0)
        self._shown = {}
        for field in fields:
            self.form.addRow(field.label, self._value_widget(field))
            self._shown[field.label.strip()] = field.value
        self.raw.setPlainText(raw_text)
        self.copy_button.setEnabled(bool(raw_text))

    def set_note(self, note: str) -> None:
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def _value_widget(self, field: Field) -> QWidget:
        shown = QLabel(field.value)
        shown.setWordWrap(True)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setTextFormat(Qt.TextFormat.PlainText)
        if field.tooltip:
            shown.setToolTip(field.tooltip)
        if not field.copy:
            return shown
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(shown, 1)
        button = QToolButton()
        button.setText("Copy id")
        button.setToolTip(f"Copy {field.copy}")
        button.clicked.connect(lambda: QGuiApplication.clipboard().setText(field.copy))
        layout.addWidget(button)
        return row

    def clear(self, message: str = PLACEHOLDER) -> None:
        self.show_fields(message, [], "")

    def copy_raw(self) -> None:
        QGuiApplication.clipboard().setText(self.raw.toPlainText())
