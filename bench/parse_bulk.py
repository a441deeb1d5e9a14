"""Reading Capillary's 100,000-message reply, both ways, alternately in one process.

    .venv/bin/python bench/parse_bulk.py [--runs 9]

Fetches BULK-100K's reply from the demo server once, then times, with the collector off:
  general  json_pieces.loads + parse_interaction_reply (the path for anything unusual)
  fast     parse_flat_body: msgspec straight from the bytes (viewer/sources/capillary_flat.py)
and OTP masking of the result (Masker(False).mask_result), first with no text shape known,
then with the shapes known. Prints min and median of each; checks both ways give the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from viewer import masking
from viewer.demo import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CAPILLARY_TIMEZONE,
    DEMO_CAPILLARY_USERNAME,
)
from viewer.demo.server import DemoServer
from viewer.domain import IdentifierKind, Query
from viewer.lookup import merge
from viewer.sources import json_pieces
from viewer.sources.capillary import (
    CapillaryClient,
    CapillarySettings,
    tenant_zone,
)
from viewer.sources.capillary_parse import parse_flat_body, parse_interaction_reply

BULK = Query(IdentifierKind.EXTERNAL_ID, "BULK-100K")
T = TypeVar("T")


async def reply_bytes(url: str) -> bytes:
    client = CapillaryClient(
        CapillarySettings(
            url, DEMO_CAPILLARY_USERNAME, DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_TIMEZONE
        )
    )
    result = await client.lookup(BULK)
    await client.aclose()
    return bytes(result.raw["interaction"])  # the reply as received


def timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def report(label: str, seconds: list[float]) -> None:
    print(
        f"{label:<34} min {min(seconds) * 1000:6.0f} ms   median "
        f"{statistics.median(seconds) * 1000:6.0f} ms"
    )


def one_round(body: bytes, zone: tzinfo) -> tuple[float, float, float, float]:
    """Seconds: general, fast, masking with no shape known, masking with the shapes known."""
    general_s, general = timed(lambda: parse_interaction_reply(json_pieces.loads(body), BULK, zone))
    fast_s, fast = timed(lambda: parse_flat_body(body, BULK, zone))
    assert fast is not None and fast.interactions == general.interactions  # the same rows
    result = merge(BULK, [fast], [])
    masking.forget_shapes()
    cold_s, _ = timed(lambda: masking.Masker(False).mask_result(result))
    warm_s, _ = timed(lambda: masking.Masker(False).mask_result(result))
    gc.collect()  # this round's rows, before the next round's
    return general_s, fast_s, cold_s, warm_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with DemoServer() as server:
        body = asyncio.run(reply_bytes(server.url))
    zone = tenant_zone(DEMO_CAPILLARY_TIMEZONE)
    gc.disable()
    rounds = [one_round(body, zone) for _ in range(args.runs)]
    general_s, fast_s, cold_s, warm_s = (list(column) for column in zip(*rounds, strict=True))
    print(f"BULK-100K: {len(body) / 1e6:.1f} MB, {args.runs} runs each, alternating")
    report("general (json_pieces + parse)", general_s)
    report("fast (parse_flat_body)", fast_s)
    report("OTP masking, no shape known", cold_s)
    report("OTP masking, shapes known", warm_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
