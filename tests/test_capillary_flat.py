"""Capillary's flat reply read straight from its bytes (viewer/sources/capillary_flat.py)
means what the general reader makes of json.loads: the same rows, raw items, counts,
warnings and card; or the fast path declines (None) and the general reader answers."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests import seeds
from tests.test_capillary_parse import _mutations, _replace, json_values
from viewer.domain import IdentifierKind, Query, RawJson, SourceResult, ViewerError
from viewer.sources import capillary_flat, capillary_parse
from viewer.sources.capillary_parse import parse_flat_body, parse_interaction_reply

MOBILE = Query(IdentifierKind.MOBILE, "917385022695")
KOLKATA = ZoneInfo("Asia/Kolkata")


def both(body: bytes) -> tuple[SourceResult | None, SourceResult | Exception]:
    fast = parse_flat_body(body, MOBILE, KOLKATA)
    try:
        general: SourceResult | Exception = parse_interaction_reply(
            json.loads(body), MOBILE, KOLKATA
        )
    except (ViewerError, ValueError, RecursionError) as exc:
        general = exc
    return fast, general


def assert_same(fast: SourceResult, general: SourceResult | Exception) -> None:
    assert isinstance(general, SourceResult), general
    assert fast.interactions == general.interactions
    for mine, theirs in zip(fast.interactions, general.interactions, strict=True):
        for when, same in (
            (mine.occurred_at, theirs.occurred_at),
            (mine.delivered_at, theirs.delivered_at),
        ):
            assert (when and (when.tzinfo, when.utcoffset(), when.fold)) == (
                same and (same.tzinfo, same.utcoffset(), same.fold)
            )
        assert mine.document() == theirs.document()
    assert fast.counts == general.counts
    assert fast.warnings == general.warnings
    assert fast.customer == general.customer


def usual_message(number: int) -> dict:
    return {
        "id": 1730312568951 + number,
        "receiver": "919999900000",
        "subject": f"Viber exclusive: free delivery #{number}",
        "campaignId": 361648,
        "status": "DELIVERED",
        "sentDate": f"02-11-2024 15:{number % 60:02d}:52",
        "deliveredTime": "2024-11-02T11:51:59Z",
        "userId": 381204125,
    }


def flat(*messages: object, **top: object) -> bytes:
    channels = [{"name": "sms", "count": len(messages), "messageList": list(messages)}]
    return json.dumps({"name": "capillary", "interaction": channels, **top}).encode()


def test_the_vendor_sample_is_read_the_fast_way_with_the_same_meaning():
    fast, general = both(json.dumps(seeds.capillary_flat()).encode())
    assert fast is not None
    assert_same(fast, general)
    assert any(isinstance(row.raw, RawJson) for row in fast.interactions)


def test_a_usual_row_keeps_its_item_as_text_until_looked_at():
    item = {**usual_message(1), "extra": {"a vendor's field": [1, 2]}}
    fast, general = both(flat(item))
    assert_same(fast, general)
    (row,) = fast.interactions
    assert isinstance(row.raw, RawJson)
    assert row.document() == item  # every field, the unknown ones too


@pytest.mark.parametrize(
    "odd",
    [
        {"subject": "short"},  # a null word could hide in a short text
        {"subject": "   null     "},
        {"campaignId": "361648"},  # digits as text
        {"campaignId": True},
        {"userId": 1.0},
        {"id": "m-1"},
        {"id": 2**64},
        {"id": 10**40},  # past ID_DIGITS: named by its position, as the general way does
        {"id": -(10**40)},
        {"deliveredTime": None, "delivered_time": "2024-11-02T11:51:59Z"},
        {"deliveredTime": "null", "delivered_time": "2024-11-02T11:51:59Z"},
        {"deliveredTime": "02-11-2024 15:57:52"},  # not Zulu: the general time reader
        {"deliveredTime": None},
        {"sentDate": 1730312568},  # an epoch
        {"sentDate": "02-11-2024T15:57:52"},
        {"status": None},
    ],
)
def test_a_message_out_of_the_usual_form_is_read_the_general_way(odd):
    body = flat(usual_message(1), {**usual_message(2), **odd}, usual_message(3))
    fast, general = both(body)
    assert fast is not None  # the other messages still take the fast way
    assert_same(fast, general)


@pytest.mark.parametrize(
    ("odd_at", "its_thousand"),
    [(0, 1_000), (999, 1_000), (1_000, 1_000), (1_700, 1_000), (2_499, 500)],
)
def test_one_odd_message_among_thousands_changes_no_row(odd_at, its_thousand, monkeypatch):
    """Read a thousand to a call; the thousand holding an odd message is read the general
    way, the others the fast way: the same rows in the reply's order either way."""
    messages = [usual_message(number) for number in range(2_500)]
    messages[odd_at] = {**messages[odd_at], "campaignId": "361648"}
    read_alone = []
    general_reader = capillary_parse._message_text

    def counted(text, channel, index, builder):
        read_alone.append(index)
        return general_reader(text, channel, index, builder)

    monkeypatch.setattr(capillary_parse, "_message_text", counted)
    fast, general = both(flat(*messages))
    assert fast is not None
    assert len(read_alone) == its_thousand  # not the whole channel
    assert_same(fast, general)
    assert [row.id for row in fast.interactions] == [str(m["id"]) for m in messages]
    assert fast.counts["sms"].total == 2_500


