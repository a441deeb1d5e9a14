"""What needs the agent's attention in one customer's timeline (no Qt).

Shown above the list in the window and printed by `customer-viewer lookup`: open Ctrl-Hub
items, the last contact in either system, the last failed message, and notes that mention
a vulnerable customer or a complaint. Each entry carries the row's key, so a click selects
that row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from viewer.domain import (
    PROBLEM,
    Interaction,
    LookupResult,
    Source,
    channel_label,
    is_open_callback,
    is_open_status,
    status_class,
    status_display,
)
from viewer.i18n import _, ngettext
from viewer.present import relative_age
from viewer.safe_text import shown

# Words in a Ctrl-Hub note (or its subject) that flag a vulnerable customer or a complaint.
# Stems, matched at the start of a word, case-insensitive: "complain" finds "complaint(s)".
# Keep this the only list.
FLAG_KEYWORDS: tuple[str, ...] = (
    "complain",
    "vulnerab",
    "ombudsman",
    "escalat",
    "safeguard",
    "bereave",
    "deceased",
    "hardship",
    "disabilit",
    "mental health",
    "carer",
    "distress",
    "legal action",
    "solicitor",
)
OPEN_LIMIT = 5  # open items listed one by one; the rest are summed up in one entry
FLAGGED_LIMIT = 3
SNIPPET = 80  # characters of a subject or note in an entry


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # "open" | "last_contact" | "last_failed" | "flagged"
    text: str  # one line, plain, server text already made visible and bounded
    key: tuple[str, str, str]  # Interaction.key of the row to select


_FLAG_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in FLAG_KEYWORDS) + ")", re.IGNORECASE
)


def flag_word(item: Interaction) -> str | None:
    """The first flag keyword in the row's notes or subject (as written there), or None."""
    for text in (item.notes, item.subject):
        if text:
            found = _FLAG_PATTERN.search(text[:20_000])  # a note is bounded for the search
            if found:
                return _to_word_end(text, found.start(), found.end())
    return None


def _to_word_end(text: str, start: int, end: int) -> str:
    """The keyword as written, run on to the end of its word: "complain" → "complaints"."""
    while end < len(text) and end - start < 40 and text[end].isalnum():
        end += 1
    return text[start:end]


def attention(result: LookupResult, now: datetime) -> list[AttentionItem]:
    """The entries, most urgent first: open items, flagged notes, last failed, last contact.
    One pass over the rows (newest first), so it stays quick at 100,000."""
    open_rows: list[Interaction] = []
    flagged: list[tuple[Interaction, str]] = []
    last_contact = last_failed = None
    for item in result.interactions:
        if item.source is Source.CTRLHUB and is_open_status(item.status):
            open_rows.append(item)
        if len(flagged) < FLAGGED_LIMIT and item.source is Source.CTRLHUB:  # not marketing text
            word = flag_word(item)
            if word:
                flagged.append((item, word))
        if last_contact is None and _happened(item, now):
            last_contact = item
        if last_failed is None and status_class(item.status) == PROBLEM:
            last_failed = item
    entries = _open_entries(open_rows, now)
    entries += [
        AttentionItem(
            "flagged",
            _("Note mentions “{word}”: {where} — {text}").format(
                word=shown(word, 40),
                where=_where(item, now),
                text=_snippet(item.notes or item.subject),
            ),
            item.key,
        )
        for item, word in flagged
    ]
    if last_failed is not None:
        entries.append(
            AttentionItem(
                "last_failed",
                _("Last failed message {where}, {status} — {text}").format(
                    where=_where(last_failed, now),
                    status=_status(last_failed),
                    text=_snippet(last_failed.subject),
                ),
                last_failed.key,
            )
        )
    if last_contact is not None:
        entries.append(
            AttentionItem(
                "last_contact",
                _("Last contact {where}, {status}").format(
                    where=_where(last_contact, now), status=_status(last_contact).lower()
                ),
                last_contact.key,
            )
        )
    return entries


def _open_entries(rows: list[Interaction], now: datetime) -> list[AttentionItem]:
    # Callbacks first (the customer is waiting on us), then the newest; undated last.
    rows = sorted(
        rows, key=lambda i: (not is_open_callback(i.status), i.occurred_at is None, -_sort_stamp(i))
    )
    entries = [
        AttentionItem("open", _open_words(item, now), item.key) for item in rows[:OPEN_LIMIT]
    ]
    if len(rows) > OPEN_LIMIT:
        rest, more = rows[OPEN_LIMIT], len(rows) - OPEN_LIMIT
        entries.append(
            AttentionItem(
                "open",
                ngettext(
                    "… and {count:,} more open item", "… and {count:,} more open items", more
                ).format(count=more),
                rest.key,
            )
        )
    return entries


def _sort_stamp(item: Interaction) -> float:
    try:
        return item.occurred_at.timestamp() if item.occurred_at else 0.0
    except (OverflowError, OSError, ValueError):
        return 0.0


def _happened(item: Interaction, now: datetime) -> bool:
    """A contact that took place: not one scheduled for later, not an undated row."""
    if (
        item.occurred_at is None
        or is_open_status(item.status)
        and item.status.lower() == "scheduled"
    ):
        return False
    try:
        return item.occurred_at <= now
    except (OverflowError, TypeError):
        return False


def _where(item: Interaction, now: datetime) -> str:
    """ "3 d ago, SMS" (or "in 2 d, Phone" for something due)."""
    when = relative_age(item.occurred_at, now) or _("undated")
    return _("{when}, {channel}").format(when=when, channel=shown(channel_label(item.channel), 40))


def _status(item: Interaction) -> str:
    return shown(status_display(item.status)[0] or _("no status"), 40)


def _open_words(item: Interaction, now: datetime) -> str:
    """ "Open: Awaiting callback — 3 d ago, Phone: about the bill"."""
    text = item.notes or item.subject
    words = _("Open: {status} — {where}: {text}") if text else _("Open: {status} — {where}")
    return words.format(status=_status(item), where=_where(item, now), text=_snippet(text))


def _snippet(text: str | None) -> str:
    return shown(" ".join((text or "")[: SNIPPET * 4].split()), SNIPPET) or _("(no text)")
