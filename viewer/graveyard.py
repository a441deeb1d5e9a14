"""Frees large lists of rows on a worker thread, a slice at a time.

Freeing the 100,000 rows of a large customer (each with its raw reply) is one C call that
holds the GIL for up to a second, and it happens on whichever thread drops the last
reference: the window's, when a new result replaces the old one. A list handed to `retire`
is kept here until nothing else refers to it, then emptied a slice at a time on a worker
thread, so the GIL (and the window) changes hands between slices. Rows are plain Python
objects (no Qt object dies on the wrong thread).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

# Smaller lists are freed where they are dropped: a few milliseconds.
MIN_ROWS = 20_000
SLICE = 1_000  # rows freed per step (~10 ms at most)
POLL_S = 0.5  # how often lists still in use elsewhere are looked at again

_lock = threading.Lock()
_kept: dict[int, list[Any]] = {}
_wake = threading.Event()
_worker: threading.Thread | None = None


def retire(rows: list[Any]) -> None:
    """Take a reference to `rows`, a list the caller is about to drop, and free it off this
    thread once nobody else holds it."""
    global _worker
    if len(rows) < MIN_ROWS:
        return
    with _lock:
        _kept[id(rows)] = rows
        if _worker is None:
            _worker = threading.Thread(target=_work, name="viewer-graveyard", daemon=True)
            _worker.start()
    _wake.set()


def pending() -> int:
    """Lists held and not yet freed (for tests)."""
    with _lock:
        return len(_kept)


def _work() -> None:
    while True:
        _wake.wait(POLL_S if pending() else None)
        _wake.clear()
        for rows in _unused():
            while rows:
                del rows[-SLICE:]
                time.sleep(0)  # hand the GIL over: the window may want it


def _unused() -> list[list[Any]]:
    """The kept lists nothing else refers to any more, taken out of `_kept`."""
    with _lock:
        # Two references: the dict's, and getrefcount's own argument.
        done = [key for key in _kept if sys.getrefcount(_kept[key]) <= 2]
        return [_kept.pop(key) for key in done]
