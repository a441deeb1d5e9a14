"""`customer-viewer audit [--since 7d] [--csv | --json]`: print the local access log.

Each line is one lookup, reveal, export, copy or sign-out: when, which profile, the masked
identifier and how many rows. The log never holds an identifier in full or any message
content (viewer/audit.py), so printing it shows nothing more than the agent already saw.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import datetime

from viewer.domain import BadInput, ExitCode


def run(args: argparse.Namespace) -> int:
    from viewer import audit
    from viewer.safe_text import shown, visible
    from viewer.timeline import parse_when

    try:
        since = parse_when(args.since, datetime.now().astimezone()) if args.since else None
    except BadInput as exc:
        print(f"customer-viewer: {shown(exc.message)}", file=sys.stderr)
        return int(ExitCode.USAGE)
    records = audit.read_records(since)
    if args.csv:
        sys.stdout.write(_csv(records, audit.FIELDS))
    elif args.json:
        for entry in records:  # \u escapes: nothing a terminal would act on
            print(json.dumps(entry, ensure_ascii=True))
    elif not records:
        print("No access recorded" + (" since then." if since else " yet."))
    else:
        for entry in records:
            print(visible(audit.as_text_line(entry)))
    return int(ExitCode.OK)


def _csv(records: list[dict], fields: tuple[str, ...]) -> str:
    from viewer.export import csv_cell  # a cell a spreadsheet would run as a formula is quoted

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for entry in records:
        writer.writerow({k: csv_cell(entry.get(k)) for k in fields})
    return out.getvalue()
