"""Does memory come back when the same large customer is opened again and again?

    .venv/bin/python bench/memory_drift.py [--searches 10] [--offline]

Opens BULK-100K (100,000 messages) in the real window N times in a row, live from the demo
server on loopback (or, with --offline, from the saved copy), and prints after each search
(once the background save and the freeing of the previous rows are over): Enter → painted,
the process's anonymous RSS, and the blocks Python has allocated. Flat blocks with a growing
RSS point below Python (the C allocator, a library); growing blocks point at objects kept.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The timing helpers of the speed table (Enter → the list painted the answer).
_spec = importlib.util.spec_from_file_location("speed_table", ROOT / "bench" / "speed_table.py")
speed_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(speed_table)

SETTLE_S = 1.5  # after a search: the previous rows are freed on the graveyard's thread


def anonymous_rss_mb() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("RssAnon"))
    return int(line.split()[1]) // 1024


async def searches(window, count: int, offline: bool) -> None:
    await speed_table.enter_to_painted(window, speed_table.BULK)  # saved once, for --offline
    window.set_offline(offline)
    print(f"{'search':>6}  {'Enter → painted':>15}  {'RSS (anon)':>10}  {'Python blocks':>13}")
    for number in range(1, count + 1):
        while window.service._saving:
            await asyncio.sleep(0.05)
        took = await speed_table.enter_to_painted(window, speed_table.BULK)
        while window.service._saving:
            await asyncio.sleep(0.05)
        await asyncio.sleep(SETTLE_S)
        print(
            f"{number:>6}  {took * 1000:>12,.0f} ms  {anonymous_rss_mb():>7,} MB"
            f"  {sys.getallocatedblocks():>13,}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--searches", type=int, default=10)
    parser.add_argument("--offline", action="store_true", help="open the saved copy instead")
    args = parser.parse_args()

    from viewer.app import make_application, make_loop, make_window
    from viewer.cache import OfflineStore
    from viewer.demo import DemoServer
    from viewer.wiring import demo_profile

    app = make_application()
    loop = make_loop(app)
    with tempfile.TemporaryDirectory() as home, DemoServer() as server:
        store = OfflineStore.open(Path(home) / "saved", os.urandom(32))
        window = make_window(demo_profile(server.url))
        window.service.store, window.service.profile_name = store, "bench"
        window.show()
        with loop:
            loop.run_until_complete(searches(window, args.searches, args.offline))
            loop.run_until_complete(window.shutdown())
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
