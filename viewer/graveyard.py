"""Frees large lists of rows on a worker thread, a slice at a time.

Freeing the 100,000 rows of a large customer (each with its raw reply) is one C call that
holds the GIL for up to a second, and it happens on whichever thread drops the last
reference: the window's, when a new result replaces the old one. A list handed to `retire`
is kept here until nothing else refers to it, then emptied a slice at a time on a worker
thread, so the GIL (and the window) changes hands between slices. Rows are plain Python
objects (no Qt object dies on the wrong thread).

The freeing is a low-priority chore: it starts a moment after the list was dropped (the
window is painting the result that replaced it) and rests between slices. Every call Qt
makes into Python while it paints needs the GIL; a worker that is busy in Python makes each
of those calls wait, and freeing 100,000 rows flat out during the paint made the paint
three times slower (40–75 ms instead of 15).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

# Smaller lists are freed where they are dropped: a few milliseconds.
MIN_ROWS = 20_000
SLICE = 250  # rows freed per step (under half a millisecond)
REST_S = 0.002  # between steps: 100,000 rows are freed in about a second
GRACE_S = 0.25  # after a list is dropped, before its freeing starts
POLL_S = 0.5  # how often lists still in use elsewhere are looked at again

_lock = threading.Lock()
_kept: dict[int, tuple[list[Any], float]] = {}  # id → the list, when it was dropped
_freeing = 0  # lists taken out of _kept and not yet emptied
_wake = threading.Event()
_worker: threading.Thread | None = None


def retire(rows: list[Any]) -> None:
    """Take a reference to `rows`, a list the caller is about to drop, and free it off this
    thread once nobody else holds it."""
    global _worker
    if len(rows) < MIN_ROWS:
        return
    with _lock:
        _kept[id(rows)] = (rows, time.monotonic())
        if _worker is None:
            _worker = threading.Thread(target=_work, name="viewer-graveyard", daemon=True)
            _worker.start()
    _wake.set()


def pending() -> int:
    """Lists held and not yet freed (for tests)."""
    with _lock:
        return len(_kept)


def busy() -> bool:
    """Whether a list is held or still being freed (benches wait for this to be False)."""
    with _lock:
        return bool(_kept) or _freeing > 0


def _work() -> None:
    while True:
        _wake.wait(min(POLL_S, GRACE_S) if pending() else None)
        _wake.clear()
        for rows in _unused():
            while rows:
                del rows[-SLICE:]
                time.sleep(REST_S)  # the GIL is the window's meanwhile
            _freed_one()


def _freed_one() -> None:
    global _freeing
    with _lock:
        _freeing -= 1


def _unused() -> list[list[Any]]:
    """The kept lists dropped over GRACE_S ago that nothing else refers to any more, taken
    out of `_kept`."""
    global _freeing
    settled = time.monotonic() - GRACE_S
    with _lock:
        done = [  # no list is bound to a name here: that would count as one more holder
            key
            for key in list(_kept)
            if _kept[key][1] <= settled and _references(_kept, key) <= _HELD_HERE_ONLY
        ]
        _freeing += len(done)
        return [_kept.pop(key)[0] for key in done]


def _references(kept: dict[int, tuple[list[Any], float]], key: int) -> int:
    return sys.getrefcount(kept[key][0])


# What `_references` counts for a list only `_kept` holds, measured the same way rather than
# written down: how many references the interpreter itself adds differs between versions
# (3.14 borrows some), and counting one too few would free a list still on screen.
_HELD_HERE_ONLY = _references({0: ([], 0.0)}, 0)
