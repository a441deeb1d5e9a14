"""How long one paint of the list takes with a typical customer on screen (issue 13, P2/P4).

    xvfb-run -a .venv/bin/python bench/list_paint.py [--runs 5]

Looks the demo's typical customer up in a real window, then repaints the list's viewport
40 times per run and prints each run's median; then the same with the list given its rows
again before each paint (as after a lookup: the model then knows none of their texts).
Every answer the agent waits for ends with this paint, and so does every scroll and tab
switch: it is most of what P2 and P4 (typical) cost above their floor in
bench/speed_table.py.
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

PAINTS_PER_RUN = 40


def main() -> int:
    import speed_table

    runs = speed_table.runs_asked(__doc__)

    repaints: list[float] = []
    refills: list[float] = []
    rows = 0

    async def measure(window) -> None:
        nonlocal rows
        model, viewport = window.model, window.table.viewport()
        rows = model.rowCount()
        given = model.shown_interactions()
        for _ in range(runs):
            for medians, refill in ((repaints, False), (refills, True)):
                took = []
                for _ in range(PAINTS_PER_RUN):
                    start = time.perf_counter()
                    if refill:  # as after a lookup: every cell's text is new to the model
                        model.set_interactions(list(given))
                    viewport.repaint()
                    took.append(time.perf_counter() - start)
                medians.append(statistics.median(took))
                await asyncio.sleep(0.05)

    speed_table.with_typical_customer(measure)
    title = f"typical customer ({rows} rows), median per run (ms)"
    speed_table.print_runs(f"list repaint, {title}:", repaints, 2)
    speed_table.print_runs(f"the same rows given again, then painted, {title}:", refills, 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
