"""What a window shown before the rest of the program loads would gain (issue 13, P1).

    xvfb-run -a .venv/bin/python bench/start_partial.py [--runs 9]

Starts three programs in turn, --runs times each after one unmeasured start, and prints
the median time to the first shown window (packaging/measure-startup.py's clock: the X
server maps it) and its ratio to the bare window:
  the program     python -m viewer --demo, the whole window;
  top bars only   bench/floors/top_bars.py: the program's search bar, message bar, menus,
                  colours, icon and translations over an empty area, no event loop;
  bare window     bench/floors/bare_window.py, P1's floor in bench/speed_table.py.
The middle one is the most a window shown first could gain without showing a window that
is not yet the program's (a bare text field).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
from pathlib import Path

import bench_home  # noqa: F401 - first: never the agent's own folders

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    spec = importlib.util.spec_from_file_location(
        "measure_startup", ROOT / "packaging" / "measure-startup.py"
    )
    measure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(measure)
    watcher = measure.MapWatcher()
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    commands = {
        "the program": [sys.executable, "-m", "viewer", "--demo"],
        "top bars only": [sys.executable, str(ROOT / "bench" / "floors" / "top_bars.py")],
        "bare window": [sys.executable, str(ROOT / "bench" / "floors" / "bare_window.py")],
    }
    for command in commands.values():
        measure.one_start(watcher, command, env)  # warm-up
    took: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs):
        order = list(commands.items())
        for name, command in order[run % 3 :] + order[: run % 3]:  # who goes first rotates
            took[name].append(measure.one_start(watcher, command, env))
    bare = statistics.median(took["bare window"])
    for name, times in took.items():
        median = statistics.median(times)
        print(f"{name:15s} {1000 * median:5.0f} ms  {median / bare:4.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
