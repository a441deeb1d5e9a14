"""The timeline filter the window's filter bar and `lookup --status/--since/--search` share."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE, capillary_client, ctrlhub_client
from viewer.domain import (
    BadInput,
    ChannelCount,
    Direction,
    IdentifierKind,
    Interaction,
    Query,
    Source,
    status_display,
    status_explanation,
)
from viewer.lookup import LookupService
from viewer.present import all_tab_label, relative_age, tab_label
from viewer.timeline import (
    TimelineFilter,
    TimelineIndex,
    build_filter,
    counts_by_channel,
    parse_when,
    preset_range,
    status_class,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
# What the issue calls Problems: failed, bounced, blocked, not delivered, open callbacks.
PROBLEM_WORDS = {
    "FAILED",
    "failed",
    "NOT-DELIVERED",
    "NOT_DELIVERED",
    "SOFT_BOUNCED",
    "HARD_BOUNCED",
    "BLOCKED",
    "DND_BLOCKED",
    "GTW_NOT_FOUND",
    "TIMEOUT",
    "RATE_LIMIT_EXCEEDED",
    "awaiting_callback",
}
GOOD_WORDS = {"DELIVERED", "OPENED", "CLICKED", "READ", "COMPLETED", "completed"}


async def lookup(server_url: str, mobile: str):
    service = LookupService([capillary_client(server_url), ctrlhub_client(server_url)])
    try:
        return await service.lookup(Query(IdentifierKind.MOBILE, mobile))
    finally:
        await service.aclose()


def row(
    n: int,
    *,
    status="DELIVERED",
    subject="",
    notes=None,
    counterpart="919845012345",
    when: datetime | None = NOW,
    source=Source.CAPILLARY,
    direction=Direction.OUTBOUND,
    channel="sms",
    campaign=None,
) -> Interaction:
    return Interaction(
        source,
        str(n),
        channel,
        direction,
        when,
        status,
        subject,
        counterpart,
        campaign_id=campaign,
        notes=notes,
    )


def matched(items, flt: TimelineFilter) -> list[Interaction]:
    return [items[r] for r in TimelineIndex(items).matching(flt)]


# -- the demo customers, through the real lookup service ---------------------------------


@pytest.mark.asyncio
async def test_problems_on_priya_shows_exactly_her_failed_blocked_and_undelivered_rows(demo_server):
    result = await lookup(demo_server.url, TYPICAL_MOBILE)
    shown = matched(result.interactions, TimelineFilter(status="problems"))
    expected = [i for i in result.interactions if i.status in PROBLEM_WORDS]
    assert shown == expected  # same rows, same newest-first order
    assert {i.status for i in shown} >= {"NOT-DELIVERED", "FAILED", "DND_BLOCKED"}
    assert len(shown) < len(result.interactions)  # delivered, sent, completed… are left out
    # Delivered and read: the other side.
    good = matched(result.interactions, TimelineFilter(status="good"))
    assert good == [i for i in result.interactions if i.status in GOOD_WORDS]


@pytest.mark.asyncio
async def test_source_direction_and_text_on_oliver(demo_server):
    result = await lookup(demo_server.url, CTRLHUB_MOBILE)
    items = result.interactions
    ctrlhub = matched(items, TimelineFilter(source=Source.CTRLHUB))
    assert ctrlhub and all(i.source is Source.CTRLHUB for i in ctrlhub)
    assert len(ctrlhub) + len(matched(items, TimelineFilter(source=Source.CAPILLARY))) == len(items)
    inbound = matched(items, TimelineFilter(direction=Direction.INBOUND))
    assert inbound == [i for i in items if i.direction is Direction.INBOUND]
    # A word from a Ctrl-Hub note (German, any case) finds the open callback.
    found = matched(items, TimelineFilter(text="RÜCKRUF"))
    assert "awaiting_callback" in [i.status for i in found]
    assert all("rückruf" in f"{i.subject} {i.notes}".casefold() for i in found)


# -- dates ---------------------------------------------------------------------------------


def test_presets_give_the_range_an_agent_expects():
    assert preset_range("7d", NOW) == (NOW - timedelta(days=7), None)
    assert preset_range("90d", NOW) == (NOW - timedelta(days=90), None)
    assert preset_range("all", NOW) == (None, None)
    since, until = preset_range("today", NOW)
    assert since == NOW.replace(hour=0) and until is None
    with pytest.raises(BadInput, match="not a date range"):
        preset_range("fortnight", NOW)


def test_typed_times_and_junk():
    assert parse_when("7d", NOW) == NOW - timedelta(days=7)
    assert parse_when("24h", NOW) == NOW - timedelta(hours=24)
    assert parse_when("2025-01-01", NOW) == datetime(2025, 1, 1, tzinfo=UTC)
    # As an end, a plain date includes that whole day.
    assert parse_when("2025-01-31", NOW, end=True) == datetime(2025, 2, 1, tzinfo=UTC)
    ist = timezone(timedelta(hours=5, minutes=30))
    assert parse_when("2025-01-01", NOW.astimezone(ist)) == datetime(2025, 1, 1, tzinfo=ist)
    for junk in ("yesterday-ish", "7 parsecs", "", "2025-13-45", "\x1b[2J"):
        with pytest.raises(BadInput, match="is not a time"):
            parse_when(junk, NOW)


def test_date_range_keeps_rows_inside_it_and_drops_undated_ones():
    items = [row(i, when=NOW - timedelta(days=i)) for i in range(40)] + [row(99, when=None)]
    last_week = matched(items, TimelineFilter(since=NOW - timedelta(days=7)))
    assert [i.id for i in last_week] == [str(n) for n in range(8)]  # day 7 is the edge, included
    window = matched(items, build_filter(NOW, since="2025-05-20", until="2025-05-21"))
    assert [i.occurred_at.date().isoformat() for i in window] == ["2025-05-21", "2025-05-20"]
    assert matched(items, TimelineFilter()) == items  # no filter: everything, undated too
    with pytest.raises(BadInput, match="range is empty"):
        build_filter(NOW, since="2025-06-01", until="2025-01-01")


# -- text ----------------------------------------------------------------------------------


def test_text_searches_subject_notes_contact_status_and_campaign_with_every_word():
    items = [
        row(0, subject="Your OTP is ******"),
        row(1, notes="Customer asked about the boiler", source=Source.CTRLHUB),
        row(2, counterpart="Mrs Amelia Jones", source=Source.CTRLHUB),
        row(3, status="GTW_NOT_FOUND", subject="Sample"),
        row(4, campaign="1241780", subject="Promo"),
    ]
    assert [i.id for i in matched(items, TimelineFilter(text="otp"))] == ["0"]
    assert [i.id for i in matched(items, TimelineFilter(text="BOILER"))] == ["1"]
    assert [i.id for i in matched(items, TimelineFilter(text="amelia jones"))] == ["2"]
    assert [i.id for i in matched(items, TimelineFilter(text="no gateway"))] == ["3"]  # the label
    assert [i.id for i in matched(items, TimelineFilter(text="gtw_not"))] == ["3"]  # the word
    assert [i.id for i in matched(items, TimelineFilter(text="1241780"))] == ["4"]
    assert matched(items, TimelineFilter(text="otp boiler")) == []  # every word must match
    # Unicode: decomposed and full-width text from a server still matches what is typed.
    odd = [
        row(0, subject="Zoe\u0308 Mu\u0308ller"),
        row(1, subject="ＯＴＰ １２３４"),
        row(2, notes="Straße"),
    ]
    assert [i.id for i in matched(odd, TimelineFilter(text="zoë müller"))] == ["0"]
    assert [i.id for i in matched(odd, TimelineFilter(text="otp 1234"))] == ["1"]
    assert [i.id for i in matched(odd, TimelineFilter(text="STRASSE"))] == ["2"]


def test_typing_narrows_and_backspace_widens_again():
    subjects = ["otp 1", "other", "pot", "OTP 2", "x"]
    items = [row(i, subject=s, counterpart="") for i, s in enumerate(subjects)]
    index = TimelineIndex(items)
    seen = {
        text: [items[r].subject for r in index.matching(TimelineFilter(text=text))]
        for text in ("o", "ot", "otp", "ot", "", "otp 2", "otp")
    }
    assert seen["o"] == ["otp 1", "other", "pot", "OTP 2"]
    assert seen["ot"] == ["otp 1", "other", "pot", "OTP 2"]
    assert seen["otp"] == ["otp 1", "OTP 2"]
    assert seen["otp 2"] == ["OTP 2"]
    assert seen[""] == [i.subject for i in items]
    # After narrowing with other facets, changing a facet starts from all rows again.
    assert index.matching(TimelineFilter(text="otp", status="problems")) == []
    assert len(index.matching(TimelineFilter(text="otp"))) == 2


# -- words on screen -----------------------------------------------------------------------


def test_describe_says_the_filter_in_words():
    assert TimelineFilter().describe() == "No filter" and TimelineFilter().is_empty
    flt = build_filter(NOW, text="  otp ", since="30d", status="problems")
    assert flt.describe() == "Problems · last 30 days · “otp”" and not flt.is_empty
    flt = build_filter(NOW, since="2025-01-01", until="2025-01-31", source="ctrl-hub")
    assert flt.describe() == "2025-01-01 to 2025-02-01 · Ctrl-Hub only"
    with pytest.raises(BadInput, match="not a status"):
        build_filter(NOW, status="broken")
    with pytest.raises(BadInput, match="not a source"):
        build_filter(NOW, source="salesforce")


def test_statuses_read_in_plain_words_with_a_tooltip():
    assert status_display("awaiting_callback") == ("Awaiting callback", "pending")
    assert status_class("awaiting_callback") == "pending"
    assert status_class("NOT-DELIVERED") == "problem" and status_class("OPENED") == "good"
    assert status_class("QUEUED_FOR_RETRY") == "pending" and status_class("whatever") == "other"
    assert status_display("awaiting_parts")[0] == "Awaiting parts"  # an unlisted awaiting_ word
    assert status_explanation("GTW_NOT_FOUND") == "GTW_NOT_FOUND: the SMS gateway was not found"
    assert "does not know" in status_explanation("QUUX")


def test_tab_counts_follow_the_filter_with_thousands_separators():
    items = [row(i, channel="sms", status="FAILED" if i < 3 else "DELIVERED") for i in range(10)]
    items += [row(100 + i, channel="email") for i in range(1200)]
    rows = TimelineIndex(items).matching(TimelineFilter(status="problems"))
    counts = counts_by_channel(items, rows)
    assert counts == {"sms": 3}
    assert tab_label(ChannelCount("sms", 10, 10), counts.get("sms", 0)) == "SMS (3 of 10)"
    assert (
        tab_label(ChannelCount("email", 1200, 1200), counts.get("email", 0))
        == "E-mail (0 of 1,200)"
    )
    assert tab_label(ChannelCount("email", 100_000, 130_000)) == "E-mail (100,000 of 130,000)"
    # Missed calls are a count without rows: the filter leaves it alone, All does not include it.
    assert tab_label(ChannelCount("missed_call", 0, 4, itemised=False), 0) == "Missed calls (4)"
    assert (
        all_tab_label(1210, 3) == "All (3 of 1,210)" and all_tab_label(100_000) == "All (100,000)"
    )


def test_relative_age():
    assert relative_age(NOW - timedelta(seconds=20), NOW) == "just now"
    assert relative_age(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert relative_age(NOW - timedelta(days=3, hours=2), NOW) == "3 d ago"
    assert relative_age(NOW + timedelta(days=2, hours=1), NOW) == "in 2 d"
    assert relative_age(None, NOW) == ""


# -- the index agrees with the plain reading of the filter --------------------------------

WORDS = ["otp", "ot", "o", "Boiler", "ü", "Ü", "delivered", "not", "sms", "x", "1241"]
STATUSES = [
    "DELIVERED",
    "NOT-DELIVERED",
    "FAILED",
    "awaiting_callback",
    "scheduled",
    "completed",
    "SENT",
    "MARKED_SPAM",
    "weird",
    "",
]
OFFSETS = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
times = st.one_of(
    st.none(),
    st.builds(
        lambda hours, tz: (NOW - timedelta(hours=hours)).astimezone(tz),
        st.integers(-48, 24 * 200),
        st.sampled_from(OFFSETS),
    ),
)
texts = st.lists(st.sampled_from(WORDS + ["Ü-Boiler", "otp 1241", "nothing"]), max_size=3).map(
    " ".join
)
interactions = st.lists(
    st.builds(
        lambda n, status, subject, notes, when, source, direction: row(
            n,
            status=status,
            subject=subject,
            notes=notes or None,
            when=when,
            source=source,
            direction=direction,
        ),
        st.integers(0, 10**6),
        st.sampled_from(STATUSES),
        texts,
        texts,
        times,
        st.sampled_from(list(Source)),
        st.sampled_from(list(Direction)),
    ),
    max_size=40,
)
filters = st.builds(
    TimelineFilter,
    text=st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
    since=st.one_of(st.none(), times),
    until=st.one_of(st.none(), times),
    status=st.sampled_from(["all", "problems", "good"]),
    source=st.one_of(st.none(), st.sampled_from(list(Source))),
    direction=st.one_of(st.none(), st.sampled_from(list(Direction))),
)


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def reference(items: list[Interaction], flt: TimelineFilter) -> list[int]:
    """The filter read literally, one row at a time."""
    keep = []
    for n, item in enumerate(items):
        fields = [
            item.subject,
            item.notes or "",
            item.counterpart,
            item.status,
            status_display(item.status)[0],
            item.campaign_id or "",
        ]
        if (
            flt.source
            and item.source != flt.source
            or flt.direction
            and item.direction != flt.direction
        ):
            continue
        if flt.status == "problems" and item.status not in PROBLEM_WORDS:
            continue
        if flt.status == "good" and item.status not in GOOD_WORDS:
            continue
        if (flt.since or flt.until) and item.occurred_at is None:
            continue
        if (
            flt.since
            and item.occurred_at < flt.since
            or flt.until
            and item.occurred_at >= flt.until
        ):
            continue
        if all(any(norm(w) in norm(f) for f in fields) for w in flt.text.split()):
            keep.append(n)
    return keep


@settings(max_examples=300, deadline=None)
@given(interactions, st.lists(filters, min_size=1, max_size=6))
def test_the_index_matches_a_naive_reading_of_every_filter_in_turn(items, sequence):
    index = TimelineIndex(items)  # one index, many filters: its caches must never go stale
    for flt in sequence:
        assert index.matching(flt) == reference(items, flt)
