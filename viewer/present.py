"""How results read, for both faces of the program: JSON, the CLI table, detail fields.

No Qt here: the detail pane and `customer-viewer lookup` show the same fields because
both take them from `detail_fields`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
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
from viewer.i18n import N_, _, ngettext
from viewer.redaction import redact_json
from viewer.safe_text import BLOCK_LIMIT, cut, shown
from viewer.search import SearchState, SourceStatus

EMPTY = "—"
DIRECTION_ARROWS = {Direction.OUTBOUND: "→", Direction.INBOUND: "←", Direction.UNKNOWN: "·"}


def local_time(moment: datetime | None, seconds: bool = False) -> str:
    """A time in the agent's own zone, which is what they read on the call. A time that
    cannot be moved into that zone (near year 1 or 9999) is shown in its own offset."""
    if moment is None:
        return ""
    layout = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    try:
        return moment.astimezone().strftime(layout)
    except (OverflowError, OSError, ValueError):
        return _as_written(moment, layout + " %z")


def utc_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    try:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return _as_written(moment, "%Y-%m-%d %H:%M:%S %z")


def _as_written(moment: datetime, layout: str) -> str:
    """The time in the offset it came with (no conversion can overflow); "—" if even that fails."""
    try:
        return moment.strftime(layout)
    except (OverflowError, OSError, ValueError):
        return EMPTY


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def age(moment: datetime) -> str:
    """How long ago, as an agent says it: "3 h", "5 min", "2 days"."""
    try:
        aware = moment if moment.tzinfo is not None else moment.astimezone()
        seconds = max(0, (datetime.now(UTC) - aware).total_seconds())
    except (OverflowError, OSError, ValueError):
        return _("an unknown time")
    if seconds < 90:
        return _("a moment")
    if seconds < 3600:
        return _("{n} min").format(n=round(seconds / 60))
    if seconds < 2 * 86400:
        return _("{n} h").format(n=round(seconds / 3600))
    days = round(seconds / 86400)
    return ngettext("{n} day", "{n} days", days).format(n=days)


def relative_age(moment: datetime | None, now: datetime) -> str:
    """ "just now", "5 min ago", "3 h ago", "3 d ago", "4 mo ago", "2 y ago"; "in 2 d" ahead."""
    if moment is None:
        return ""
    try:
        seconds = (now - moment).total_seconds()
    except (OverflowError, OSError, ValueError, TypeError):
        return ""
    ahead, seconds = seconds < -60, abs(seconds)
    if seconds < 60:
        return _("just now")
    day = 86400
    # (from this many seconds on, count in units of this size): days up to two months.
    for start, size, unit in (
        (730 * day, 365 * day, N_("{n:,} y")),
        (60 * day, 30 * day, N_("{n:,} mo")),
        (day, day, N_("{n:,} d")),
        (3600, 3600, N_("{n:,} h")),
        (60, 60, N_("{n:,} min")),
    ):
        if seconds >= start:
            amount = _(unit).format(n=int(seconds // size))
            return (_("in {amount}") if ahead else _("{amount} ago")).format(amount=amount)
    return _("just now")


def tab_label(count: ChannelCount, matched: int | None = None) -> str:
    """ "SMS (1,204)", "SMS (100 of 130)"; with a filter, "SMS (3 of 10)": 3 rows match of the
    10 listed. Missed calls are a count, not rows: a filter leaves their number as it is.
    The channel word comes from a server, so it is made visible and bounded."""
    name = shown(channel_label(count.channel), 60)
    if matched is not None and count.itemised:
        shown_of = (matched, count.listed)
    elif count.itemised and count.total > count.listed:
        shown_of = (count.listed, count.total)
    else:
        return _("{channel} ({count:,})").format(channel=name, count=max(count.total, count.listed))
    return _("{channel} ({part:,} of {whole:,})").format(
        channel=name, part=shown_of[0], whole=shown_of[1]
    )


def all_tab_label(listed: int, matched: int | None = None) -> str:
    """ "All (1,204)" or, filtered, "All (3 of 1,204)". It counts listed rows, so it equals the
    sum of the channel tabs; missed calls (a count without rows) are not in it."""
    if matched is None:
        return _("All ({count:,})").format(count=listed)
    return _("All ({part:,} of {whole:,})").format(part=matched, whole=listed)


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
            c: {
                "label": channel_label(c),
                "listed": n.listed,
                "total": n.total,
                "itemised": n.itemised,
            }
            for c, n in result.counts.items()
        },
        "warnings": result.warnings,
        "errors": [e.to_json() for e in result.errors],
        "from_cache": result.from_cache,
        "fetched_at": iso(result.fetched_at),
        "saved_at": iso(result.fetched_at) if result.from_cache else None,
    }


def dumps(data: Any, indent: int | None = 2) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def state_json(state: SearchState) -> dict[str, Any]:
    """One state of a search: `lookup --json` prints the final one, `--stream` each one.
    The shape is `result_json` plus `final` and each source's status; before any source
    answered, the customer is null and there are no rows."""
    if state.result is not None:
        body = result_json(state.result)
    else:
        body = {
            "query": {"kind": state.query.kind.value, "value": state.query.value},
            "customer": None,
            "interactions": [],
            "counts": {},
            "channels": {},
            "warnings": [],
            "errors": [],
            "from_cache": False,
            "fetched_at": None,
            "saved_at": None,
        }
    body["final"] = state.final
    body["sources"] = [s.to_json() for s in state.sources]
    if state.failure is not None:
        body["failure"] = state.failure.to_json()
    return body


def status_line(status: SourceStatus) -> str:
    """A source's part in a search, in words: "Ctrl-Hub: loading", "Capillary: live"."""
    words = _(STATE_WORDS.get(status.state.value, status.state.value))
    if status.refreshing:
        words = _("{state}, refreshing").format(state=words)
    return _("{source}: {state}").format(source=status.source.label, state=words)


