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
    """A word-wrapped label that remembers its height for each width asked until its text,
    font or style changes.

    A label the agent can select text in has a text document, and QLabel lays that document
    out twice each time a layout asks its height for a width (at that width, then back).
    Layouts ask often: showing another customer asked the card's and the message bar's
    labels 27 times, 2.4 ms of the switch here; remembered, 8 times, 1.1 ms. Set what else
    shapes the text (selectable or not, margins, indent) before the label is first laid out.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self._heights: dict[int, int] = {}
        self._heights_text = ""

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
