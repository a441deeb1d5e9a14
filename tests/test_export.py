"""Export: CSV of the filtered timeline, the printable report, the ticket summary."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from tests.conftest import CTRLHUB_MOBILE, capillary_client, ctrlhub_client
from viewer.domain import (
    Customer,
    Direction,
    IdentifierKind,
    Interaction,
    LookupResult,
    Query,
    Source,
)
from viewer.export import CSV_COLUMNS, REPORT_ROW_LIMIT, customer_summary, report_html, to_csv
from viewer.lookup import LookupService
from viewer.timeline import TimelineFilter, TimelineIndex, build_filter

IST = timezone(timedelta(hours=5, minutes=30))
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
ATTACK = "<script>alert('x')</script>"


def row(
    n,
    subject="Hello",
    *,
    notes=None,
    counterpart="919845012345",
    status="DELIVERED",
    source=Source.CAPILLARY,
    when=datetime(2025, 5, 1, 9, 30, tzinfo=IST),
    campaign=None,
):
    return Interaction(
        source,
        str(n),
        "sms",
        Direction.OUTBOUND,
        when,
        status,
        subject,
        counterpart,
        campaign_id=campaign,
        notes=notes,
    )


def result_of(rows, customer=None) -> LookupResult:
    return LookupResult(
        Query(IdentifierKind.MOBILE, "919845012345"),
        customer or Customer(name="Priya Sharma", mobile="919845012345"),
        rows,
        {},
        [],
        [],
        NOW,
    )


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -- CSV -------------------------------------------------------------------------------------


def test_csv_has_a_header_and_every_row_with_offset_times():
    rows = [
        row(1, "Your OTP is ******", campaign="1241780"),
        row(
            2,
            "Called back",
            notes='Line one\nLine two, "quoted"',
            source=Source.CTRLHUB,
            counterpart="Mr Oliver Smith",
            status="awaiting_callback",
        ),
    ]
    text = to_csv(rows)
    assert text.splitlines()[0].split(",") == list(CSV_COLUMNS)
    back = parsed(text)
    assert [r["id"] for r in back] == ["1", "2"]
    assert back[0]["occurred_at"] == "2025-05-01T09:30:00+05:30"
    assert datetime.fromisoformat(back[0]["occurred_at"]) == rows[0].occurred_at
    assert back[0]["campaign_id"] == "1241780" and back[0]["status_label"] == "Delivered"
    assert back[1]["notes"] == 'Line one\nLine two, "quoted"'  # commas, quotes, newlines survive
    assert back[1]["status_label"] == "Awaiting callback" and back[1]["source"] == "ctrlhub"


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_quoted(cell):
    back = parsed(to_csv([row(1, cell, counterpart=cell, notes=cell)]))[0]
    for column in ("subject", "counterpart", "notes"):
        assert back[column] == "'" + cell  # shown as text, never evaluated
    # Ordinary text is left exactly as it was.
    assert parsed(to_csv([row(2, "Sale -20% = great")]))[0]["subject"] == "Sale -20% = great"


def test_csv_takes_a_field_that_is_not_text_without_breaking():
    # a parser slip: numbers, one absurdly long
    odd = row(1, "=1+1").changed(campaign_id=-5, user_id=10**5000)
    back = parsed(to_csv([odd, row(2)]))
    assert back[0]["campaign_id"] == "'-5" and back[0]["subject"] == "'=1+1"
    assert back[0]["user_id"] == "(a number too long to write)" and back[1]["id"] == "2"


@pytest.mark.asyncio
async def test_csv_of_the_filtered_timeline_holds_exactly_the_matching_rows(demo_server):
    service = LookupService([capillary_client(demo_server.url), ctrlhub_client(demo_server.url)])
    try:
        result = await service.lookup(Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE))
    finally:
        await service.aclose()
    flt = TimelineFilter(status="problems")
    rows = [result.interactions[r] for r in TimelineIndex(result.interactions).matching(flt)]
    back = parsed(to_csv(rows))
    assert [(r["source"], r["channel"], r["id"]) for r in back] == [i.key for i in rows]
    assert "awaiting_callback" in {r["status"] for r in back}
    assert not {r["status"] for r in back} & {"DELIVERED", "completed", "OPENED"}


# -- the printable report --------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def test_report_escapes_every_server_string_and_loads_nothing():
    customer = Customer(
        name=f'"><img src=x onerror=alert(1)>{ATTACK}',
        mobile="919845012345",
        extra={ATTACK: "<iframe src=//evil>"},
    )
    rows = [
        row(
            1,
            ATTACK,
            notes=f"</td></tr></table>{ATTACK}",
            counterpart="<b>bold</b>",
            status="<svg onload=alert(1)>",
        )
    ]
    page = report_html(
        result_of(rows, customer), build_filter(NOW, text=ATTACK, status="problems"), rows, NOW
    )
    seen = Tags()
    seen.feed(page)
    assert seen.tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "p",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
    assert not seen.attrs & {"src", "href", "onerror", "onload"}
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page  # shown, as text
    assert "default-src 'none'" in page  # and the browser is told to fetch nothing
    assert "Problems · “<script>" not in page and "Problems · “&lt;script&gt;" in page


def test_report_shows_the_card_the_filter_and_the_rows():
    rows = [row(n, f"Message {n}") for n in range(3)]
    page = report_html(
        result_of(rows + [row(9, "Other")]), TimelineFilter(text="message"), rows, NOW
    )
    assert "Priya Sharma" in page and "919845012345" in page
    assert "“message” — 3 of 4 rows" in page
    assert page.count("<tr><td>") == 3
    assert 'title="DELIVERED: the message reached' in page  # the badge's explanation


def test_a_huge_report_is_cut_and_says_so():
    rows = [row(n) for n in range(REPORT_ROW_LIMIT + 10)]
    page = report_html(result_of(rows), None, rows, NOW)
    assert page.count("<tr><td>") == REPORT_ROW_LIMIT
    assert f"Showing the first {REPORT_ROW_LIMIT:,} of {REPORT_ROW_LIMIT + 10:,} rows" in page


# -- the ticket summary ----------------------------------------------------------------------


def test_summary_for_a_ticket_names_the_customer_ids_last_contact_and_open_items():
    customer = Customer(
        name="Oliver Smith",
        mobile="447700900123",
        external_id="CRM-100247",
        source_ids={"capillary": "381204129", "ctrlhub": "c8ee4c69"},
    )
    rows = [
        row(1, "Receipt", when=NOW - timedelta(days=3)),
        row(
            2,
            "Call back about the boiler",
            source=Source.CTRLHUB,
            status="awaiting_callback",
            when=NOW - timedelta(days=6),
            notes="Wants a call back \x1b[2J today",
        ),
    ]
    text = customer_summary(result_of(rows, customer), NOW)
    lines = text.splitlines()
    assert lines[0] == "Customer: Oliver Smith"
    assert "External id: CRM-100247" in lines and "Capillary id: 381204129" in lines
    assert "Last contact 3 d ago, SMS, delivered" in lines
    assert "Open items: 1" in lines
    assert any(line.startswith("  - Open: Awaiting callback — 6 d ago") for line in lines)
    assert "\x1b" not in text and "<U+001B>" in text  # pasted into a ticket, nothing hidden
    empty = customer_summary(result_of([]), NOW)
    assert "Last contact: none on record" in empty and "Open items: none" in empty
