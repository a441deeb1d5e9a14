"""How results read, for both faces of the program: JSON, the CLI table, detail fields.

No Qt here: the detail pane and `customer-viewer lookup` show the same fields because
both take them from `detail_fields`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from viewer.domain import (
    ChannelCount,
    Customer,
    Direction,
    Interaction,
    InteractionDetail,
    LookupResult,
    Related,
    Source,
    channel_label,
    status_display,
)
from viewer.sources.http import redact_json

EMPTY = "—"
DIRECTION_ARROWS = {Direction.OUTBOUND: "→", Direction.INBOUND: "←", Direction.UNKNOWN: "·"}


def local_time(moment: datetime | None, seconds: bool = False) -> str:
    """A time in the agent's own zone, which is what they read on the call."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def utc_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def age(moment: datetime) -> str:
    """How long ago, as an agent says it: "3 h", "5 min", "2 days"."""
    seconds = max(0, (datetime.now(UTC) - moment).total_seconds())
    if seconds < 90:
        return "a moment"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def tab_label(count: ChannelCount) -> str:
    return f"{channel_label(count.channel)} ({count.label})"


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.name,
        "mobile": customer.mobile,
        "email": customer.email,
        "external_id": customer.external_id,
        "source_ids": customer.source_ids,
        "extra": customer.extra,
    }


def interaction_json(item: Interaction) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": item.source.value,
        "id": item.id,
        "channel": item.channel,
        "direction": item.direction.value,
        "occurred_at": iso(item.occurred_at),
        "status": item.status,
        "subject": item.subject,
        "counterpart": item.counterpart,
    }
    if item.source.value == "capillary":
        data.update(
            campaign_id=item.campaign_id, user_id=item.user_id, delivered_at=iso(item.delivered_at)
        )
    else:
        data.update(contacted=item.contacted, notes=item.notes)
    return data


def result_json(result: LookupResult) -> dict[str, Any]:
    return {
        "query": {"kind": result.query.kind.value, "value": result.query.value},
        "customer": customer_json(result.customer),
        "interactions": [interaction_json(i) for i in result.interactions],
        "counts": {c: n.total for c, n in result.counts.items()},
        "channels": {
            c: {"label": channel_label(c), "listed": n.listed, "total": n.total, "itemised": n.itemised}
            for c, n in result.counts.items()
        },
        "warnings": result.warnings,
        "errors": [e.to_json() for e in result.errors],
        "from_cache": result.from_cache,
        "fetched_at": iso(result.fetched_at),
        "saved_at": iso(result.fetched_at) if result.from_cache else None,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def raw_json_text(data: Any) -> str:
    """A source's own JSON for the raw view, with any secret-named field masked."""
    try:
        return dumps(redact_json(data))
    except (RecursionError, ValueError):  # absurdly deep nesting must not break the pane
        return "(this item is nested too deeply to show)"


def _source_label(word: str) -> str:
    try:
        return Source(word).label
    except ValueError:
        return word.capitalize()


def customer_lines(customer: Customer) -> list[tuple[str, str]]:
    """The card's rows: label, value (only what is known)."""
    rows = [
        ("Name", customer.name),
        ("Mobile", customer.mobile),
        ("E-mail", customer.email),
        ("External id", customer.external_id),
    ]
    rows += [(f"{_source_label(k)} id", v) for k, v in customer.source_ids.items()]
    rows += list(customer.extra.items())
    return [(label, value) for label, value in rows if value]


@dataclass(frozen=True, slots=True)
class Field:
    """One row of a detail view. `copy` is a value worth a copy button (a UUID)."""

    label: str
    value: str
    tooltip: str = ""
    copy: str = ""
    long: bool = False  # notes: wrapped, given room


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: ""}[value]


def detail_fields(item: Interaction) -> list[Field]:
    """Every field of one interaction as shown in a list row's detail."""
    status, _tone = status_display(item.status)
    rows = [
        Field("Source", item.source.label),
        Field("Channel", channel_label(item.channel), item.channel),
        Field("Direction", f"{DIRECTION_ARROWS[item.direction]} {item.direction.value}"),
        Field("Time", local_time(item.occurred_at, seconds=True), utc_time(item.occurred_at)),
        Field("Status", status, item.status),
        Field("Subject", item.subject),
        Field("Receiver" if item.source is Source.CAPILLARY else "Contact", item.counterpart),
        Field("Message id" if item.source is Source.CAPILLARY else "Interaction id", item.id, copy=item.id),
    ]
    if item.source is Source.CAPILLARY:
        rows += [
            Field("Delivered", local_time(item.delivered_at, seconds=True), utc_time(item.delivered_at)),
            Field("Campaign", item.campaign_id or ""),
            Field("User", item.user_id or ""),
        ]
    else:
        rows += [Field("Contacted", _yes_no(item.contacted)), Field("Notes", item.notes or "", long=True)]
    return [_filled(f) for f in rows]


