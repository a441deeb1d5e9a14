"""Per-keystroke cost of the window's filter bar over the 100,000-message customer.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/window_filter.py [--rounds 3]

Opens the real window on the demo server, searches BULK-100K, lets the filter's index be
built (in its worker, as Ctrl+F does), then "types" into the filter field. Each keystroke is
timed from the text change to the list and the tabs repainted: the index lookup, channel
intersection, tab counts, model reset and the paint of the visible rows. bench/
filter_keystroke.py times the index lookup alone. Goal (DESIGN.md): ≤ 30 ms.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
for name in ("VIEWER_CONFIG_DIR", "VIEWER_CACHE_DIR", "VIEWER_LOG_DIR"):  # never the user's own
    os.environ.setdefault(name, tempfile.mkdtemp(prefix="viewer-bench-"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from viewer.app import make_loop, make_window  # noqa: E402
from viewer.demo import DemoServer  # noqa: E402
from viewer.wiring import demo_profile  # noqa: E402

GOAL_MS = 30.0


def typed(word: str) -> list[str]:
    grow = [word[:n] for n in range(1, len(word) + 1)]
    return grow + grow[-2::-1] + [""]


async def measure(window, rounds: int) -> dict[str, list[float]]:
    shown = asyncio.get_running_loop().create_future()
    window.search_finished.connect(lambda msg: shown.done() or shown.set_result(msg))
    window.search_bar.field.setText("BULK-100K")
    window.search_bar.field.returnPressed.emit()
    await asyncio.wait_for(shown, 120)
    await asyncio.sleep(1.0)  # the saved copy is written in the background
    bar, view = window.view.filter_bar, window.view
    started = time.perf_counter()
    bar.focus()
    while not view._index_ready():
        await asyncio.sleep(0.01)
    print(f"index ready in its worker after {(time.perf_counter() - started) * 1000:.0f} ms")

    def keystrokes(label: str, words: list[str]) -> list[float]:
        timings = []
        for _ in range(rounds):
            for text in words:
                begin = time.perf_counter()
                bar.text.setText(text)
                window.table.viewport().repaint()
                window.tabs.repaint()
                timings.append((time.perf_counter() - begin) * 1000)
        return timings

    results = {
        "All + 'otp'": keystrokes("otp", typed("otp")),
        "All + 'your order'": keystrokes("your order", typed("your order")),
    }
    bar.set_status("problems")
    results["Problems + 'otp'"] = keystrokes("otp", typed("otp"))
    bar.set_status("all")
    window.select_channel("sms")
    results["SMS tab + 'delivered'"] = keystrokes("delivered", typed("delivered"))
    bar.set_period("30d")
    results["SMS tab, 30 days + 'points'"] = keystrokes("points", typed("points"))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = make_loop(app)
    with DemoServer() as server:
        window = make_window(demo_profile(server.url))
        window.resize(1360, 820)
        window.show()
        with loop:
            results = loop.run_until_complete(measure(window, args.rounds))
            loop.run_until_complete(window.shutdown())
    every = [t for timings in results.values() for t in timings]
    for label, timings in results.items():
        print(
            f"  {label:30} median {statistics.median(timings):5.1f} ms  worst {max(timings):5.1f} ms"
        )
    print(
        f"per keystroke over {len(every)} keystrokes: median {statistics.median(every):.1f} ms, "
        f"worst {max(every):.1f} ms (goal ≤ {GOAL_MS:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
