"""A typical lookup with the server some way off, as agents' servers are (issue 13, P2).

    xvfb-run -a .venv/bin/python bench/remote_lookup.py [--runs 5] [--delay 0.04]

bench/speed_table.py's P2 runs the demo server in the bench's process, without delay: its
answer is there within ~20 ms, so what the window does meanwhile (greying the customer on
screen) and how soon the requests leave hardly show. Here the demo server waits `--delay`
seconds before each reply (its delay fault, as a far server would), and each run times
Enter → painted for the typical customer twice: with another customer on screen (greyed
while the search is under way), and again (the same customer: nothing greyed). Prints each
run's medians of 12 lookups.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LOOKUPS_PER_RUN = 12


def main() -> int:
    import speed_table

    from viewer.app import make_application, make_loop, make_window
    from viewer.demo import DemoServer
    from viewer.wiring import demo_profile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.04, help="seconds before each reply")
    args = parser.parse_args()

    other: list[float] = []
    same: list[float] = []

    async def lookup(window, identifier: str) -> float:
        took = await speed_table.enter_to_painted(window, identifier)
        await speed_table.quiet(window)
        await asyncio.sleep(0.1)
        return took

    async def measure(window) -> None:
        await asyncio.sleep(0.5)
        await lookup(window, speed_table.TYPICAL)
        for _ in range(args.runs):
            others, sames = [], []
            for _ in range(LOOKUPS_PER_RUN):
                await lookup(window, speed_table.OTHER)
                others.append(await lookup(window, speed_table.TYPICAL))
                sames.append(await lookup(window, speed_table.TYPICAL))
            other.append(statistics.median(others))
            same.append(statistics.median(sames))

    app = make_application()
    loop = make_loop(app)
    with DemoServer() as server:
        window = make_window(demo_profile(f"{server.url}/fault/delay/{args.delay:g}"))
        window.show()
        with loop:
            loop.run_until_complete(measure(window))
            loop.run_until_complete(window.shutdown())
    title = f"server {args.delay * 1000:.0f} ms away, typical customer, Enter → painted"
    speed_table.print_runs(f"{title}, another customer on screen (ms):", other)
    speed_table.print_runs(f"{title}, the same customer again (ms):", same)
    return 0


if __name__ == "__main__":
    sys.exit(main())
