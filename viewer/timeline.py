"""Finding the answer in a customer's timeline: the filter both faces share (no Qt).

The window's filter bar and `customer-viewer lookup --since/--status/--search/--source`
build the same `TimelineFilter` and ask the same `TimelineIndex` which rows match, so the
two faces always agree.

Speed (DESIGN.md: a keystroke over 100,000 rows stays under 30 ms): the index keeps, per
row, a case-folded search text, a status class and a source/direction code, built once per
result (lazily, or all at once with `prepare()` off the GUI thread). A keystroke then runs
only C-level loops (`map`/`compress` over precomputed lists); the rows the non-text parts
of the filter allow are cached, and typing "otp" after "ot" only searches the rows "ot"
matched. bench/filter_keystroke.py measures it.
"""

from __future__ import annotations

import bisect
import operator
import re
import unicodedata
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from itertools import compress, repeat

from viewer.domain import (
    GOOD,
    PROBLEM,
    BadInput,
    ChannelCount,
    Direction,
    Interaction,
    LookupResult,
    Source,
    is_open_callback,
    status_class,
    status_display,
)
from viewer.i18n import N_

__all__ = [
    "STATUS_CHOICES",
    "PRESETS",
    "TimelineFilter",
    "TimelineIndex",
    "build_filter",
    "counts_by_channel",
    "filter_json",
    "filtered_result",
    "parse_when",
    "preset_range",
    "status_class",
    "row_matches",
]

# The status choices of the filter: every problem plus open callbacks / delivered and read.
# Marked for the catalogue (viewer/i18n.py); the filter bar shows them translated.
STATUS_CHOICES = {
    "all": N_("All statuses"),
    "problems": N_("Problems"),
    "good": N_("Delivered and read"),
}
# Date presets: name → (days back, words for describe()); "today" starts at local midnight.
PRESETS: dict[str, tuple[int | None, str]] = {
    "today": (0, "today"),
    "7d": (7, "last 7 days"),
    "30d": (30, "last 30 days"),
    "90d": (90, "last 90 days"),
    "all": (None, "all time"),
}


@dataclass(frozen=True)
class TimelineFilter:
    """What the agent narrowed the timeline to. Empty fields allow everything.

    `since` is inclusive, `until` exclusive (parse_when(..., end=True) turns a day into the
    start of the next day). `period` names the preset the dates came from ("30d"), only so
    describe() can say "last 30 days" instead of a date."""

    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    status: str = "all"  # "all" | "problems" | "good"
    source: Source | None = None
    direction: Direction | None = None
    period: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUS_CHOICES:
            raise BadInput(
                f"“{self.status}” is not a status filter; use one of: {', '.join(STATUS_CHOICES)}."
            )

    @property
    def is_empty(self) -> bool:
        return (
            not self.words
            and self.since is None
            and self.until is None
            and self.status == "all"
            and self.source is None
            and self.direction is None
        )

    @property
    def words(self) -> tuple[str, ...]:
        """The search words, case-folded: a row matches when it holds every one."""
        return tuple(searchable(self.text).split())

    def describe(self) -> str:
        """The filter in words: "Problems · last 30 days · “otp”"; "No filter" when empty."""
        parts = []
        if self.status != "all":
            parts.append(STATUS_CHOICES[self.status])
        if self.period in PRESETS and self.period != "all":
            parts.append(PRESETS[self.period][1])
        elif self.since or self.until:
            parts.append(_describe_dates(self.since, self.until))
        if self.source is not None:
            parts.append(f"{self.source.label} only")
        if self.direction is not None:
            parts.append(
                {Direction.INBOUND: "from the customer", Direction.OUTBOUND: "to the customer"}.get(
                    self.direction, "direction unknown"
                )
            )
        if self.words:
            parts.append(f"“{' '.join(self.text.split())}”")
        return " · ".join(parts) or "No filter"

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "status": self.status,
            "source": self.source.value if self.source else None,
            "direction": self.direction.value if self.direction else None,
            "described": self.describe(),
        }


