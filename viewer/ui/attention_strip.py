"""The attention strip on the customer card: what needs the agent first — open Ctrl-Hub items,
flagged notes, the last failed message, the last contact (viewer/attention.py decides).
Each entry is a button; a click selects its row in the list.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QToolButton, QWidget

from viewer.attention import AttentionItem
from viewer.i18n import _
from viewer.safe_text import shown
from viewer.ui.lay_out import lay_out_now
from viewer.ui.palette import styled
from viewer.ui.plain import tooltip

# kind → symbol; resources/style.qss colours each kind (QToolButton#attentionEntry[kind=…]):
# amber for what waits on us, red for what went wrong.
KIND_SYMBOLS = {"open": "☎", "flagged": "⚑", "last_failed": "✗", "last_contact": "◷"}
ENTRY_WIDTH = 430  # px; the whole text is in the tooltip


class FlowLayout(QLayout):
    """Left to right, wrapping onto the next line: entries take the room they need."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class AttentionStrip(QWidget):
    # The key of the row the agent clicked through to.
    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Needs attention"))
        styled(self)  # its entries' rules (attentionEntry, kind): one sheet for them all
        self.flow = FlowLayout(self)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.buttons: list[QToolButton] = []  # shown, one per entry, in the entries' order
        self.entries: list[AttentionItem] = []
        # Buttons of earlier customers, hidden, by kind. A new button costs 1.5–2 ms: it is
        # created, polished against the style sheet and shown on a later turn of the loop,
        # where Qt lays the window out again for it. One taken from here is given its text.
        # A button keeps its kind, as another kind means polishing it again. attention()
        # bounds the entries, so the spares stay a dozen at most.
        self._spare: dict[str, list[QToolButton]] = {}
        self.hide()

    def show_entries(self, entries: list[AttentionItem]) -> None:
        if [(e.kind, e.text, e.key) for e in entries] == [
            (e.kind, e.text, e.key) for e in self.entries
        ]:
            return  # the same customer refreshed: nothing to redo
        focused = next((n for n, b in enumerate(self.buttons) if b.hasFocus()), None)
        for button in self.buttons:
            self.flow.removeWidget(button)
            self._spare.setdefault(str(button.property("kind")), []).append(button)
        self.buttons, self.entries = [], list(entries)
        for entry in entries:
            spare = self._spare.get(entry.kind)
            self.buttons.append(spare.pop(0) if spare else self._button(entry.kind))
        for spare in self._spare.values():
            for button in spare:
                _empty(button)  # nothing of an earlier customer kept, even out of sight
        # Hidden meanwhile, so that showing its buttons does not lay the window out each time
        # (Qt does it for every widget shown in a shown one: 2–4 ms here) ...
        self.hide()
        for button, entry in zip(self.buttons, entries, strict=True):
            self._fill(button, entry)
            self.flow.addWidget(button)
            button.raise_()  # a screen reader reads them in this order
            button.show()
        for before, after in zip(self.buttons, self.buttons[1:], strict=False):
            QWidget.setTabOrder(before, after)  # and Tab goes through them in it
        # ... and then once, now (as the strip is shown), for the window to paint the new
        # customer in place at once (viewer/ui/lay_out.py).
        if entries:
            self.show()
        else:
            lay_out_now(self.parentWidget())
        if focused is not None and focused < len(self.buttons):
            self.buttons[focused].setFocus()  # hiding the strip moved it away

    def clear(self) -> None:
        self.show_entries([])

    def texts(self) -> list[str]:
        return [entry.text for entry in self.entries]

    def _button(self, kind: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("attentionEntry")
        button.setProperty("kind", kind)  # set before the first polish: no re-polish
        button.setAutoRaise(False)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _=False, clicked=button: self._clicked(clicked))
        return button

    def _fill(self, button: QToolButton, entry: AttentionItem) -> None:
        symbol = KIND_SYMBOLS.get(entry.kind, "•")
        text = f"{symbol} {shown(entry.text)}"
        elided = button.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, ENTRY_WIDTH)
        button.setText(elided.replace("&", "&&"))  # & would be read as a keyboard mnemonic
        button.setToolTip(
            tooltip(_("{entry}\n\nClick to select this row.").format(entry=entry.text))
        )
        button.setAccessibleName(shown(entry.text))

    def _clicked(self, button: QToolButton) -> None:
        if button in self.buttons:  # a spare is hidden, and cannot be clicked
            self.chosen.emit(self.entries[self.buttons.index(button)].key)


def _empty(button: QToolButton) -> None:
    button.hide()
    button.setText("")
    button.setToolTip("")
    button.setAccessibleName("")
