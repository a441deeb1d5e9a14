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

from viewer.present import Field, full_json_text
from viewer.safe_text import BLOCK_LIMIT, LINE_LIMIT
from viewer.ui.plain import keep_narrow, plain_block, plain_label, set_plain, tooltip

PLACEHOLDER = "Select a message to see all of its fields."
_NO_DOCUMENT = object()  # show_fields without a document: "Copy" copies the raw view's text


class DetailPane(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = keep_narrow(plain_label(PLACEHOLDER))
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = keep_narrow(plain_label())
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #664d03;")
        self.note.hide()
        self._shown: dict[str, str] = {}
        self._document: object = _NO_DOCUMENT

        self._form_host = QWidget()
        self.form = QFormLayout(self._form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = self.fields = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._form_host)
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Enter on a row lands here; arrows scroll
        scroll.setAccessibleName("Message fields")

        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setAccessibleName("Raw JSON")
        self.copy_button = QPushButton("Copy all JSON")
        self.copy_button.setToolTip("Copy the whole document, long values in full (secrets masked)")
        self.copy_button.clicked.connect(self.copy_all_json)
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

    def show_fields(self, title: str, fields: list[Field], raw_text: str, note: str = "",
                    document: object = _NO_DOCUMENT) -> None:
        """`raw_text` is the bounded raw view (present.raw_json_text); `document`, when
        given, is what "Copy all JSON" copies whole."""
        set_plain(self.title, title)
        self.set_note(note)
        while self.form.rowCount():
            self.form.removeRow(0)
        self._shown = {}
        for field in fields:
            label, value = plain_label(field.label), self._value_label(field)
            self.form.addRow(label, self._with_copy_button(value, field.copy))
            self._shown[label.text().strip()] = value.text()
        self.raw.setPlainText(raw_text)
        self._document = document
        self.copy_button.setEnabled(bool(raw_text))

    def set_note(self, note: str) -> None:
        plain_block(self.note, note)
        self.note.setVisible(bool(note))

    @staticmethod
    def _value_label(field: Field) -> QLabel:
        if field.long:  # notes: their lines kept, bounded so layout stays fast
            value = plain_label(field.value, limit=BLOCK_LIMIT, multiline=True)
        else:
            value = plain_label(field.value, limit=LINE_LIMIT)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if field.tooltip:
            value.setToolTip(tooltip(field.tooltip))
        return value

    @staticmethod
    def _with_copy_button(value: QLabel, copy: str) -> QWidget:
        """The value, and a button that copies `copy` (an id) whole."""
        if not copy:
            return value
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(value, 1)
        button = QToolButton()
        button.setText("Copy id")
        button.setToolTip(tooltip(f"Copy {copy}"))
        button.clicked.connect(lambda: QGuiApplication.clipboard().setText(copy))
        layout.addWidget(button)
        return row

    def focus_fields(self) -> None:
        self.fields.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self, message: str = PLACEHOLDER) -> None:
        self.show_fields(message, [], "")

    def copy_all_json(self) -> None:
        """The whole document, long values included: the raw view shows a bounded copy."""
        if self._document is _NO_DOCUMENT:
            text = self.raw.toPlainText()
        else:
            text = full_json_text(self._document)
        QGuiApplication.clipboard().setText(text)

    copy_raw = copy_all_json  # the older name