def _describe_dates(since: datetime | None, until: datetime | None) -> str:
    def day(moment: datetime) -> str:
        return (
            moment.strftime("%Y-%m-%d")
            if moment.time() == time()
            else moment.strftime("%Y-%m-%d %H:%M")
        )

    if since and until:
        return f"{day(since)} to {day(until)}"
    if since:
        return f"since {day(since)}"
    return f"before {day(until)}" if until else ""


def preset_range(name: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(since, until) of a date preset: "today", "7d", "30d", "90d" or "all"."""
    if name not in PRESETS:
        raise BadInput(f"“{name}” is not a date range; use one of: {', '.join(PRESETS)}.")
    days = PRESETS[name][0]
    if days is None:
        return None, None
    if days == 0:
        return _local(now).replace(hour=0, minute=0, second=0, microsecond=0), None
    return now - timedelta(days=days), None


_AGO = re.compile(r"(\d{1,5})\s*([hdwm])", re.IGNORECASE)
_AGO_UNITS = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "m": timedelta(days=30),
}


def parse_when(text: str, now: datetime, *, end: bool = False) -> datetime:
    """ "7d" (7 days before now; also 24h, 2w, 3m), "today", "2025-01-01" or
    "2025-01-01T09:30" (in now's time zone unless an offset is given) as an aware time.
    With end=True a plain date means the end of that day (the start of the next), so
    `--until 2025-01-31` includes the 31st. Junk raises BadInput, saying what works."""
    word = text.strip()
    ago = _AGO.fullmatch(word)
    if ago:
        return now - int(ago.group(1)) * _AGO_UNITS[ago.group(2).lower()]
    if word.lower() in ("today", "now"):
        if word.lower() == "now":
            return now
        start = _local(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return start + timedelta(days=1) if end else start
    try:
        moment = datetime.fromisoformat(word)
    except ValueError:
        raise BadInput(
            f"“{text[:40]}” is not a time; write 7d, 24h, today or a date like 2025-01-31."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_local(now).tzinfo)
    if end and len(word) == 10:  # a plain date: up to the end of that day
        moment += timedelta(days=1)
    return moment


def _local(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.astimezone()


# Per-row codes kept in bytes (one byte a row): 1 = the row passes that part of the filter.
_SOURCE_CODES = {Source.CAPILLARY: 1, Source.CTRLHUB: 2}
_DIRECTION_CODES = {Direction.OUTBOUND: 1, Direction.INBOUND: 2, Direction.UNKNOWN: 3}
_CLASS_PROBLEMS, _CLASS_GOOD, _CLASS_OTHER = 1, 2, 0
_STATUS_CODES = {"problems": _CLASS_PROBLEMS, "good": _CLASS_GOOD}
WORD_CACHE_SIZE = 24  # recent searches remembered per index (backspace, retyping)


def filter_status_code(status: str) -> int:
    """Which status choice a row falls under: Problems are failures, bounces, blocks, not
    delivered and open callbacks; "good" is delivered, opened, clicked, read, completed."""
    if is_open_callback(status):
        return _CLASS_PROBLEMS
    kind = status_class(status)
    return {PROBLEM: _CLASS_PROBLEMS, GOOD: _CLASS_GOOD}.get(kind, _CLASS_OTHER)


def searchable(text: str) -> str:
    """Text as search compares it: NFKC (an "ë" typed matches an "e" + combining diaeresis
    sent, a full-width "ＯＴＰ" matches "OTP"), then case-folded ("Straße" holds "strasse")."""
    return unicodedata.normalize("NFKC", text).casefold()


def haystack(item: Interaction) -> str:
    """What free text searches: subject, notes, receiver/contact, status (word and label),
    campaign. Fields are joined by a newline, so a word never spans two."""
    return searchable(
        "\n".join(
            (
                item.subject or "",
                item.notes or "",
                item.counterpart or "",
                item.status or "",
                status_display(item.status)[0] if item.status else "",
                item.campaign_id or "",
            )
        )
    )


def row_matches(item: Interaction, flt: TimelineFilter) -> bool:
    """One row against a filter, the plain way: the reference the index must agree with
    (the property test checks it), and fine for a handful of rows."""
    if flt.source is not None and item.source is not flt.source:
        return False
    if flt.direction is not None and item.direction is not flt.direction:
        return False
    if flt.status != "all" and filter_status_code(item.status) != _STATUS_CODES[flt.status]:
        return False
    if flt.since is not None or flt.until is not None:
        when = _stamp(item.occurred_at)  # a time that cannot be placed counts as undated
        if when is None:
            return False
        since, until = _stamp(flt.since), _stamp(flt.until)
        if (since is not None and when < since) or (until is not None and when >= until):
            return False
    text = haystack(item)
    return all(word in text for word in flt.words)


class TimelineIndex:
    """The rows of one result, ready to filter fast. `matching(filter)` returns the row
    positions (in the order given) that pass; everything per row is computed at most once.

    Text is searched once per distinct search text, not per row: a customer's messages
    repeat (the 100,000-message demo customer has about 31,500 distinct ones), and each
    row keeps the number of its text. Recent words' answers are kept, so typing on
    ("ot" → "otp") searches only what "ot" found and backspacing costs nothing.

    Built lazily: constructing it is free; the first filter using text builds the search
    texts (about 0.25 s at 100,000 rows), the first using dates the sorted times. Call
    `prepare()` in a worker thread (asyncio.to_thread) to pay it all off the GUI thread."""

    def __init__(self, interactions: Sequence[Interaction]) -> None:
        self.items = interactions
        self._size = len(interactions)
        self._texts: list[str] | None = None  # distinct search texts
        self._text_of_row: list[int] = []  # row → position in _texts
        self._status: bytes | None = None
        self._sources: bytes | None = None
        self._directions: bytes | None = None
        self._times: tuple[list[float], list[int]] | None = None  # sorted stamps, their rows
        self._facet_cache: tuple[tuple, list[int]] | None = None
        # words → which distinct texts hold every one; the most recent last.
        self._word_cache: dict[tuple[str, ...], _Found] = {}

    def __len__(self) -> int:
        return self._size

    def prepare(self) -> TimelineIndex:
        """Build every per-row table now (safe to run in a worker thread before first use)."""
        self._search_texts()
        self._status_codes()
        self._source_codes()
        self._direction_codes()
        self._sorted_times()
        return self

    # -- the tables, each built on first use ------------------------------------------

    def _search_texts(self) -> list[str]:
        if self._texts is None:
            numbers: dict[str, int] = {}
            self._text_of_row = [
                numbers.setdefault(haystack(item), len(numbers)) for item in self.items
            ]
            self._texts = list(numbers)  # a dict keeps insertion order: position = number
        return self._texts

    def _status_codes(self) -> bytes:
        if self._status is None:
            statuses = [item.status for item in self.items]
            code = {word: filter_status_code(word) for word in set(statuses)}  # few distinct words
            self._status = bytes(map(code.__getitem__, statuses))
        return self._status

    def _source_codes(self) -> bytes:
        if self._sources is None:
            self._sources = bytes(_SOURCE_CODES.get(item.source, 0) for item in self.items)
        return self._sources

    def _direction_codes(self) -> bytes:
        if self._directions is None:
            self._directions = bytes(_DIRECTION_CODES.get(item.direction, 0) for item in self.items)
        return self._directions

    def _sorted_times(self) -> tuple[list[float], list[int]]:
        if self._times is None:
            stamped = []
            for row, item in enumerate(self.items):
                stamp = _stamp(item.occurred_at)
                if stamp is not None:  # an undated row is never inside a date range
                    stamped.append((stamp, row))
            stamped.sort()
            self._times = ([s for s, _ in stamped], [r for _, r in stamped])
        return self._times

    # -- matching ---------------------------------------------------------------------

    def matching(self, flt: TimelineFilter) -> list[int]:
        """Row positions (ascending, i.e. in the given order) that pass the filter. Every
        loop over rows here runs in C (map/compress over prepared lists)."""
        rows = self._facet_rows((flt.since, flt.until, flt.status, flt.source, flt.direction))
        words = flt.words
        if not words:
            return list(rows)
        found = self._texts_with(words)
        if len(rows) == self._size:
            return list(compress(rows, map(found.__getitem__, self._text_of_row)))
        return list(
            compress(rows, map(found.__getitem__, map(self._text_of_row.__getitem__, rows)))
        )

    def _texts_with(self, words: tuple[str, ...]) -> list[bool]:
        """For each distinct text, whether it holds every word. Starts from the smallest
        remembered answer that already holds some of the words ("ot" for "otp") when that
        answer is small; otherwise scans every text (as fast as narrowing a large answer)."""
        cache = self._word_cache
        if words in cache:
            cache[words] = cache.pop(words)  # most recent last
            return cache[words].flags
        texts = self._search_texts()
        best: _Found | None = None
        cheapest: float = len(texts) * len(words)  # scanning every text for every word
        for found in cache.values():
            if all(any(old in new for new in words) for old in found.words):
                cost = found.cost_to_narrow(words)
                if cost < cheapest:
                    best, cheapest = found, cost
        flags: list[bool] | None = None
        positions = best.positions() if best is not None else None
        for word in words:
            if best is not None and any(word in old for old in best.words):
                continue  # every text of the start holds it already
            if positions is not None:
                positions = list(
                    compress(
                        positions,
                        map(operator.contains, map(texts.__getitem__, positions), repeat(word)),
                    )
                )
            elif flags is None:
                flags = list(map(operator.contains, texts, repeat(word)))
            else:
                flags = list(map(operator.and_, flags, map(operator.contains, texts, repeat(word))))
        if positions is not None:
            flags = [False] * len(texts)
            deque(map(flags.__setitem__, positions, repeat(True)), maxlen=0)
        elif flags is None:  # no words at all: every text holds each of none
            flags = [True] * len(texts)
        cache[words] = _Found(words, flags, positions)
        while len(cache) > WORD_CACHE_SIZE:
            del cache[next(iter(cache))]
        return flags

    def _facet_rows(self, facets: tuple) -> list[int]:
        """Rows allowed by everything but the text, cached: these change per click, not
        per keystroke."""
        if self._facet_cache is not None and self._facet_cache[0] == facets:
            return self._facet_cache[1]
        since, until, status, source, direction = facets
        masks = []
        if status != "all":
            masks.append(_mask_of(self._status_codes(), _STATUS_CODES[status]))
        if source is not None:
            masks.append(_mask_of(self._source_codes(), _SOURCE_CODES[source]))
        if direction is not None:
            masks.append(_mask_of(self._direction_codes(), _DIRECTION_CODES[direction]))
        if since is not None or until is not None:
            masks.append(self._date_mask(since, until))
        if not masks:
            rows = list(range(self._size))
        else:
            mask = masks[0]
            for other in masks[1:]:  # bytewise AND of 0/1 bytes, at C speed
                mask = (int.from_bytes(mask, "big") & int.from_bytes(other, "big")).to_bytes(
                    self._size, "big"
                )
            rows = list(compress(range(self._size), mask))
        self._facet_cache = (facets, rows)
        return rows

    def _date_mask(self, since: datetime | None, until: datetime | None) -> bytes:
        stamps, rows = self._sorted_times()
        since_stamp, until_stamp = _stamp(since), _stamp(until)  # None: no bound
        low = 0 if since_stamp is None else bisect.bisect_left(stamps, since_stamp)
        high = len(stamps) if until_stamp is None else bisect.bisect_left(stamps, until_stamp)
        mask = bytearray(self._size)
        if high > low:
            deque(map(mask.__setitem__, rows[low:high], repeat(1)), maxlen=0)  # C-level loop
        return bytes(mask)


class _Found:
    """One remembered text search: per distinct text, whether it holds every word."""

    __slots__ = ("words", "flags", "hits", "_positions")

    def __init__(self, words: tuple[str, ...], flags: list[bool], positions: list[int] | None):
        self.words, self.flags, self._positions = words, flags, positions
        self.hits = len(positions) if positions is not None else flags.count(True)

    def cost_to_narrow(self, words: tuple[str, ...]) -> float:
        """Roughly, in "texts scanned": a narrowed text costs about 1.5 scanned ones (one
        more lookup), and listing the positions of a flags list about a third of one."""
        left = sum(1 for word in words if not any(word in old for old in self.words))
        listing = 0 if self._positions is not None else len(self.flags) / 3
        return self.hits * 1.5 * left + listing

    def positions(self) -> list[int]:
        if self._positions is None:
            self._positions = list(compress(range(len(self.flags)), self.flags))
        return self._positions


def _mask_of(codes: bytes, wanted: int) -> bytes:
    """One byte a row: 1 where the code equals `wanted` (bytes.translate runs in C)."""
    table = bytes(1 if code == wanted else 0 for code in range(256))
    return codes.translate(table)


def _stamp(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def counts_by_channel(interactions: Sequence[Interaction], rows: Sequence[int]) -> dict[str, int]:
    """How many of the matching rows each channel has: the "3" of "SMS 3 of 10"."""
    return dict(Counter(interactions[row].channel for row in rows))


# -- for the CLI (and any caller holding a whole result) -----------------------------------

SOURCE_WORDS = {
    "capillary": Source.CAPILLARY,
    "ctrlhub": Source.CTRLHUB,
    "ctrl-hub": Source.CTRLHUB,
    "both": None,
    "all": None,
}
DIRECTION_WORDS = {
    "inbound": Direction.INBOUND,
    "in": Direction.INBOUND,
    "outbound": Direction.OUTBOUND,
    "out": Direction.OUTBOUND,
    "both": None,
    "all": None,
}


def build_filter(
    now: datetime,
    *,
    text: str = "",
    since: str | None = None,
    until: str | None = None,
    status: str = "all",
    source: str | None = None,
    direction: str | None = None,
) -> TimelineFilter:
    """A filter from words as typed (`lookup --since 7d --status problems --source ctrl-hub`).
    A preset name ("30d", "today") given as `since` keeps its name for describe(). Every
    bad word raises BadInput with what would work; nothing has been sent yet."""
    period = ""
    since_at = until_at = None
    if since:
        word = since.strip().lower()
        if word in PRESETS:
            since_at, _ = preset_range(word, now)
            period = word
        else:
            since_at = parse_when(since, now)
    if until:
        until_at, period = parse_when(until, now, end=True), ""
    if since_at and until_at and since_at >= until_at:
        raise BadInput(f"The range is empty: {since} is not before {until}.")
    return TimelineFilter(
        text=text or "",
        since=since_at,
        until=until_at,
        status=_word(status or "all", {w: w for w in STATUS_CHOICES}, "status"),
        source=_word(source, SOURCE_WORDS, "source"),
        direction=_word(direction, DIRECTION_WORDS, "direction"),
        period=period,
    )


def _word(value: str | None, words: dict, what: str):
    if value is None:
        return None
    key = value.strip().lower()
    if key not in words:
        raise BadInput(f"“{value[:40]}” is not a {what}; use one of: {', '.join(words)}.")
    return words[key]


def filtered_result(result: LookupResult, flt: TimelineFilter) -> LookupResult:
    """The result with only the matching rows. Each itemised channel's count becomes
    "matching of listed" (so a tab reads "SMS (3 of 10)"); missed calls, a count without
    rows, keep their number."""
    rows = TimelineIndex(result.interactions).matching(flt)
    kept = [result.interactions[row] for row in rows]
    matched = counts_by_channel(result.interactions, rows)
    counts = {
        channel: (
            ChannelCount(channel, matched.get(channel, 0), count.listed, True)
            if count.itemised
            else count
        )
        for channel, count in result.counts.items()
    }
    return replace(result, interactions=kept, counts=counts)


def filter_json(
    result: LookupResult, flt: TimelineFilter, shown: LookupResult
) -> dict[str, object]:
    """The `"filter"` member of `lookup --json`: the filter, and how many rows it kept."""
    return {
        **flt.to_json(),
        "matched": len(shown.interactions),
        "of": len(result.interactions),
        "counts": {c: n.listed if n.itemised else n.total for c, n in shown.counts.items()},
    }
