"""Wait until a widget has painted: background work starts after the answer is on screen.

While Qt paints the list it calls into Python a few hundred times (rows, cells, index), and
each call needs the GIL. A worker busy in Python at that moment (saving the answer, reading
the notes for the attention strip) makes every one of those calls wait its turn: painting a
100,000-row answer took 40–75 ms instead of 15. Work that can wait a frame, waits for it.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

# A widget that does not paint (minimised, covered by another window on some systems)
# delays the work this long at most.
MOST_S = 0.3


class NextPaint(QObject):
    """`await next_paint.wait()`: returns once `widget` has painted (or at MOST_S). To wait
    for the paint of a change made now from a task that runs later, `arm()` now and pass
    what it returns to `wait` (the paint may come before the task's first step)."""

    def __init__(self, widget: QWidget):
        super().__init__(widget)
        self._widget = widget
        self._waiting: list[asyncio.Future[None]] = []

    def arm(self) -> asyncio.Future[None] | None:
        """Watch for the next paint from now on; None when the widget will not paint."""
        if not self._widget.isVisible():
            return None
        painted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not self._waiting:
            self._widget.installEventFilter(self)  # only while someone waits: no cost otherwise
        self._waiting.append(painted)
        return painted

    async def wait(self, armed: asyncio.Future[None] | None = None, most_s: float = MOST_S) -> None:
        painted = armed if armed is not None else self.arm()
        if painted is None:
            return
        try:
            await asyncio.wait({painted}, timeout=most_s)
        finally:
            if painted in self._waiting:  # timed out or cancelled before the paint
                self._waiting.remove(painted)
                if not self._waiting:
                    self._widget.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._waiting:
            # Every waiter is let go here, so one armed by a task that never ran (cancelled
            # before its first step) cannot keep the filter on the list for good.
            painted, self._waiting = self._waiting, []
            self._widget.removeEventFilter(self)
            for future in painted:
                # Resolved on the loop's next turn: after this paint has run to its end.
                future.get_loop().call_soon(_resolve, future)
        return False

    @property
    def watching(self) -> bool:
        """Whether a paint is waited for (for tests)."""
        return bool(self._waiting)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
