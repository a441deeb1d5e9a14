"""viewer/graveyard.py: a large list of rows the window drops is freed on the graveyard's own
thread, and only once nothing else refers to it (the rows stay usable until then)."""

from __future__ import annotations

import threading
import time
import weakref

from viewer import graveyard


class Row:
    """Stands for an Interaction: a plain object that can be watched while it is freed."""

    freed_on: set[str] = set()

    def __init__(self, n: int):
        self.n = n
        weakref.finalize(self, Row.freed_by_this_thread)

    @staticmethod
    def freed_by_this_thread() -> None:
        Row.freed_on.add(threading.current_thread().name)


def wait_until(condition, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_a_large_list_is_freed_off_the_dropping_thread_once_unused():
    Row.freed_on.clear()
    rows = [Row(n) for n in range(graveyard.MIN_ROWS)]
    still_shown = rows  # another holder, as the model and the result both hold one list
    first = weakref.ref(rows[0])
    graveyard.retire(rows)
    del rows
    time.sleep(3 * graveyard.POLL_S)
    assert first() is not None and len(still_shown) == graveyard.MIN_ROWS  # kept intact
    del still_shown  # the last other holder lets go: no row is freed on this thread
    wait_until(lambda: graveyard.pending() == 0 and first() is None)
    assert Row.freed_on == {"viewer-graveyard"}


def test_small_lists_are_left_alone():
    rows = [Row(n) for n in range(10)]
    graveyard.retire(rows)
    assert graveyard.pending() == 0 and len(rows) == 10


def test_busy_until_the_last_row_of_a_list_is_freed():
    """pending() drops as soon as the graveyard takes a list; busy() only once it is empty
    (bench/speed_table.py waits for that before timing anything)."""
    rows = [Row(n) for n in range(graveyard.MIN_ROWS)]
    first = weakref.ref(rows[0])  # freed last: a list is emptied from its end
    graveyard.retire(rows)
    del rows
    assert graveyard.busy()
    wait_until(lambda: not graveyard.busy())
    assert first() is None