STATE_WORDS = {
    "waiting": N_("loading"),
    "live": N_("live"),
    "saved": N_("saved"),
    "not_found": N_("not found"),
    "failed": N_("failed"),
    "resting": N_("resting"),
    "offline": N_("offline"),
}


# The raw view lays out what it is given on the GUI thread: a 2 MB line froze it for good.
RAW_VALUE_LIMIT = 2_000  # characters of one string (key or value) in the raw view
RAW_TEXT_LIMIT = 200_000  # characters of the raw view as a whole


def raw_json_text(data: Any) -> str:
    """A source's own JSON for the raw view, with any secret-named field masked, bounded:
    a string longer than RAW_VALUE_LIMIT is cut (saying how much), the text is cut at
    RAW_TEXT_LIMIT (saying so), and bidi and invisible characters are written as JSON
    escapes (\\u202e) so they show. `full_json_text` is the whole document, for "Copy"."""
    try:
        text = dumps(_cut_strings(redact_json(data)))
    except RecursionError:  # absurdly deep nesting must not break the pane
        return _("(this item is nested too deeply to show)")
    except ValueError:  # an int past Python's 4,300-digit conversion limit
        return _("(this item holds a number too long to show; “Copy all JSON” copies it)")
    text = _escape_invisible(text)
    if len(text) > RAW_TEXT_LIMIT:
        left = len(text) - RAW_TEXT_LIMIT
        text = (
            text[:RAW_TEXT_LIMIT]
            + "\n"
            + _(
                "… cut here for display: {count:,} more characters. "
                "“Copy all JSON” copies the whole document."
            ).format(count=left)
        )
    return text


def full_json_text(data: Any) -> str:
    """The whole document (secret-named fields masked) as the raw view's "Copy" gives it:
    nothing cut; bidi and invisible characters as JSON escapes (same JSON, nothing hidden)."""
    try:
        return _escape_invisible(dumps(redact_json(data)))
    except RecursionError:
        return _("(this item is nested too deeply to copy)")
    except ValueError:  # an int past Python's 4,300-digit conversion limit
        return _("(this item holds a number too long to copy)")


