"""Search → Look up clipboard (Ctrl+Shift+V): the identifier the agent copied, looked up as
if pasted into the search field and Enter pressed (the kind chosen there, the same checks).

The clipboard can hold anything (a whole e-mail, a spreadsheet, megabytes): only its first
MAX_CLIPBOARD_CHARACTERS are read, and more than one line is a sentence, not a search.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from viewer.i18n import _

MAX_CLIPBOARD_CHARACTERS = 1000  # identifiers are at most 256; the rest is a sentence anyway
SHORTCUT = "Ctrl+Shift+V"


def install(window, menu: QMenu) -> QAction:
    """The menu entry and its shortcut (active anywhere in the window, the search field too)."""
    action = QAction(_("Look up clipboard"), window)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setToolTip(_("Look up the mobile number, e-mail address or id you copied"))
    action.triggered.connect(lambda: look_up_clipboard(window))
    menu.addAction(action)
    window.addAction(action)  # the shortcut works even while the menu bar is hidden
    return action


def look_up_clipboard(window) -> None:
    text = clipboard_identifier(QGuiApplication.clipboard().text())
    if text is None:
        window.message_bar.show_message(
            "error",
            [
                _(
                    "The clipboard holds no single identifier: copy one mobile number, "
                    "e-mail address or id, then press Ctrl+Shift+V."
                )
            ],
        )
        return
    window.search_bar.field.setText(text)
    window.start_search(text, window.search_bar.kind.currentData())


def clipboard_identifier(text: str) -> str | None:
    """The clipboard's text as one line (surrounding blank lines and spaces dropped), or None
    when it is empty or several lines. A value over the identifier limit is left for the
    search to refuse with its usual sentence."""
    text = text[:MAX_CLIPBOARD_CHARACTERS].strip()
    if not text or "\n" in text or "\r" in text:
        return None
    return text
