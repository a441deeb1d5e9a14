"""A reply of millions of tiny items ("{},"): the memory and time it costs to read.

    .venv/bin/python bench/tiny_items.py [--megabytes 12 40] [--parse 1900000 4100000]

A hostile or broken server may fill the 40 MB a reply is allowed with items too small to be
messages. Each case runs in a fresh process, so its peak RSS is its own:
  decode  json_pieces.loads of a flat reply whose one message list is N MB of "{},"
          (the general path keeps json_pieces.ITEMS_KEPT items of a list, and counts the rest)
  parse   Capillary's whole reading of a reply of N such items, whichever path it takes
Prints the peak RSS above the process's start, the time, and what the agent is told.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def body_of(items: int) -> bytearray:
    """Built a megabyte at a time: joining whole copies would set the peak RSS itself."""
    body = bytearray(b'{"name":"X","interaction":[{"name":"sms","count":1,"messageList":[')
    piece, left = b"{}," * 350_000, items - 1
    while left:
        body += piece[: 3 * min(left, 350_000)]
        left -= min(left, 350_000)
    body += b"{}]}]}"
    return body


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(kind: str, size: int) -> dict[str, object]:
    from zoneinfo import ZoneInfo

    from viewer.domain import IdentifierKind, Query
    from viewer.sources import capillary_parse, json_pieces

    body = body_of(size * 1024 * 1024 // 3 if kind == "decode" else size)
    start, began = peak_mb(), time.perf_counter()
    if kind == "decode":
        messages = json_pieces.loads(body)["interaction"][0]["messageList"]
        told = f"{json_pieces.length_of(messages):,} items, {len(messages):,} kept"
    else:
        query, zone = Query(IdentifierKind.MOBILE, "919845012345"), ZoneInfo("Asia/Kolkata")
        result = capillary_parse.parse_flat_body(body, query, zone)
        path = "fast"
        if result is None:
            path = "general"
            result = capillary_parse.parse_interaction_reply(json_pieces.loads(body), query, zone)
        told = f"{path} path, {len(result.interactions):,} rows; {' '.join(result.warnings)}"
    return {
        "mb": len(body) / 2**20,
        "seconds": time.perf_counter() - began,
        "peak": peak_mb() - start,
        "told": told,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, nargs="*", default=[12, 40])
    parser.add_argument("--parse", type=int, nargs="*", default=[1_900_000, 4_100_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    cases = [("decode", n) for n in args.megabytes] + [("parse", n) for n in args.parse]
    for kind, size in cases:
        run = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        found = json.loads(run.stdout.strip().splitlines()[-1])
        print(
            f"{kind:6} {found['mb']:5.1f} MB: peak +{found['peak']:4.0f} MB, "
            f"{found['seconds']:.2f} s; {found['told']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
