"""How long one paint of the list takes with a typical customer on screen (issue 13, P2/P4).

    xvfb-run -a .venv/bin/python bench/list_paint.py [--runs 5]

Looks the demo's typical customer up in a real window, then repaints the list's viewport
40 times per run and prints each run's median; then the same with the list given its rows
again before each paint (as after a lookup: the model then knows none of their texts).
Every answer the agent waits for ends with this paint, and so does every scroll and tab
switch: it is most of what P2 and P4 (typical) cost above their floor in
bench/speed_table.py.

Then what that paint is made of, the same rows painted three ways in turn:
  all of it     as the window paints them (Qt draws the status and source columns'
                pictures, which the model hands it);
  no pictures   those two columns given a Python delegate that paints nothing;
  Qt alone      the same texts from Qt's own QStandardItemModel, the two picture columns
                empty: no call into Python at all.
"all of it" less "no pictures" is drawing the pictures, less a call into Python for each
picture cell; "no pictures" less "Qt alone" is the calls from Qt into Python themselves
(the model's for each text cell, the delegate's for each picture cell). (The list is
given another model to paint "Qt alone": the window is not usable after this bench.)
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
    parts: dict[str, list[float]] = {}
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
        await paint_parts(window, runs, parts)

    speed_table.with_typical_customer(measure)
    title = f"typical customer ({rows} rows), median per run (ms)"
    speed_table.print_runs(f"list repaint, {title}:", repaints, 2)
    speed_table.print_runs(f"the same rows given again, then painted, {title}:", refills, 2)
    print("what a repaint is made of, median per run (ms):")
    for name, medians in parts.items():
        print(f"  {name:<12}" + "  ".join(f"{1000 * m:.2f}" for m in medians))
    return 0


async def paint_parts(window, runs: int, parts: dict[str, list[float]]) -> None:
    """The list repainted as the window paints it, with its picture columns painting
    nothing, and with Qt's own model holding the same texts (see the docstring), in turn."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QStyledItemDelegate

    from viewer.ui.interactions_model import COLUMNS, SOURCE, STATUS

    class Blank(QStyledItemDelegate):
        def paint(self, painter, option, index) -> None:
            pass

    table, model = window.table, window.model
    columns = range(len(COLUMNS))
    hidden = [table.isColumnHidden(column) for column in columns]
    widths = [table.columnWidth(column) for column in columns]
    model.warm(0, model.rowCount() - 1)
    texts = QStandardItemModel(model.rowCount(), len(COLUMNS))
    for row in range(model.rowCount()):
        for column in columns:
            if column not in (STATUS, SOURCE):
                text = model.index(row, column).data()
                texts.setItem(row, column, QStandardItem(text))
    blank = Blank(table)

    def show(shown_model, delegate) -> None:
        """`delegate` for the picture columns (None: the list's own, Qt's)."""
        if table.model() is not shown_model:
            table.setModel(shown_model)  # the header forgets its columns: given back
            for column in columns:
                table.setColumnHidden(column, hidden[column])
                table.setColumnWidth(column, widths[column])
        for column in (STATUS, SOURCE):
            table.setItemDelegateForColumn(column, delegate)

    ways = {"all of it": (model, None), "no pictures": (model, blank), "Qt alone": (texts, None)}
    for _ in range(runs):
        for name, (shown_model, delegate) in ways.items():
            show(shown_model, delegate)
            await asyncio.sleep(0.05)
            took = []
            for _ in range(PAINTS_PER_RUN):
                start = time.perf_counter()
                table.viewport().repaint()
                took.append(time.perf_counter() - start)
            parts.setdefault(name, []).append(statistics.median(took))
    show(model, None)


if __name__ == "__main__":
    sys.exit(main())
