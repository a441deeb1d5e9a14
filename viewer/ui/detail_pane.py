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


def _offer(button: QToolButton, name: str, words: str) -> None:
    button.setAccessibleName(name)
    button.setToolTip(tooltip(words))
    button.show()


def _withdraw(button: QToolButton) -> None:
    """Hidden, and with no words of the field it was for (an id in a tooltip)."""
    button.hide()
    button.setAccessibleName("")
    button.setToolTip("")


class _FieldRow:
    """One row of the form: the field's name, its value, "Copy id" and "Reveal" buttons.

    A row is made once and filled again for each message shown: selecting a message made
    every row anew (a label with its own text document, buttons, their polish and layout),
    and a step through the list with J/K, key to detail painted, took twice as long
    (bench/row_step.py: 22–30 ms, now 10–15 ms here)."""

    def __init__(self, pane: DetailPane) -> None:
        self.field: Field | None = None
        self.name = ""
        self.real: str | None = None  # the unmasked value a Reveal shows, if masked
        self.label = plain_label()
        self.value = plain_label(wrap=True)
        readable_by_keyboard(self.value)
        self.label.setBuddy(self.value)  # a screen reader names the value by its field
        self.copy_button = QToolButton()
        self.copy_button.setText(_("Copy id"))
        self.copy_button.clicked.connect(self._copy_id)
        self.reveal_button = QToolButton()
        self.reveal_button.setText(_(REVEAL_TEXT))
        self.reveal_button.clicked.connect(lambda: self._reveal(pane))
        self.host = QWidget()
        layout = QHBoxLayout(self.host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.value, 1)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.reveal_button)

    def _copy_id(self) -> None:
        if self.field is not None:
            QGuiApplication.clipboard().setText(self.field.copy)

    def _reveal(self, pane: DetailPane) -> None:
        if self.field is not None and self.real is not None:
            pane.reveal(self.value, self.field, self.real, self.name)

    def focus_chain(self) -> list[QWidget]:
        """What Tab visits in this row, in order."""
        return [self.value, self.copy_button, self.reveal_button]

    def show(self, field: Field, real: str | None) -> None:
        """`field`, with a Reveal button when `real` (its unmasked value) is given."""
        self.field, self.real = field, real
        set_plain(self.label, field.label)
        self.name = self.label.text().strip()
        _set_value(self.value, field, field.value)
        self.value.setToolTip(tooltip(field.tooltip))
        if field.copy:
            name = _("{field}: copy id").format(field=self.name)
            _offer(self.copy_button, name, _("Copy {id}").format(id=field.copy))
        else:
            _withdraw(self.copy_button)
        if real is not None:
            words = _("Show this {field} for {seconds} seconds (recorded in the access log)")
            words = words.format(field=self.name.lower(), seconds=REVEAL_MS // 1000)
            _offer(self.reveal_button, _("Reveal {field}").format(field=self.name), words)
        else:
            _withdraw(self.reveal_button)

    def clear(self) -> None:
        self.field, self.real, self.name = None, None, ""
        self.label.clear()
        self.value.clear()
        self.value.setToolTip("")
        _withdraw(self.copy_button)
        _withdraw(self.reveal_button)


class _FormHost(QWidget):
    """The widget the fields' form lays out, inside the pane's scroll area.

    Laid out anew at each new size: QFormLayout can place its rows with heights it worked
    out for another width. It remembers a height for its preferred width and one for the
    last other width asked, but keeps one table of row heights for both, and reuses them
    when a width comes back; the scroll area asks two widths (with and without its scroll
    bar) before it picks one. A three-line address was drawn as two: in a narrow pane in
    masked mode, and at 1,200–1,400 px for one of Oliver's messages. One more layout of the
    form per resize, about one per J/K step, costs no time row_step can see."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)  # the form has laid its rows out by now, maybe wrongly
        form = self.layout()
        if form is not None:
            form.invalidate()  # its remembered heights and its table of row heights
            form.activate()  # laid out again now, before anything paints


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
        self._rows: list[_FieldRow] = []  # the form's rows, kept for the next message

        self._form_host = _FormHost()
        self.form = QFormLayout(self._form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A row too wide for the pane puts its value under its name. Kept side by side, every
        # row was as wide as the widest name plus the widest value that cannot wrap (an
        # e-mail address and its Reveal button): in masked mode, even at 1,100 px, the
        # Reveal buttons were cut off behind a sideways scroll bar.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
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
        self.end_reveal()  # masked again before its row shows another field
        self._shown = {}
        for position, field in enumerate(fields):
            if position == len(self._rows):
                self._add_row()
            real = reveal[position] if reveal is not None and position < len(reveal) else None
            row = self._rows[position]
            row.show(field, real if real != field.value else None)
            self.form.setRowVisible(position, True)
            self._shown[row.name] = row.value.text()
        for position in range(len(fields), len(self._rows)):
            self._rows[position].clear()  # no message's value kept in a hidden row
            self.form.setRowVisible(position, False)
        self.raw.setPlainText(raw_text)
        self._document = document
        self.copy_button.setEnabled(bool(raw_text))

    def _add_row(self) -> None:
        """One more row, last in the form and, for Tab, right after the row before it (the
        first right after the fields' area): a row made after other widgets of the window
        would otherwise come after them, away from its neighbours."""
        row = _FieldRow(self)
        self.form.addRow(row.label, row.host)
        before = self._rows[-1].focus_chain()[-1] if self._rows else self.fields
        for widget in row.focus_chain():
            QWidget.setTabOrder(before, widget)
            before = widget
        self._rows.append(row)

    def set_note(self, note: str) -> None:
        plain_block(self.note, note)
        self.note.setVisible(bool(note))

    def reveal_buttons(self) -> list[QToolButton]:
        """The Reveal buttons of the fields shown now."""
        return [row.reveal_button for row in self._rows if row.real is not None]

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
