"""What needs attention: open Ctrl-Hub items, last contact, last failure, flagged notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE, capillary_client, ctrlhub_client
from viewer.attention import FLAG_KEYWORDS, attention
from viewer.domain import (
    Customer,
    Direction,
    IdentifierKind,
    Interaction,
    LookupResult,
    Query,
    Source,
)
from viewer.lookup import LookupService

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


async def lookup(server_url: str, mobile: str) -> LookupResult:
    service = LookupService([capillary_client(server_url), ctrlhub_client(server_url)])
    try:
        return await service.lookup(Query(IdentifierKind.MOBILE, mobile))
    finally:
        await service.aclose()


def item(
    n,
    *,
    status="completed",
    when=NOW - timedelta(days=1),
    source=Source.CTRLHUB,
    channel="phone",
    notes=None,
    subject="",
) -> Interaction:
    return Interaction(
        source,
        f"id-{n}",
        channel,
        Direction.OUTBOUND,
        when,
        status,
        subject,
        "Mr Test",
        notes=notes,
    )


def result_of(*items: Interaction) -> LookupResult:
    rows = sorted(
        items, key=lambda i: i.occurred_at or datetime.min.replace(tzinfo=UTC), reverse=True
    )
    return LookupResult(
        Query(IdentifierKind.MOBILE, "447700900999"), Customer(name="Test"), rows, {}, [], [], NOW
    )


@pytest.mark.asyncio
async def test_oliver_has_his_awaiting_callback_item_and_it_leads_to_its_row(demo_server):
    result = await lookup(demo_server.url, CTRLHUB_MOBILE)
    now = datetime.now(UTC)
    entries = attention(result, now)
    by_key = {i.key: i for i in result.interactions}
    assert all(entry.key in by_key for entry in entries)  # every entry clicks through to a row
    callbacks = [e for e in entries if e.kind == "open" and "Awaiting callback" in e.text]
    assert len(callbacks) == 1
    assert by_key[callbacks[0].key].status == "awaiting_callback"
    assert entries[0] is callbacks[0]  # the customer waiting on us comes first
    # His scheduled items are open too; nothing from Capillary is an "open item".
    opened = [by_key[e.key] for e in entries if e.kind == "open"]
    assert {i.status for i in opened} == {"awaiting_callback", "scheduled"}
    assert all(i.source is Source.CTRLHUB for i in opened)
    last = next(e for e in entries if e.kind == "last_contact")
    newest = max(
        (
            i
            for i in result.interactions
            if i.occurred_at and i.occurred_at <= now and i.status != "scheduled"
        ),
        key=lambda i: i.occurred_at,
    )
    assert last.key == newest.key and last.text.startswith("Last contact ")
    assert " ago, " in last.text


@pytest.mark.asyncio
async def test_priya_last_failed_message_and_complaint_note(demo_server):
    result = await lookup(demo_server.url, TYPICAL_MOBILE)
    entries = attention(result, datetime.now(UTC))
    by_key = {i.key: i for i in result.interactions}
    failed = next(e for e in entries if e.kind == "last_failed")
    problems = [
        i
        for i in result.interactions
        if i.status in ("FAILED", "NOT-DELIVERED", "DND_BLOCKED", "HARD_BOUNCED", "GTW_NOT_FOUND")
    ]
    assert by_key[failed.key] == problems[0]  # the newest one
    flagged = [e for e in entries if e.kind == "flagged"]
    assert flagged and "complaint" in (by_key[flagged[0].key].notes or "").lower()


def test_last_contact_says_when_how_and_what_happened():
    entries = attention(
        result_of(
            item(
                1,
                status="DELIVERED",
                source=Source.CAPILLARY,
                channel="sms",
                when=NOW - timedelta(days=3),
            ),
            item(2, status="scheduled", when=NOW + timedelta(days=2)),  # not a contact yet
            item(3, when=NOW - timedelta(days=9)),
        ),
        NOW,
    )
    last = next(e for e in entries if e.kind == "last_contact")
    assert last.text == "Last contact 3 d ago, SMS, delivered" and last.key == (
        "capillary",
        "sms",
        "id-1",
    )
    opened = [e.text for e in entries if e.kind == "open"]
    assert opened == ["Open: Scheduled — in 2 d, Phone"]


def test_flag_words_live_in_one_list_and_match_whole_word_starts():
    assert "complain" in FLAG_KEYWORDS and "vulnerab" in FLAG_KEYWORDS
    entries = attention(
        result_of(
            item(1, notes="Customer is VULNERABLE: hearing impaired, use text relay."),
            item(2, notes="Uncomplaining, happy with the visit."),  # not at a word start
            item(
                3, notes="Raised a formal complaint about the delay.", when=NOW - timedelta(days=5)
            ),
            item(
                4, subject="complaint", source=Source.CAPILLARY, channel="email"
            ),  # marketing text
        ),
        NOW,
    )
    flagged = [(e.key[2], e.text) for e in entries if e.kind == "flagged"]
    assert [key for key, _ in flagged] == ["id-1", "id-3"]
    assert "“VULNERABLE”" in flagged[0][1] and "“complaint”" in flagged[1][1]


def test_server_text_in_an_entry_is_made_visible_and_bounded():
    note = "complaint \x1b]52;c;ZWNobyBoaQ==\x07 \u202eexe.txt " + "x" * 5000
    entries = attention(result_of(item(1, status="awaiting_callback", notes=note)), NOW)
    for entry in entries:
        assert "\x1b" not in entry.text and "\u202e" not in entry.text and len(entry.text) < 400
    assert any("<U+001B>" in e.text for e in entries)


def test_many_open_items_are_summed_up_and_nothing_breaks_without_times():
    rows = [item(n, status="awaiting_customer", when=NOW - timedelta(hours=n)) for n in range(12)]
    rows.append(item(99, status="open").changed(occurred_at=None))
    entries = attention(result_of(*rows), NOW)
    opened = [e for e in entries if e.kind == "open"]
    assert len(opened) == 6 and opened[-1].text == "… and 8 more open items"
    assert attention(result_of(), NOW) == []
