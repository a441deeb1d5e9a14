"""One step through the list with J or K: the key pressed → the next message's detail painted.

    .venv/bin/python bench/row_step.py [--runs 5]

Looks the demo's typical customer up in a real window (offscreen), puts the focus on the list
and steps through its first rows, down with J and back up with K, as an agent reads a
customer's history. Each step is timed from the key press until the detail pane has painted
the newly selected message; each run prints the median of its steps.
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

from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

STEPS_PER_RUN = 40
ROWS_WALKED = 10  # down this many rows, back up, again


class PaintTime(QObject):
    """When a widget inside `area` last began to paint (a paint runs to its end before the
    loop goes on). Installed on the application: a label that changes repaints itself, not
    necessarily the scroll area it sits in."""

    def __init__(self, area) -> None:
        super().__init__(area)
        self.at = 0.0
        self._area = area
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and self._area.isAncestorOf(watched)
        ):
            self.at = time.perf_counter()
        return False


def main() -> int:
    import speed_table

    runs = speed_table.runs_asked(__doc__)

    medians: list[float] = []

    async def measure(window) -> None:
        painted = PaintTime(window.detail.fields)  # the pane's fields

        async def step(key: Qt.Key) -> float:
            start = time.perf_counter()
            QTest.keyClick(window.table, key)  # the detail is filled in this call
            deadline = start + 5
            while painted.at < start:
                if time.perf_counter() > deadline:
                    raise RuntimeError("the detail pane never painted the step")
                await asyncio.sleep(0.0005)
            return time.perf_counter() - start

        window.table.setFocus()
        window.select_row(0)
        await asyncio.sleep(0.2)
        for _ in range(runs):
            took = []
            for n in range(STEPS_PER_RUN):
                down = (n // ROWS_WALKED) % 2 == 0
                took.append(await step(Qt.Key.Key_J if down else Qt.Key.Key_K))
                await asyncio.sleep(0.03)  # a key repeat's pace, not flat out
            medians.append(statistics.median(took))

    speed_table.with_typical_customer(measure)
    speed_table.print_runs(
        f"J/K step → detail painted, typical customer, median of {STEPS_PER_RUN} steps (ms):",
        medians,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