def test_a_message_missing_a_field_is_read_the_general_way():
    partial = usual_message(2)
    del partial["userId"], partial["status"]
    fast, general = both(flat(usual_message(1), partial, "not a message", None))
    assert_same(fast, general)
    assert "2 item(s) could not be read" in " ".join(fast.warnings)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>busy</html>",
        b"[1, 2]",
        b'{"response": {"customer": {}}}',  # the nested shape
        b'{"errors": [{"code": 1012, "message": "Customer not found"}]}',
        b'{"name": "x", "interaction": [], "errors": [{"code": 1012}]}',
        b'{"name": "x", "interaction": {"name": "sms"}}',  # a bare object for a list
        b'{"name": "x", "interaction": [{"name": "sms", "messageList": {"id": 1}}]}',
        b'{"name": "x", "interaction": [{"name": "sms", "count": "3"}]}',
        b'{"name": 5}',
        b'{"name": "x", "interaction": [1]}',
        b'{"name": "x", "interaction": [{"name": "sms", "messageList": [NaN]}]}',
        b'{"name": "x", "interaction": [{"name": "sms", "messageList": ["\\ud800"]}]}',
        b'{"name": "x", "interaction": [{"name": "sms", "messageList": [1}]}',
        b'\xef\xbb\xbf{"name": "x"}',  # a byte order mark
        '{"name": "x"}'.encode("utf-16"),
        b'{"name": "x", "deep": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"name": "x", "interaction": [{"name": "sms", "messageList": ['
        + b"[" * 5_000
        + b"]" * 5_000
        + b"]}]}",
    ],
)
def test_anything_else_is_left_to_the_general_reader(body):
    fast, general = both(body)
    assert fast is None or (assert_same(fast, general) is None)


def test_the_general_reader_gives_the_same_refusal():
    fast, general = both(b'{"name": "x", "interaction": [], "errors": [{"code": 1012}]}')
    assert fast is None and isinstance(general, ViewerError)


def test_bytes_that_are_not_utf8_in_a_field_nobody_reads_cost_no_rows():
    """The same deliberate difference for bytes that are not UTF-8: json.loads refuses the
    reply; the fast path shows the message, and its raw view shows the bytes as �."""
    body = flat(usual_message(1)).replace(b'"userId"', b'"note": "caf\xe9", "userId"')
    fast, general = both(body)
    assert isinstance(general, ValueError)
    assert fast is not None and fast.interactions[0].document()["note"] == "caf\ufffd"


def test_a_number_too_long_for_python_in_a_field_nobody_reads_costs_no_rows():
    """The one difference (capillary_flat's docstring): json.loads refuses the whole reply
    for a 5,000-digit number; the fast path skips the field and shows the messages."""
    item = {**usual_message(1)}
    body = flat(item).replace(b'"userId"', b'"junk": ' + b"9" * 5_000 + b', "userId"')
    fast, general = both(body)
    assert isinstance(general, ValueError)
    assert fast is not None and len(fast.interactions) == 1
    assert fast.interactions[0].document()["junk"] == "9" * 5_000  # shown as its digits