def _cut_strings(value: Any) -> Any:
    """A copy of a JSON value whose long strings (keys too) are cut for display."""
    if isinstance(value, str):
        return cut(value, RAW_VALUE_LIMIT)
    if isinstance(value, dict):
        return {cut(str(k), RAW_VALUE_LIMIT): _cut_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_strings(v) for v in value]
    return value


@cache
def _invisible_pattern() -> re.Pattern[str]:
    """Characters a reader cannot see or that reorder text: C1 controls and DEL, format
    characters (bidi overrides, zero-width, tags) and line/paragraph separators. ZWJ and
    ZWNJ stay (emoji, Persian and Indic spelling), as in safe_text."""
    formats = "".join(chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Cf")
    formats = formats.replace("\u200c", "").replace("\u200d", "")
    return re.compile(f"[\x7f-\x9f{re.escape(formats)}\u2028\u2029\U000e0000-\U000e007f]")


def _escape_invisible(text: str) -> str:
    """JSON text with those characters written as \\uXXXX escapes: the same JSON, visible."""
    return _invisible_pattern().sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # outside the BMP: a surrogate pair, as JSON writes it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _source_label(word: str) -> str:
    try:
        return Source(word).label
    except ValueError:
        return word.capitalize()


def customer_lines(customer: Customer) -> list[tuple[str, str]]:
    """The card's rows: label, value (only what is known)."""
    rows = [
        (_("Name"), customer.name),
        (_("Mobile"), customer.mobile),
        (_("E-mail"), customer.email),
        (_("External id"), customer.external_id),
    ]
    rows += [
        (_("{source} id").format(source=_source_label(k)), v)
        for k, v in customer.source_ids.items()
    ]
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
    return {True: _("yes"), False: _("no"), None: ""}[value]


def detail_fields(item: Interaction) -> list[Field]:
    """Every field of one interaction as shown in a list row's detail."""
    status, _tone = status_display(item.status)
    rows = [
        Field(_("Source"), item.source.label),
        Field(_("Channel"), channel_label(item.channel), item.channel),
        Field(_("Direction"), f"{DIRECTION_ARROWS[item.direction]} {item.direction.value}"),
        Field(_("Time"), local_time(item.occurred_at, seconds=True), utc_time(item.occurred_at)),
        Field(_("Status"), status, item.status),
        Field(_("Subject"), item.subject),
        Field(_("Receiver") if item.source is Source.CAPILLARY else _("Contact"), item.counterpart),
        Field(
            _("Message id") if item.source is Source.CAPILLARY else _("Interaction id"),
            item.id,
            copy=item.id,
        ),
    ]
    if item.source is Source.CAPILLARY:
        rows += [
            Field(
                _("Delivered"),
                local_time(item.delivered_at, seconds=True),
                utc_time(item.delivered_at),
            ),
            Field(_("Campaign"), item.campaign_id or ""),
            Field(_("User"), item.user_id or ""),
        ]
    else:
        rows += [
            Field(_("Contacted"), _yes_no(item.contacted)),
            Field(_("Notes"), item.notes or "", long=True),
        ]
    return [_filled(f) for f in rows]


ROLE_LABELS = {
    "contact": N_("Contact"),
    "property": N_("Property"),
    "account": N_("Account"),
    "author": N_("Logged by"),
    "representative": N_("Representative"),
    "organisation": N_("Organisation"),
}


def interaction_detail_fields(detail: InteractionDetail) -> list[Field]:
    """A Ctrl-Hub interaction in full: its own fields, then each relationship by name."""
    item = detail.interaction
    rows = [
        Field(_("Method"), channel_label(item.channel), item.channel),
        Field(_("Direction"), f"{DIRECTION_ARROWS[item.direction]} {item.direction.value}"),
        Field(
            _("Date/time"), local_time(item.occurred_at, seconds=True), utc_time(item.occurred_at)
        ),
        Field(_("Contacted"), _yes_no(item.contacted)),
        Field(_("Status"), status_display(item.status)[0], item.status),
        Field(_("Notes"), item.notes or "", long=True),
    ]
    for role, label in ROLE_LABELS.items():
        rows += _related_fields(_(label), detail.related.get(role))
    rows += [
        Field(
            _("Created"), local_time(detail.created_at, seconds=True), utc_time(detail.created_at)
        ),
        Field(
            _("Updated"), local_time(detail.updated_at, seconds=True), utc_time(detail.updated_at)
        ),
        Field(
            _("Modified"),
            local_time(detail.modified_at, seconds=True),
            utc_time(detail.modified_at),
        ),
        Field(_("Interaction id"), item.id, copy=item.id),
    ]
    return [_filled(f) for f in rows]


def _related_fields(label: str, related: Related | None) -> list[Field]:
    if related is None:
        return [Field(label, EMPTY)]
    name = related.name or _("{empty} (not included in the reply)").format(empty=EMPTY)
    rows = [Field(label, name, _("id {id}").format(id=related.id), copy=related.id)]
    # The parser's own English labels ("Postcode", "Telephone"), translated here for display.
    rows += [Field(f"   {_(line)}", value) for line, value in related.lines if value]
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
            role: None
            if r is None
            else {"id": r.id, "name": r.name or None, **{k.lower(): v for k, v in r.lines}}
            for role, r in detail.related.items()
        },
    )
    return data


