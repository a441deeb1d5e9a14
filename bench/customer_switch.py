"""Another customer's answer, already fetched, put on screen: the window's own share of a lookup.

    .venv/bin/python bench/customer_switch.py [--runs 5]

Looks up two demo customers in a real window (offscreen unless a display is set) and keeps
the answers the window painted. Then it paints them in turn, as the window paints a lookup's
answer (SearchController.paint), and times each from there until the list begins to paint
the new rows, with nothing else to do: no network, no saved data, no worker. It also counts
the list's paints in the 150 ms after each switch (one would be enough). Each run prints the
median of its switches.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from PySide6.QtCore import QEvent, QObject  # noqa: E402

SWITCHES_PER_RUN = 20
SETTLE_S = 0.15  # the window left alone after each switch: its late paints are counted


class ListPaints(QObject):
    """When the list's paints began."""

    def __init__(self, table) -> None:
        super().__init__(table)
        self.began: list[float] = []
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.began.append(time.perf_counter())
        return False


def main() -> int:
    import speed_table

    runs = speed_table.runs_asked(__doc__)

    medians: list[float] = []
    paints: list[int] = []

    async def measure(window) -> None:
        searches = window.searches
        states = [searches.shown]  # the typical customer, looked up before this
        await speed_table.enter_to_painted(window, speed_table.OTHER)
        states.append(searches.shown)
        await speed_table.quiet(window)
        painted = ListPaints(window.table)

        async def switch(state) -> float:
            painted.began.clear()
            start = time.perf_counter()
            searches.paint(state)
            # Read from the paints' own times: this task wakes when Qt lets the loop run,
            # which may be after a later paint too.
            await asyncio.sleep(SETTLE_S)
            if not painted.began:
                raise RuntimeError("the list never painted the other customer")
            paints.append(len(painted.began))
            return painted.began[0] - start

        for _ in range(runs):
            took = [await switch(states[n % 2]) for n in range(SWITCHES_PER_RUN)]
            medians.append(statistics.median(took))

    speed_table.with_typical_customer(measure)
    speed_table.print_runs(
        f"another customer's answer → the list painting it, median of {SWITCHES_PER_RUN} (ms):",
        medians,
    )
    print(f"the list's paints per switch: median {statistics.median(paints):g}, most {max(paints)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
