"""Laying the window out at once, before it paints.

When a widget's size hint changes, Qt lays out its parent on the next turn of the event loop,
and that parent's parent a turn later, and so on up to the window. The window paints in
between: a new customer's list was painted once where the last customer's card and tabs left
it, then moved a frame later. Qt lays out all the way up at once only when a widget is shown.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def lay_out_now(widget: QWidget | None) -> None:
    """Lay out `widget` and each one around it up to the window, at once, as Qt does when a
    widget is shown. A layout with nothing changed returns at once."""
    while widget is not None and widget.isVisible():
        layout = widget.layout()
        if layout is not None:
            layout.activate()
        widget = widget.parentWidget()
