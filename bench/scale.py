"""Does the cost of a customer grow linearly with their messages? (issue 13's scale check)

    .venv/bin/python bench/scale.py [--runs 3]

Takes the demo's 100,000-message reply (BULK-100K), cuts it to 1,000 / 10,000 / 100,000
messages (each channel in proportion) and, in a fresh process per size, times what the
window does with a reply it received: read it as the source does (straight from the bytes),
merge, OTP masking, the filter's index and the list model, and the RSS those rows add
(the reply included: the rows' raw items are slices of it). HTTP is left out: it is
linear in bytes and measured in bench/speed_table.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = (1_000, 10_000, 100_000)


def bulk_reply() -> dict:
    import httpx

    from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_USERNAME, DemoServer
    from viewer.sources.capillary import basic_auth_value

    with DemoServer() as server:
        reply = httpx.get(
            f"{server.url}/v2/customers/interaction",
            params={"identifierName": "external_id", "identifierValue": "BULK-100K"},
            headers={
                "Authorization": basic_auth_value(DEMO_CAPILLARY_USERNAME, DEMO_CAPILLARY_PASSWORD)
            },
            timeout=120,
        )
    return reply.json()


def cut(document: dict, messages: int) -> bytes:
    total = sum(len(e.get("messageList") or []) for e in document["interaction"])
    share = messages / total
    entries = [
        {**e, "messageList": e["messageList"][: round(len(e["messageList"]) * share)]}
        if e.get("messageList")
        else e
        for e in document["interaction"]
    ]
    return json.dumps({**document, "interaction": entries}).encode()


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(path: str) -> None:
    """One size, in this fresh process: seconds and bytes added, as one JSON line."""
    from zoneinfo import ZoneInfo

    from PySide6.QtWidgets import QApplication

    from viewer.domain import IdentifierKind, Query
    from viewer.lookup import merge
    from viewer.masking import Masker
    from viewer.sources import json_pieces
    from viewer.sources.capillary_parse import parse_flat_body, parse_interaction_reply
    from viewer.timeline import TimelineIndex
    from viewer.ui.interactions_model import InteractionsModel

    app = QApplication.instance() or QApplication([])
    query = Query(IdentifierKind.EXTERNAL_ID, "BULK-100K")
    model = InteractionsModel()
    before = rss()
    body = Path(path).read_bytes()  # counted: the window keeps the reply its rows point into
    start = time.perf_counter()
    zone = ZoneInfo("Asia/Kolkata")
    # As the source reads it (viewer/sources/capillary.py): straight from the bytes, the
    # rows keeping slices of them; the general way only for a reply out of the usual form.
    part = parse_flat_body(body, query, zone) or parse_interaction_reply(
        json_pieces.loads(body), query, zone
    )
    result = Masker(False).mask_result(merge(query, [part], []))
    index = TimelineIndex(result.interactions)
    index.prepare()
    model.set_interactions(result.interactions, index=index)
    seconds = time.perf_counter() - start
    del body  # freed when no row points into it (a reply read the general way)
    print(json.dumps({"rows": model.rowCount(), "seconds": seconds, "bytes": rss() - before}))
    app.quit()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    document = bulk_reply()
    print(
        f"{'messages':>9}  {'reply':>7}  {'time':>9}  {'per 1k':>8}  {'RSS added':>9}  {'per 1k':>8}"
    )
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    for size in SIZES:
        path = folder / f"scale-{size}.json"
        path.write_bytes(cut(document, size))
        runs = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        seconds = statistics.median(r["seconds"] for r in runs)
        added = statistics.median(r["bytes"] for r in runs)
        rows = runs[0]["rows"]
        print(
            f"{rows:>9,}  {path.stat().st_size / 2**20:>5.1f} MB  {seconds * 1000:>6,.0f} ms"
            f"  {seconds * 1e6 / rows:>5.1f} ms  {added / 2**20:>6,.0f} MB"
            f"  {added / rows * 1000 / 2**20:>5.2f} MB"
        )
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
