"""Taking the timeline elsewhere (no Qt): CSV of the filtered rows, a printable HTML report,
and a plain-text customer summary to paste into a ticket.

Everything here is server text on its way into another program, so each format defends
itself: CSV cells that a spreadsheet would run as a formula are quoted (OWASP "CSV
injection"); every string in the HTML is escaped and the page loads nothing from outside;
the summary makes control, bidi and invisible characters visible, as the window does.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from viewer.attention import attention
from viewer.domain import (
    Interaction,
    LookupResult,
    channel_label,
    status_display,
    status_explanation,
)
from viewer.i18n import _
from viewer.present import customer_lines, local_time, relative_age
from viewer.safe_text import BLOCK_LIMIT, shown
from viewer.timeline import TimelineFilter

CSV_COLUMNS = (
    "occurred_at",
    "source",
    "channel",
    "direction",
    "status",
    "status_label",
    "subject",
    "counterpart",
    "campaign_id",
    "user_id",
    "delivered_at",
    "contacted",
    "notes",
    "id",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A printed report past this many rows is no longer read; the CSV carries every row.
REPORT_ROW_LIMIT = 5_000


def csv_cell(value: object) -> str:
    """One CSV cell: None is empty; a value a spreadsheet would run is prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        text = value.isoformat() if isinstance(value, datetime) else str(value)
    except ValueError:  # an int past the 4,300-digit conversion limit
        text = "(a number too long to write)"
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_FORMULA_FIRST = frozenset(_FORMULA_STARTS)
_YES_NO = {True: "yes", False: "no", None: ""}


@lru_cache(maxsize=512)
def _status_label(status: str) -> str:
    return status_display(status)[0]


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def csv_row(item: Interaction) -> list[str]:
    """One row's cells. The fields are text by contract; if a source ever hands over
    something else, the careful per-cell path takes it. (100,000 rows: about 1 s on the
    fast path, 2 s on the careful one; the window writes files off the GUI thread.)"""
    try:
        cells = [
            _iso(item.occurred_at),
            item.source.value,
            item.channel,
            item.direction.value,
            item.status,
            _status_label(item.status),
            item.subject,
            item.counterpart,
            item.campaign_id or "",
            item.user_id or "",
            _iso(item.delivered_at),
            _YES_NO[item.contacted],
            item.notes or "",
            item.id,
        ]
        return [cell if cell[:1] not in _FORMULA_FIRST else "'" + cell for cell in cells]
    except (TypeError, KeyError):  # not text after all
        values = (
            item.occurred_at,
            item.source.value,
            item.channel,
            item.direction.value,
            item.status,
            status_display(str(item.status))[0],
            item.subject,
            item.counterpart,
            item.campaign_id,
            item.user_id,
            item.delivered_at,
            item.contacted,
            item.notes,
            item.id,
        )
        return [csv_cell(v) for v in values]


