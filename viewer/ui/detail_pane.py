"""The detail pane: every field of the selected interaction, and its raw JSON.

In masked mode a masked value has a Reveal button: it shows that one value for
REVEAL_MS, then masks it again (the window records each reveal in the access log)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
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

from viewer.i18n import N_, _
from viewer.present import Field, full_json_text
from viewer.safe_text import BLOCK_LIMIT, LINE_LIMIT
from viewer.ui.accessible import readable_by_keyboard
from viewer.ui.palette import set_look
from viewer.ui.plain import keep_narrow, plain_block, plain_label, set_plain, tooltip

PLACEHOLDER = N_("Select a message to see all of its fields.")
_NO_DOCUMENT = object()  # show_fields without a document: "Copy" copies the raw view's text
REVEAL_MS = 30_000  # how long a revealed value stays readable (tests shorten it)
REVEAL_TEXT = N_("Reveal")


def _set_value(label: QLabel, field: Field, text: str) -> None:
    if field.long:
        set_plain(label, text, limit=BLOCK_LIMIT, multiline=True)
    else:
        set_plain(label, text, limit=LINE_LIMIT)


class DetailPane(QWidget):
    # A masked value was revealed (its field's label).
    revealed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.timeout.connect(self.end_reveal)
        self._revealed: tuple[QLabel, Field, str] | None = None  # the value shown unmasked now
        self.title = keep_narrow(plain_label(_(PLACEHOLDER)))
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = keep_narrow(plain_label())
        self.note.setWordWrap(True)
        set_look(self.note, tone="warn")
        self.note.hide()
        self._shown: dict[str, str] = {}
        self._document: object = _NO_DOCUMENT

        self._form_host = QWidget()
        self.form = QFormLayout(self._form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = self.fields = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._form_host)
        scroll.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus
        )  # Enter on a row lands here; arrows scroll
        scroll.setAccessibleName(_("Message fields"))

        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setAccessibleName(_("Raw JSON"))
        self.copy_button = QPushButton(_("Copy all JSON"))
        self.copy_button.setToolTip(
            _("Copy the whole document, long values in full (secrets masked)")
        )
        self.copy_button.clicked.connect(self.copy_all_json)
        self.copy_button.setEnabled(False)
        raw_box = QWidget()
        raw_layout = QVBoxLayout(raw_box)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_header = QHBoxLayout()
        raw_header.addWidget(QLabel(_("Raw JSON, as the server sent it")))
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

    def show_fields(
        self,
        title: str,
        fields: list[Field],
        raw_text: str,
        note: str = "",
        document: object = _NO_DOCUMENT,
        reveal: list[str | None] | None = None,
    ) -> None:
        """`raw_text` is the bounded raw view (present.raw_json_text); `document`, when
        given, is what "Copy all JSON" copies whole. `reveal[i]`, when given, is the
        unmasked value of masked `fields[i]` (a Reveal button shows it for a while)."""
        set_plain(self.title, title)
        self.set_note(note)
        self._reveal_timer.stop()
        self._revealed = None  # its label goes with the old rows
        while self.form.rowCount():
            self.form.removeRow(0)
        self._shown = {}
        for i, field in enumerate(fields):
            label, value = plain_label(field.label), self._value_label(field)
            real = reveal[i] if reveal is not None and i < len(reveal) else None
            name = label.text().strip()
            row = self._with_copy_button(value, field.copy, name)
            if real is not None and real != field.value:
                row = self._with_reveal_button(row, value, field, real, name)
            label.setBuddy(value)  # a screen reader names the value by its field
            self.form.addRow(label, row)
            self._shown[name] = value.text()
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
        readable_by_keyboard(value)
        if field.tooltip:
            value.setToolTip(tooltip(field.tooltip))
        return value

    @staticmethod
    def _with_copy_button(value: QLabel, copy: str, name: str) -> QWidget:
        """The value, and a button that copies `copy` (an id) whole."""
        if not copy:
            return value
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(value, 1)
        button = QToolButton()
        button.setText(_("Copy id"))
        button.setAccessibleName(_("{field}: copy id").format(field=name))  # one per field
        button.setToolTip(tooltip(_("Copy {id}").format(id=copy)))
        button.clicked.connect(lambda: QGuiApplication.clipboard().setText(copy))
        layout.addWidget(button)
        return row

    def _with_reveal_button(
        self, row: QWidget, value: QLabel, field: Field, real: str, name: str
    ) -> QWidget:
        host = QWidget()
        layout = QHBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(row, 1)
        button = QToolButton()
        button.setText(_(REVEAL_TEXT))
        button.setAccessibleName(_("Reveal {field}").format(field=name))
        button.setToolTip(
            tooltip(
                _("Show this {field} for {seconds} seconds (recorded in the access log)").format(
                    field=name.lower(), seconds=REVEAL_MS // 1000
                )
            )
        )
        button.clicked.connect(lambda: self.reveal(value, field, real, name))
        layout.addWidget(button)
        return host

    def reveal_buttons(self) -> list[QToolButton]:
        return [b for b in self._form_host.findChildren(QToolButton) if b.text() == _(REVEAL_TEXT)]

    def reveal(self, value: QLabel, field: Field, real: str, name: str) -> None:
        """Show one masked value unmasked for REVEAL_MS (one at a time)."""
        self.end_reveal()
        _set_value(value, field, real)
        self._shown[name] = value.text()
        self._revealed = (value, field, name)
        self._reveal_timer.start(REVEAL_MS)
        self.revealed.emit(name)

    def end_reveal(self) -> None:
        """The revealed value masked again."""
        self._reveal_timer.stop()
        if self._revealed is not None:
            value, field, name = self._revealed
            self._revealed = None
            _set_value(value, field, field.value)
            self._shown[name] = value.text()

    def focus_fields(self) -> None:
        self.fields.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self, message: str = "") -> None:
        self.show_fields(message or _(PLACEHOLDER), [], "")

    def copy_all_json(self) -> None:
        """The whole document, long values included: the raw view shows a bounded copy."""
        if self._document is _NO_DOCUMENT:
            text = self.raw.toPlainText()
        else:
            text = full_json_text(self._document)
        QGuiApplication.clipboard().setText(text)

    copy_raw = copy_all_json  # the older name
