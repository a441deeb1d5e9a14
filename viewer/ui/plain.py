"""Server, config and user text put into widgets as text, never as HTML (DESIGN.md).

Qt guesses: a QLabel on automatic format, a tooltip, a QMessageBox render anything that
looks like a tag (`Qt::mightBeRichText`) as HTML — a link that says "sign in here", a local
or network image (on Windows `//host/share` opens an SMB connection that leaks the agent's
NTLM hash), a 30,000 px table. So labels are switched to plain text, and tooltips (which
have no such switch) are always rich text with the content escaped. Every string also
goes through `safe_text.shown` first: bounded, bidi and control characters made visible.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from viewer.safe_text import BLOCK_LIMIT, LINE_LIMIT, shown

# A tooltip is read in a glance: more than this is for the detail pane or "Copy".
TOOLTIP_LIMIT = 1_000
# Widths a WrappingLabel remembers its height for (a layout pass asks one or two).
HEIGHTS_KEPT = 8


class WrappingLabel(QLabel):
    """A word-wrapped label that remembers its height for each width asked until something
    its height depends on changes.

    A label the agent can select text in has a text document, and QLabel lays that document
    out twice each time a layout asks its height for a width (at that width, then back).
    Layouts ask often: showing another customer asked the card's and the message bar's
    labels 27 times, 2.4 ms of the switch here; remembered, 8 times, 1.1 ms. The heights
    are kept for one text, and forgotten at a font or style change (changeEvent) and by
    each setter of what else shapes the text (_SHAPING: margins, alignment, size limits…).
    Asking those getters each time instead cost ~13 µs an ask: as much as it saved.
    """

    def __init__(self) -> None:
        super().__init__()
        self._heights: dict[int, int] = {}
        self._heights_text = ""
        self.setWordWrap(True)

    def heightForWidth(self, width: int) -> int:
        text = self.text()
        if text != self._heights_text:
            self._heights_text, self._heights = text, {}
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) >= HEIGHTS_KEPT:
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _RESHAPING:
            self._heights.clear()
        super().changeEvent(event)


_RESHAPING = frozenset(
    {QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.ContentsRectChange}
)
# QLabel's setters that change its height for a width without changing its text, font or
# style. clear() is one: Qt gives a cleared label no height for a width, unlike "" set.
_SHAPING = (
    "clear",
    "setText",
    "setMargin",
    "setIndent",
    "setAlignment",
    "setWordWrap",
    "setTextFormat",
    "setTextInteractionFlags",
    "setMinimumWidth",
    "setMinimumHeight",
    "setMinimumSize",
    "setMaximumWidth",
    "setMaximumHeight",
    "setMaximumSize",
    "setFixedWidth",
    "setFixedHeight",
    "setFixedSize",
)


def _forgetting_heights(name: str):
    qt_setter = getattr(QLabel, name)

    def setter(self: WrappingLabel, *args) -> None:
        self._heights.clear()
        qt_setter(self, *args)

    setter.__name__ = setter.__qualname__ = name
    return setter


for _name in _SHAPING:
    setattr(WrappingLabel, _name, _forgetting_heights(_name))


def plain_label(
    text: object = "", *, limit: int = LINE_LIMIT, multiline: bool = False, wrap: bool = False
) -> QLabel:
    """A QLabel that shows `text` as plain, visible, bounded characters; `wrap`: word-wrapped
    (a WrappingLabel)."""
    label = WrappingLabel() if wrap else QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_plain(label, text, limit=limit, multiline=multiline)
    return label


def set_plain(
    label: QLabel, text: object, *, limit: int = LINE_LIMIT, multiline: bool = False
) -> None:
    """Put `text` on `label` as plain text (the label is switched to plain if it was not)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(shown(text, limit, multiline=multiline))


def plain_block(label: QLabel, text: object) -> None:
    """Several lines (a message and its details, notes): newlines kept, bounded longer."""
    set_plain(label, text, limit=BLOCK_LIMIT, multiline=True)


def tooltip(text: object, limit: int = TOOLTIP_LIMIT) -> str:
    """A tooltip that shows `text` literally. Qt decides per string whether a tooltip is
    rich text, so it is always rich, with every character of the content escaped; and
    white-space is kept as typed (lines stay lines). "" stays "" (no tooltip)."""
    text = shown(text, limit, multiline=True)
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def keep_narrow(label: QLabel) -> QLabel:
    """A label whose text may be one long word (a 500-character name) must not make the
    window wider: its width comes from the layout, never from its text."""
    policy = label.sizePolicy()  # keeps height-for-width, which word wrap set
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    return label
