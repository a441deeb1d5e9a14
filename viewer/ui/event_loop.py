"""The asyncio loop on Qt's: qasync's, except that a cancelled callback's timer goes at once.

qasync gives every `call_later` (so every `call_soon`, `call_at`, sleep and timeout) a Qt
timer of its own, and cancelling the callback leaves that timer running: when it comes due,
Qt calls into Python only to find nothing to do. httpx puts a timeout on every read of a
reply, 30 s, and cancels it when the read is done. A 23 MB reply is read in ~350 pieces, so
30 s after a large lookup ~350 dead timers came due at once, each a call into Python. With a
worker holding the GIL (another large customer opening), that burst froze the window 40–90 ms.
Here a callback's timer is killed when the callback is cancelled.

What qasync's own timers did besides, this does too: callbacks run in the order they were
scheduled, and none runs once the loop is closed. What it does not: asyncio's debug mode
(`PYTHONASYNCIODEBUG`) no longer logs callbacks that ran slowly; the program never turns it on.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QObject, QTimerEvent


class _Timers(QObject):
    """One Qt timer per callback waiting to run; each is killed when it fires or when its
    callback is cancelled."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting: dict[int, _TimedHandle] = {}
        self.closed = False  # the loop is closed: what is still due never runs

    def start(self, handle: _TimedHandle, delay: float) -> int:
        timer_id = self.startTimer(int(max(0.0, delay) * 1000))  # as qasync rounds it
        if timer_id == 0:  # Qt refused: off the GUI thread, or the loop is gone
            raise RuntimeError("Qt could not start a timer for an asyncio callback")
        self._waiting[timer_id] = handle
        return timer_id

    def stop(self, timer_id: int, handle: _TimedHandle) -> None:
        # Only `handle`'s own timer: Qt hands a freed timer id out again (after 128 others,
        # in Qt 6.11), and a stale id must not stop somebody else's callback.
        if self._waiting.get(timer_id) is handle:
            del self._waiting[timer_id]
            self.killTimer(timer_id)

    def stop_all(self) -> None:
        self.closed = True
        for timer_id in self._waiting:
            self.killTimer(timer_id)
        self._waiting.clear()

    def waiting(self) -> int:
        """Timers still running (for tests)."""
        return len(self._waiting)

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        self.killTimer(timer_id)  # before the callback runs: it may start timers of its own
        handle = self._waiting.pop(timer_id, None)
        if handle is None:
            return
        handle._timer_id = 0  # it has no timer now: a late cancel() stops nothing
        if not handle.cancelled() and not self.closed:
            handle._run()


class _TimedHandle(asyncio.Handle):
    """A callback on a Qt timer that stops the timer when the callback is cancelled."""

    __slots__ = ("_timers", "_timer_id")

    def __init__(
        self,
        callback: Callable[..., Any],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context | None,
        timers: _Timers,
    ) -> None:
        super().__init__(callback, args, loop, context=context)
        self._timers = timers
        self._timer_id = 0

    def cancel(self) -> None:
        if not self.cancelled() and self._timer_id:
            self._timers.stop(self._timer_id, self)
        super().cancel()


class ViewerEventLoop(qasync.QEventLoop):
    """qasync's loop with the timers above. `call_soon` and `call_at` come through
    `call_later` in qasync."""

    def __init__(self, app: QObject) -> None:
        self._timers = _Timers()
        super().__init__(app)

    def call_later(
        self,
        delay: float,
        callback: Callable[..., Any],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = _TimedHandle(callback, args, self, context, self._timers)
        handle._timer_id = self._timers.start(handle, delay)
        return handle

    def close(self) -> None:
        super().close()
        self._timers.stop_all()

    def timers_waiting(self) -> int:
        """Callbacks whose Qt timer still runs (for tests)."""
        return self._timers.waiting()
