"""How results read, for both faces of the program: JSON, the CLI table, detail fields.

No Qt here: the detail pane and `customer-viewer lookup` show the same fields because
both take them from `detail_fields`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from viewer.domain import (
    ChannelCount,
    Customer,
    Direction,
    Interaction,
    LookupResult,
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
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def raw_json_text(data: Any) -> str:
    """A source's own JSON for the raw view, with any secret-named field masked."""
    return dumps(redact_json(data))


def customer_lines(customer: Customer) -> list[tuple[str, str]]:
    """The card's rows: label, value (only what is known)."""
    rows = [
        ("Name", customer.name),
        ("Mobile", customer.mobile),
        ("E-mail", customer.email),
        ("External id", customer.external_id),
    ]
    rows += [(f"{k.capitalize()} id", v) for k, v in customer.source_ids.items()]
    rows += list(customer.extra.items())
    return [(label, value) for label, value in rows if value]


def detail_fields(item: Interaction) -> list[tuple[str, str, str]]:
    """Every field of one interaction as (label, shown value, tooltip)."""
    status, _tone = status_display(item.status)
    rows = [
        ("Source", item.source.label, ""),
        ("Channel", channel_label(item.channel), item.channel),
        ("Direction", f"{DIRECTION_ARROWS[item.direction]} {item.direction.value}", ""),
        ("Time", local_time(item.occurred_at, seconds=True), utc_time(item.occurred_at)),
        ("Status", status, item.status),
        ("Subject", item.subject, ""),
        ("Receiver" if item.source.value == "capillary" else "Contact", item.counterpart, ""),
        ("Message id", item.id, ""),
    ]
    if item.source.value == "capillary":
        rows += [
            ("Delivered", local_time(item.delivered_at, seconds=True), utc_time(item.delivered_at)),
            ("Campaign", item.campaign_id or "", ""),
            ("User", item.user_id or "", ""),
        ]
    else:
        contacted = {True: "yes", False: "no", None: ""}[item.contacted]
        rows += [("Contacted", contacted, ""), ("Notes", item.notes or "", "")]
    return [(label, value or EMPTY, tip) for label, value, tip in rows]


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(result: LookupResult) -> str:
    """The readable (non-JSON) answer of `customer-viewer lookup`."""
    lines = []
    card = customer_lines(result.customer)
    lines.append("  ".join(f"{label}: {value}" for label, value in card) or str(result.query))
    origin = "saved data" if result.from_cache else "live"
    lines.append(f"Fetched {local_time(result.fetched_at)} ({origin})")
    lines.append("  ".join(tab_label(c) for c in result.counts.values()) or "No channels.")
    for warning in result.warnings:
        lines.append(f"! {warning}")
    for error in result.errors:
        lines.append(f"✗ {error}")
    lines.append("")
    header = f"{'Time':16}  {'Channel':12}  {'':1} {'Status':14}  {'Subject':48}  Receiver"
    lines.append(header)
    lines.append("-" * len(header))
    for item in result.interactions:
        status, _ = status_display(item.status)
        lines.append(
            f"{local_time(item.occurred_at):16}  {_cut(channel_label(item.channel), 12):12}  "
            f"{DIRECTION_ARROWS[item.direction]} {_cut(status, 14):14}  "
            f"{_cut(item.subject, 48):48}  {item.counterpart}"
        )
    if not result.interactions:
        lines.append("(no messages)")
    return "\n".join(lines)