ROLE_LABELS = {
    "contact": "Contact",
    "property": "Property",
    "account": "Account",
    "author": "Logged by",
    "representative": "Representative",
    "organisation": "Organisation",
}


def interaction_detail_fields(detail: InteractionDetail) -> list[Field]:
    """A Ctrl-Hub interaction in full: its own fields, then each relationship by name."""
    item = detail.interaction
    rows = [
        Field("Method", channel_label(item.channel), item.channel),
        Field("Direction", f"{DIRECTION_ARROWS[item.direction]} {item.direction.value}"),
        Field("Date/time", local_time(item.occurred_at, seconds=True), utc_time(item.occurred_at)),
        Field("Contacted", _yes_no(item.contacted)),
        Field("Status", status_display(item.status)[0], item.status),
        Field("Notes", item.notes or "", long=True),
    ]
    for role, label in ROLE_LABELS.items():
        rows += _related_fields(label, detail.related.get(role))
    rows += [
        Field("Created", local_time(detail.created_at, seconds=True), utc_time(detail.created_at)),
        Field("Updated", local_time(detail.updated_at, seconds=True), utc_time(detail.updated_at)),
        Field("Modified", local_time(detail.modified_at, seconds=True), utc_time(detail.modified_at)),
        Field("Interaction id", item.id, copy=item.id),
    ]
    return [_filled(f) for f in rows]


def _related_fields(label: str, related: Related | None) -> list[Field]:
    if related is None:
        return [Field(label, EMPTY)]
    name = related.name or f"{EMPTY} (not included in the reply)"
    rows = [Field(label, name, f"id {related.id}", copy=related.id)]
    rows += [Field(f"   {line}", value) for line, value in related.lines if value]
    return rows


def _filled(field: Field) -> Field:
    if field.value:
        return field
    return Field(field.label, EMPTY, field.tooltip, field.copy, field.long)


def detail_json(detail: InteractionDetail) -> dict[str, Any]:
    """`customer-viewer interaction --json`: the interaction plus its related resources."""
    data = interaction_json(detail.interaction)
    data.update(
        created_at=iso(detail.created_at),
        updated_at=iso(detail.updated_at),
        modified_at=iso(detail.modified_at),
        related={
            role: None if r is None else {"id": r.id, "name": r.name or None, **{k.lower(): v for k, v in r.lines}}
            for role, r in detail.related.items()
        },
    )
    return data


def render_fields(title: str, fields: list[Field]) -> str:
    """A detail view as text for the CLI: "Label    value", notes indented below."""
    width = max((len(f.label) for f in fields), default=0) + 2
    lines = [title, "=" * len(title)]
    for field in fields:
        if field.long and field.value != EMPTY:
            lines.append(f"{field.label}:")
            lines += [f"    {line}" for line in field.value.splitlines()]
        else:
            extra = f"  [{field.copy}]" if field.copy and field.copy != field.value else ""
            lines.append(f"{field.label:<{width}}{field.value}{extra}")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(result: LookupResult) -> str:
    """The readable (non-JSON) answer of `customer-viewer lookup`."""
    lines = []
    card = customer_lines(result.customer)
    lines.append("  ".join(f"{label}: {value}" for label, value in card) or str(result.query))
    if result.from_cache:
        lines.append(f"FROM SAVED DATA, saved {local_time(result.fetched_at)} ({age(result.fetched_at)} ago)")
    else:
        lines.append(f"Fetched {local_time(result.fetched_at)} (live)")
    lines.append("  ".join(tab_label(c) for c in result.counts.values()) or "No channels.")
    for warning in result.warnings:
        lines.append(f"! {warning}")
    for error in result.errors:
        lines.append(f"✗ {error}")
    lines.append("")
    header = f"{'Time':16}  {'Source':9}  {'Channel':12}  {'':1} {'Status':14}  {'Subject':48}  Receiver / contact"
    lines.append(header)
    lines.append("-" * len(header))
    for item in result.interactions:
        status, _ = status_display(item.status)
        lines.append(
            f"{local_time(item.occurred_at):16}  {item.source.label:9}  {_cut(channel_label(item.channel), 12):12}  "
            f"{DIRECTION_ARROWS[item.direction]} {_cut(status, 14):14}  "
            f"{_cut(item.subject, 48):48}  {item.counterpart}"
        )
    if not result.interactions:
        lines.append("(no messages)")
    return "\n".join(lines)
