"""Time from Enter in the search field to the rows painted, on the demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/lookup_to_paint.py [--runs 10]

Each run types the identifier, presses Enter, waits for the result, then forces the
table's viewport to paint (synchronously) and stops the clock. The demo server runs in
the same process on loopback, so the figure includes HTTP, JSON decoding, parsing,
merging, the model reset and the first paint — everything but a real WAN.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
import bench_home  # noqa: F401 - first: never the agent's own folders
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from viewer.app import make_loop, make_window
from viewer.cache import OfflineStore
from viewer.demo import DemoServer
from viewer.wiring import demo_profile

# Also measures the same searches answered from the offline store ("Work offline").
CASES = {
    "typical customer (Priya Sharma, ~60 messages)": "919845012345",
    "100,000-message customer (BULK-100K)": "BULK-100K",
}


async def one_run(window, identifier: str) -> float:
    while window.service._saving:  # the previous run's background save (not timed)
        await asyncio.sleep(0.05)
    done = asyncio.get_running_loop().create_future()

    # Online, a customer seen before paints from saved data first: wait for the live answer.
    want_saved = window.service.offline

    def finished(*_):
        state = window.searches.state  # the last state: every source has answered
        if (
            not done.done()
            and state is not None
            and state.final
            and window.result is not None
            and window.result.from_cache == want_saved
        ):
            done.set_result(None)

    def failed(*_):
        if not done.done():
            done.set_exception(RuntimeError(window.message_bar.text.text()))

    window.result_shown.connect(finished)
    window.search_failed.connect(failed)
    window.search_bar.field.setText(identifier)
    start = time.perf_counter()
    QTest.keyClick(window.search_bar.field, Qt.Key.Key_Return)
    await done
    window.table.viewport().repaint()
    took = time.perf_counter() - start
    window.result_shown.disconnect(finished)
    window.search_failed.disconnect(failed)
    return took


async def bench(window, runs: int) -> None:
    for label, identifier in CASES.items():
        window.set_offline(False)
        first = await one_run(window, identifier)  # the demo server builds big replies once
        times = [await one_run(window, identifier) for _ in range(runs)]
        rows = window.model.rowCount()
        print(
            f"{label}: {rows:,} rows; first {first * 1000:.0f} ms; then median "
            f"{statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f}, "
            f"max {max(times) * 1000:.0f} over {runs} runs"
        )
        print(f"  switching tabs: {tab_switches(window)}")
        while window.service._saving:  # the live answer is being saved in the background
            await asyncio.sleep(0.05)
        window.set_offline(True)  # from the saved data only: decrypt, decompress, parse, paint
        saved = [await one_run(window, identifier) for _ in range(runs)]
        print(
            f"  from saved data: median {statistics.median(saved) * 1000:.0f} ms, "
            f"min {min(saved) * 1000:.0f}, max {max(saved) * 1000:.0f} over {runs} runs "
            f"({window.model.rowCount():,} rows, from_cache={window.result.from_cache})"
        )


def tab_switches(window) -> str:
    """Click through every channel tab and back to All; the slowest switch, painted."""
    slowest, name = 0.0, ""
    for index in [*range(1, window.tabs.count()), 0]:
        start = time.perf_counter()
        window.tabs.setCurrentIndex(index)
        window.table.viewport().repaint()
        took = time.perf_counter() - start
        if took > slowest:
            slowest, name = took, window.tabs.tabText(index)
    return f"slowest {slowest * 1000:.0f} ms ({name})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    loop = make_loop(app)
    with DemoServer() as server, tempfile.TemporaryDirectory() as folder:
        store = OfflineStore.open(Path(folder), os.urandom(32))  # a throw-away encrypted store
        window = make_window(demo_profile(server.url))
        window.service.store, window.service.profile_name = store, "bench"
        window.show()
        with loop:
            loop.run_until_complete(bench(window, args.runs))
            loop.run_until_complete(window.shutdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
