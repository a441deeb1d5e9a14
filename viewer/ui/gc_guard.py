"""Run Python's cyclic garbage collector on the GUI thread only.

The collector runs on whichever thread happens to allocate when a threshold is crossed.
Our workers (JSON decoding and parsing of large replies) allocate a lot, so a collection
often starts there; Qt objects it frees on that thread leave their timers registered
with the GUI thread's dispatcher, which then fires into freed memory (seen here as a
segfault in QTimerInfoList::activateTimers). So automatic collection is switched off and
this timer does the same work, generation by generation, on the GUI thread.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
# New objects since the last collection beyond which they are frozen, not walked: only a large
# reply being parsed allocates this many in half a second. Walking 50,000 young objects takes
# 15-20 ms of the GUI thread; at 150,000 it froze the window for 35 ms.
BURST_OBJECTS = 50_000

_searches = 0  # searches running (see collections_deferred)


@contextlib.contextmanager
def collections_deferred() -> Iterator[None]:
    """No collection while a search runs: its workers build containers of 100,000 rows
    that even the youngest generation's walk visits, holding the GIL 25-90 ms of the GUI
    thread while the answer is coming in. What is due is collected after the search."""
    global _searches
    _searches += 1
    try:
        yield
    finally:
        _searches -= 1


class GuiThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(interval_ms)

    @staticmethod
    def collect_due() -> None:
        """Collect the oldest generation whose threshold is crossed, as the automatic GC would."""
        if _searches:
            return
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] > BURST_OBJECTS:
            # A worker is building a large result (100,000 rows: over a million objects).
            # Walking them here froze the window for up to 0.8 s; they hold no reference
            # cycles, so set them aside (O(1)) and let reference counting free them.
            gc.freeze()
            return
        due = [gen for gen in range(3) if counts[gen] > thresholds[gen]]
        if due:
            gc.collect(due[-1])


LARGE_RESULT_ROWS = 20_000


def freeze_large_result(rows: int) -> None:
    """After a large result is on screen, move everything alive into the collector's
    permanent generation: a full collection would otherwise walk every row and its raw
    dict again and again (105 ms at 100,000 rows, on the GUI thread). Rows hold no
    reference cycles, so they are still freed by reference counting when replaced."""
    if rows >= LARGE_RESULT_ROWS:
        gc.freeze()