def render_fields(title: str, fields: list[Field]) -> str:
    """A detail view as text for the CLI: "Label    value", notes indented below. Every
    value is server text: control, bidi and invisible characters come out as visible marks."""
    title = shown(title)
    width = max((len(shown(f.label)) for f in fields), default=0) + 2
    lines = [title, "=" * len(title)]
    for field in fields:
        label = shown(field.label)
        if field.long and field.value != EMPTY:
            lines.append(f"{label}:")
            lines += [
                f"    {line}"
                for line in shown(field.value, BLOCK_LIMIT, multiline=True).splitlines()
            ]
        else:
            extra = f"  [{shown(field.copy)}]" if field.copy and field.copy != field.value else ""
            lines.append(f"{label:<{width}}{shown(field.value)}{extra}")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    """One table cell: made visible (it is server text), on one line, at most `width` wide."""
    text = " ".join(shown(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(result: LookupResult) -> str:
    """The readable (non-JSON) answer of `customer-viewer lookup`."""
    lines = []
    card = customer_lines(result.customer)
    lines.append(
        "  ".join(f"{shown(label)}: {shown(value)}" for label, value in card)
        or shown(str(result.query))
    )
    if result.from_cache:
        lines.append(
            f"FROM SAVED DATA, saved {local_time(result.fetched_at)} ({age(result.fetched_at)} ago)"
        )
    else:
        lines.append(f"Fetched {local_time(result.fetched_at)} (live)")
    lines.append("  ".join(tab_label(c) for c in result.counts.values()) or "No channels.")
    for warning in result.warnings:
        lines.append(f"! {shown(warning)}")
    for error in result.errors:
        lines.append(f"✗ {shown(str(error))}")
    lines.append("")
    header = f"{'Time':16}  {'Source':9}  {'Channel':12}  {'':1} {'Status':14}  {'Subject':48}  Receiver / contact"
    lines.append(header)
    lines.append("-" * len(header))
    for item in result.interactions:
        status, _tone = status_display(item.status)
        lines.append(
            f"{local_time(item.occurred_at):16}  {item.source.label:9}  {_cut(channel_label(item.channel), 12):12}  "
            f"{DIRECTION_ARROWS[item.direction]} {_cut(status, 14):14}  "
            f"{_cut(item.subject, 48):48}  {shown(item.counterpart)}"
        )
    if not result.interactions:
        lines.append("(no messages)")
    return "\n".join(lines)
