"""Reading a saved customer from the offline store, as every search of one already seen does.

    .venv/bin/python bench/saved_open.py [--runs 200] [--dir FOLDER]

Looks the typical demo customer up once (demo server on loopback, a real store file in a
fresh folder under --dir: put it on the disk the agents' profile folder is on), then times
the store's read of that customer in turn with and without noting when it was opened (the
`viewed_at` write that orders Recent), and prints each median and the note's share. The
note is committed without a flush to the disk (viewer/cache.py, `_touch`); other writes
are flushed, so a run that flushed it too shows what a disk's flush costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bench_home  # noqa: F401 - first: never the agent's own folders

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TYPICAL = "919845012345"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--dir", default=None, help="where the store's folder is made")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="saved-open-", dir=args.dir)
    from viewer.cache import OfflineStore
    from viewer.demo import DemoServer
    from viewer.domain import IdentifierKind, Query
    from viewer.wiring import build_service, demo_profile

    try:
        store = OfflineStore.open(Path(folder) / "saved", os.urandom(32))
        query = Query(IdentifierKind.MOBILE, TYPICAL)
        with DemoServer() as server:
            service = build_service(demo_profile(server.url), store)

            async def look_up_and_save() -> None:
                await service.lookup(query)
                await service.aclose()  # once the save is written

            asyncio.run(look_up_and_save())
        timed: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.runs):
            for touch in (True, False):
                start = time.perf_counter()
                assert store.load_lookup(service.profile_name, query, touch) is not None
                timed[touch].append(time.perf_counter() - start)
        opened, read = (statistics.median(timed[touch]) * 1000 for touch in (True, False))
        print(f"read and noted (what a search does): {opened:.3f} ms")
        print(f"read alone:                          {read:.3f} ms")
        print(f"the note (viewed_at, committed):     {opened - read:.3f} ms")
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
