"""Masking BULK-100K (100,002 rows) from the demo server: `python bench/mask_bulk.py`.

Prints the time `Masker(on).mask_result` takes with masked mode off (OTPs only; the same
result back when there is none) and on (every row copied and masked)."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time

os.environ.setdefault("VIEWER_CONFIG_DIR", tempfile.mkdtemp())
os.environ.setdefault("VIEWER_CACHE_DIR", tempfile.mkdtemp())

from viewer.demo import DemoServer
from viewer.domain import IdentifierKind
from viewer.identifiers import parse_query
from viewer.masking import Masker
from viewer.wiring import build_service, demo_profile, open_store


async def _bulk(url: str):
    store = open_store()
    service = build_service(demo_profile(url), store)
    states = []
    try:
        async for state in service.search(
            parse_query("BULK-100K", IdentifierKind.EXTERNAL_ID), [], supersede=False
        ):
            states.append(state)
    finally:
        await service.aclose()
        store.close()
    return states[-1].result


def main() -> None:
    with DemoServer() as server:
        result = asyncio.run(_bulk(server.url))
    print(f"{len(result.interactions):,} rows")
    for on in (False, True):
        best = min(_timed(Masker(on), result) for _ in range(3))
        print(f"mask_result, masked mode {'on' if on else 'off'}: {best:.2f} s (best of 3)")


def _timed(masker: Masker, result) -> float:
    start = time.perf_counter()
    masker.mask_result(result)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