_texts = st.text(max_size=30) | st.sampled_from(
    ["null", " undefined ", "   None     ", "Your OTP is 482913 — do not share", "\u202egnp.exe"]
)
_ints = st.integers() | st.sampled_from([0, -1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63)])
_times = st.sampled_from(
    ["02-11-2024 15:57:52", "2024-11-02 15:57:52", "31-12-9999 23:59:59", "29-02-2023 10:00:00"]
) | st.from_regex(r"\A[0-9 -]{10} [0-9:]{8}\Z", fullmatch=True)
_message_fields = st.fixed_dictionaries(
    {
        "id": _ints,
        "subject": _texts,
        "receiver": _texts,
        "campaignId": _ints,
        "status": _texts,
        "sentDate": _times,
        "userId": _ints,
    },
    optional={
        "deliveredTime": st.none() | _texts | _times | st.just("2024-11-02T11:51:59Z"),
        "delivered_time": json_values,
        "campaign_id": json_values,
        "user_id": json_values,
        "other": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(messages=st.lists(_message_fields | json_values, max_size=6), ascii_only=st.booleans())
def test_generated_messages_mean_the_same_either_way(messages, ascii_only):
    body = json.dumps(
        {"name": "capillary", "interaction": [{"name": "sms", "messageList": messages}]},
        ensure_ascii=ascii_only,
    ).encode()
    fast, general = both(body)
    if fast is not None:
        assert_same(fast, general)
    else:
        assert not isinstance(general, SourceResult) or _declined_for_a_reason(body)


def _declined_for_a_reason(body: bytes) -> bool:
    """The fast path declines a reply it could read only for what msgspec refuses and
    json.loads takes: NaN and infinities (json.dumps writes them for floats)."""
    return any(word in body for word in (b"NaN", b"Infinity"))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), junk=json_values)
@example(data=None, junk=None)
def test_any_mutation_of_the_vendor_sample_means_the_same_either_way(data, junk):
    document = seeds.capillary_flat()
    if data is not None:
        document = _replace(document, data.draw(st.sampled_from(_mutations(document))), junk)
    fast, general = both(json.dumps(document).encode())
    if fast is not None:
        assert_same(fast, general)


def test_a_reply_that_could_hold_too_many_items_is_read_the_general_way(monkeypatch):
    """Every item becomes a slice object before the row budget applies: 40 MB of "0," would
    be 20 million of them. A reply with too many commas for that is left to the general path
    (here with the limits lowered, so the reply stays small)."""
    monkeypatch.setattr(capillary_flat, "COUNTED_ABOVE", 100)
    monkeypatch.setattr(capillary_flat, "MOST_ITEMS", 50)
    many = flat(*[usual_message(n) for n in range(7)])  # 56 commas, ~30 bytes apart
    fast, general = both(many)
    assert fast is None and isinstance(general, SourceResult)
    assert len(general.interactions) == 7
    usual = flat(usual_message(1))  # 8 commas: read the fast way
    assert parse_flat_body(usual, MOBILE, KOLKATA) is not None


def test_a_reply_of_tiny_items_is_read_the_general_way_and_usual_text_with_commas_is_not(
    monkeypatch,
):
    """More than one comma per SMALLEST_ITEM bytes is not messages ("{}," is one per 3
    bytes): the general path keeps only json_pieces.ITEMS_KEPT of such a list. A subject
    full of commas stays well under that."""
    monkeypatch.setattr(capillary_flat, "COUNTED_ABOVE", 100)
    tiny = flat(*[{}] * 120, usual_message(1))
    fast, general = both(tiny)
    assert fast is None and isinstance(general, SourceResult)
    assert len(general.interactions) == 121
    wordy = {**usual_message(2), "subject": "Sale: shirts, shoes, bags, belts, hats, socks"}
    assert parse_flat_body(flat(*[wordy] * 40), MOBILE, KOLKATA) is not None


@pytest.mark.parametrize("piece", [1, 7, 1024 * 1024])
def test_the_commas_are_counted_exactly_a_piece_at_a_time(monkeypatch, piece):
    """Counted in pieces so that no one call holds the GIL long; the limit is exact."""
    monkeypatch.setattr(capillary_flat, "COUNTED_ABOVE", 100)
    monkeypatch.setattr(capillary_flat, "COUNTED_PER_CALL", piece)
    body = flat(*[usual_message(n) for n in range(5)])
    commas = body.count(b",")
    monkeypatch.setattr(capillary_flat, "MOST_ITEMS", commas)
    assert parse_flat_body(body, MOBILE, KOLKATA) is None
    monkeypatch.setattr(capillary_flat, "MOST_ITEMS", commas + 1)
    assert parse_flat_body(body, MOBILE, KOLKATA) is not None