def to_csv(interactions: Sequence[Interaction]) -> str:
    """The rows as CSV (header first; times ISO 8601 with their offset). Newlines inside a
    cell are kept, quoted, as CSV allows; write the text with newline="" to keep them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(item) for item in interactions)
    return out.getvalue()


# -- the printable report ----------------------------------------------------------------

_STYLE = """
body { font: 11pt system-ui, sans-serif; margin: 2em; color: #000; background: #fff; }
h1 { font-size: 16pt; margin: 0 0 .3em; } h2 { font-size: 12pt; margin: 1.2em 0 .3em; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top;
  padding: .2em .5em; border-bottom: 1px solid #ccc; font-size: 9.5pt; }
th { background: #eee; } dl { display: grid; grid-template-columns: max-content auto;
  gap: .1em 1em; } dt { font-weight: bold; } dd { margin: 0; }
.bad { color: #842029; font-weight: bold; } .pending { color: #8a5a00; } .good { color: #0f5132; }
.notes { white-space: pre-wrap; } .meta { color: #555; }
@media print { body { margin: 0; } tr { break-inside: avoid; } }
"""
# The page may use its own inline style and nothing else: no scripts, images or fetches.
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _e(value: object, limit: int = 500, multiline: bool = False) -> str:
    """Escaped for HTML after control/bidi characters were made visible and bounded."""
    return html.escape(shown(value, limit, multiline=multiline), quote=True)


def report_html(
    result: LookupResult,
    flt: TimelineFilter | None,
    interactions: Sequence[Interaction],
    now: datetime | None = None,
) -> str:
    """A self-contained page to print or save: customer card, the filter used, the rows."""
    card = "".join(
        f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>"
        for label, value in customer_lines(result.customer)
    )
    described = flt.describe() if flt is not None else "No filter"
    shown_rows = interactions[:REPORT_ROW_LIMIT]
    more = len(interactions) - len(shown_rows)
    note = (
        f"<p class=meta>Showing the first {len(shown_rows):,} of {len(interactions):,} rows; "
        "export CSV for all of them.</p>"
        if more > 0
        else ""
    )
    name = result.customer.name or str(result.query)
    printed = local_time(now or datetime.now().astimezone())
    fetched = (
        f"saved data from {local_time(result.fetched_at)}"
        if result.from_cache
        else f"fetched {local_time(result.fetched_at)}"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            f"<title>Customer report: {_e(name, 120)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{_e(name, 120)}</h1>",
            f"<p class=meta>Printed {_e(printed)}; {_e(fetched)}.</p>",
            f"<dl>{card}</dl>",
            f"<h2>Filter</h2><p>{_e(described)} — {len(interactions):,} of "
            f"{len(result.interactions):,} rows</p>",
            "<h2>Messages and interactions</h2>",
            note,
            "<table><thead><tr><th>Time</th><th>Source</th><th>Channel</th><th>Direction</th>"
            "<th>Status</th><th>Subject</th><th>Receiver / contact</th><th>Notes</th></tr></thead><tbody>",
            *(_report_row(item) for item in shown_rows),
            "</tbody></table>",
            "" if shown_rows else "<p>No rows match this filter.</p>",
            "</body></html>",
        ]
    )


def _report_row(item: Interaction) -> str:
    label, tone = status_display(item.status)
    return (
        f"<tr><td>{_e(local_time(item.occurred_at))}</td><td>{_e(item.source.label)}</td>"
        f"<td>{_e(channel_label(item.channel), 60)}</td><td>{_e(item.direction.value)}</td>"
        f'<td class="{_e(tone.value)}" title="{_e(status_explanation(item.status))}">{_e(label, 60)}'
        f"</td><td>{_e(item.subject)}</td><td>{_e(item.counterpart)}</td>"
        f'<td class="notes">{_e(item.notes or "", 2_000, multiline=True)}</td></tr>'
    )


# -- the ticket summary ------------------------------------------------------------------


def customer_summary(result: LookupResult, now: datetime) -> str:
    """Plain text for a ticket: name, ids, last contact, open items, what needs attention."""
    lines = [f"Customer: {shown(result.customer.name or '(no name)')}"]
    lines += [
        f"{shown(label)}: {shown(value)}"
        for label, value in customer_lines(result.customer)
        if label != _("Name")  # customer_lines' label, in the same language
    ]
    entries = attention(result, now)
    last = next((e for e in entries if e.kind == "last_contact"), None)
    lines.append(last.text if last else "Last contact: none on record")
    open_items = [e.text for e in entries if e.kind == "open"]
    lines.append(f"Open items: {len(open_items):,}" if open_items else "Open items: none")
    lines += [f"  - {text}" for text in open_items]
    for entry in entries:
        if entry.kind in ("flagged", "last_failed"):
            lines.append(entry.text)
    source = "saved data" if result.from_cache else "live"
    lines.append(
        f"(Customer Interaction Viewer, {source}, {local_time(result.fetched_at)}, "
        f"{relative_age(result.fetched_at, now) or 'time unknown'})"
    )
    return "\n".join(shown(line, BLOCK_LIMIT) for line in lines)
