"""Capillary's replies → domain: the vendor's samples as written, quirks, errors, junk."""

from __future__ import annotations

import contextlib
import copy
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests import seeds
from viewer.domain import (
    AuthFailed,
    BadReply,
    Direction,
    IdentifierKind,
    NotFound,
    Query,
    SourceResult,
    ViewerError,
)
from viewer.sources.capillary_parse import (
    _any_message,
    _Builder,
    _message,
    parse_customer_details,
    parse_interaction_reply,
)
from viewer.sources.coerce import WallClock, layout_time, parse_time, zulu_time

MOBILE = Query(IdentifierKind.MOBILE, "917385022695")
KOLKATA = ZoneInfo("Asia/Kolkata")


def test_nested_sample_as_written():
    result = parse_interaction_reply(seeds.capillary_nested(), MOBILE, UTC)

    assert result.customer.mobile == "919148574269"
    assert result.customer.source_ids == {"capillary": "565039505"}
    assert [i.subject for i in result.interactions] == [
        "Loyalty+ Release Notes - JFM'25 (Part 1️⃣)",
        "Loyalty+ Release Notes - JFM'25 (Part 2️⃣)",
    ]
    first = result.interactions[0]
    assert first.id == "1743467374476"  # a number in the reply, text for us
    assert first.campaign_id == "267560"
    assert first.status == "OPENED"
    assert first.counterpart == "[email protected]"  # "reciever" (sic) in the reply
    assert first.occurred_at == datetime(2025, 4, 14, 14, 23, 20, tzinfo=UTC)
    assert result.counts["email"].listed == 2 and result.counts["email"].total == 2
    # Every channel of the reply gets a count, the empty ones too.
    assert set(result.counts) == {
        "survey",
        "missed_call",
        "whatsapp",
        "zalo",
        "line",
        "phone",
        "sms",
        "email",
    }
    assert result.counts["missed_call"].itemised is False


def test_flat_sample_as_written():
    result = parse_interaction_reply(seeds.capillary_flat(), MOBILE, KOLKATA)

    assert {c: n.total for c, n in result.counts.items()} == {
        "survey": 0,
        "line": 0,
        "viber": 3,
        "email": 0,
        "whatsapp": 0,
        "missed_call": 0,
        "phone": 4,
        "sms": 4,
        "zalo": 0,
    }
    viber = [i for i in result.interactions if i.channel == "viber"]
    assert [i.status for i in viber] == ["FAILED"] * 3
    assert viber[0].user_id == "432796209"
    assert viber[0].campaign_id == "1241780"
    # DD-MM-YYYY in the tenant's zone.
    assert viber[0].occurred_at == datetime(2025, 5, 26, 15, 52, 2, tzinfo=KOLKATA)
    phone = [i for i in result.interactions if i.channel == "phone"]
    assert all(i.campaign_id is None for i in phone)  # campaignId -1 means none
    # The sample's "name" is the network word, not a person.
    assert result.customer.name is None
    assert result.customer.mobile == "917385022695"
    assert all(i.direction is Direction.OUTBOUND for i in result.interactions)


def test_same_message_id_in_two_channels_stays_two_rows():
    result = parse_interaction_reply(seeds.capillary_flat(), MOBILE, UTC)
    keys = [i.key for i in result.interactions]
    assert len(keys) == len(set(keys)) == 11


def test_bare_object_where_a_list_is_expected():
    doc = seeds.capillary_nested()
    email = doc["response"]["customer"]["interactions"]["network"][0]["interaction"][-1]
    email["messages"]["message"] = email["messages"]["message"][0]
    doc["response"]["customer"]["interactions"]["network"] = doc["response"]["customer"][
        "interactions"
    ]["network"][0]
    result = parse_interaction_reply(doc, MOBILE, UTC)
    assert [i.subject for i in result.interactions] == ["Loyalty+ Release Notes - JFM'25 (Part 1️⃣)"]
    assert result.counts["email"].label == "1 of 2"


def test_count_larger_than_list_reads_n_of_m():
    doc = seeds.capillary_flat()
    doc["interaction"][2]["count"] = "130"  # a number as a string, too
    result = parse_interaction_reply(doc, MOBILE, UTC)
    assert result.counts["viber"].label == "3 of 130"


def test_iso_delivered_time_and_strings_for_numbers():
    doc = seeds.capillary_flat()
    message = doc["interaction"][2]["messageList"][0]
    message.update(deliveredTime="2025-05-26T10:22:05Z", id="17460", campaignId="77", userId=5.0)
    result = parse_interaction_reply(doc, MOBILE, KOLKATA)
    item = next(i for i in result.interactions if i.id == "17460")
    assert item.delivered_at == datetime(2025, 5, 26, 10, 22, 5, tzinfo=UTC)
    assert (item.campaign_id, item.user_id) == ("77", "5")


def test_surveys_and_missed_calls():
    doc = seeds.capillary_flat()
    doc["interaction"][0] = {
        "count": 1,
        "name": "survey",
        "surveys": [
            {
                "name": "Store visit",
                "nps_score": 9,
                "sent_by": "Store 12",
                "response_url": "https://s.example/r/1",
                "sent_time": "2025-01-02 10:00:00",
                "completion_time": "2025-01-02 10:05:00",
            }
        ],
    }
    doc["interaction"][5] = {"count": "3", "name": "missed_call", "usedStatus": "true"}
    result = parse_interaction_reply(doc, MOBILE, UTC)
    survey = next(i for i in result.interactions if i.channel == "survey")
    assert survey.subject == "Store visit — NPS 9"
    assert survey.direction is Direction.INBOUND
    assert survey.status == "COMPLETED"
    assert result.counts["missed_call"].label == "3"  # a count, never "0 of 3"


def test_unknown_channel_word_is_kept():
    doc = seeds.capillary_flat()
    doc["interaction"].append(
        {"count": 1, "name": "RCS", "messageList": [{"id": 1, "subject": "Hi"}]}
    )
    result = parse_interaction_reply(doc, MOBILE, UTC)
    assert result.counts["rcs"].listed == 1


def test_warnings_are_kept_for_the_agent():
    doc = seeds.capillary_flat()
    doc["warnings"] = [{"status": False, "code": 8012, "message": "Some messages are archived"}]
    result = parse_interaction_reply(doc, MOBILE, UTC)
    assert result.warnings == ["Capillary: Some messages are archived (code 8012)"]


@pytest.mark.parametrize("code", [1012, 1011, 816, 8015, 8065, 8069])
def test_not_found_codes_flat(code):
    with pytest.raises(NotFound):
        parse_interaction_reply(
            {"errors": [{"status": False, "code": code, "message": "x"}]}, MOBILE, UTC
        )


def test_not_found_nested():
    doc = {
        "response": {
            "status": {"success": "false", "code": 500, "message": "All requests have failed"},
            "customer": {
                "item_status": {"success": "false", "code": "1012", "message": "Cannot find"}
            },
        }
    }
    with pytest.raises(NotFound):
        parse_interaction_reply(doc, MOBILE, UTC)


def test_not_allowed_is_an_auth_failure():
    with pytest.raises(AuthFailed):
        parse_interaction_reply({"errors": [{"code": 1044, "message": "no"}]}, MOBILE, UTC)


@pytest.mark.parametrize("doc", [[], "text", 12, None, {"unexpected": 1}])
def test_wrong_shape_is_a_bad_reply(doc):
    with pytest.raises(BadReply):
        parse_interaction_reply(doc, MOBILE, UTC)


def test_customer_details_card():
    doc = {
        "customers": [
            {
                "id": 7,
                "profiles": [
                    {
                        "firstName": "Zoë",
                        "lastName": "Müller",
                        "identifiers": [
                            {"type": "mobile", "value": "447700900123"},
                            {"type": "externalId", "value": "CRM-1"},
                        ],
                    }
                ],
                "loyaltyProgramDetails": [{"currentSlab": "Gold", "loyaltyPoints": 1234}],
            }
        ]
    }
    card = parse_customer_details(doc)
    assert card.name == "Zoë Müller"
    assert card.external_id == "CRM-1"
    assert card.extra == {"Tier": "Gold", "Points": "1234"}
    assert parse_customer_details({"customers": []}) is None
    assert parse_customer_details("junk") is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)


def _mutations(document):
    """Each path in a document, so one value at a time can be replaced with junk."""
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(document, ())
    return paths


def _replace(document, path, value):
    document = copy.deepcopy(document)
    if not path:
        return value
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return document


@pytest.mark.parametrize("sample", [seeds.capillary_nested, seeds.capillary_flat])
@settings(max_examples=300, deadline=None)
@given(data=st.data(), junk=json_values)
def test_any_mutation_gives_a_result_or_a_typed_error(sample, data, junk):
    document = sample()
    path = data.draw(st.sampled_from(_mutations(document)))
    mutated = _replace(document, path, junk)
    try:
        result = parse_interaction_reply(mutated, MOBILE, UTC)
    except ViewerError:
        return
    assert isinstance(result, SourceResult)


@settings(max_examples=300, deadline=None)
@given(doc=json_values)
def test_junk_gives_a_result_or_a_typed_error(doc):
    with contextlib.suppress(ViewerError):
        parse_interaction_reply(doc, MOBILE, UTC)


# The fast readers of the 100,000-row path must mean what the general readers mean.
_message_values = (
    st.none()
    | st.integers()
    | st.text(max_size=24)
    | st.sampled_from(
        ["null", " DELIVERED ", "undefined", "2024-11-02T11:51:59Z", "02-11-2024 15:57:52", "0"]
    )
)
_zulu_like = st.from_regex(r"\A[0-9W-]{10}[Tt ][0-9:]{8}[Zz]\Z", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(text=_zulu_like | st.text(max_size=24))
@example(text="0001-01-01T00:00:00Z")  # the ends of the calendar: no time at all
@example(text="9999-12-31T23:59:59Z")
@example(text="2024-W44-6T11:51:59Z")  # an ISO week date, which both read
def test_the_fast_delivery_time_reader_agrees_with_the_general_one(text):
    fast = zulu_time(text)
    assert fast is None or (fast, fast.utcoffset()) == (
        parse_time(text),
        parse_time(text).utcoffset(),
    )


_layout_like = st.from_regex(r"\A[0-9 +-]{10}[ T][0-9 :+]{8}\Z", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        _layout_like | st.sampled_from(["02-11-2024 15:57:52", "2024-11-02 15:57:07"]),
        min_size=1,
        max_size=8,
    ),
    zone=st.sampled_from([KOLKATA, ZoneInfo("Europe/London"), UTC]),
)
# Remembered days and minutes, mixed with texts that only look like them.
@example(texts=["02-11-2024 15:57:52", "02-11-2024 15:57:53", "02-11-2024T15:57:53"], zone=UTC)
@example(texts=["02-11-2024 15:57:52", "02-11-2024 15:57: 5", "02-11-2024 15:57:+5"], zone=UTC)
@example(
    texts=["2024-10-27 00:00:00", "2024-10-27 01:30:00", "2024-03-31 01:30:00"],
    zone=ZoneInfo("Europe/London"),
)  # the hour that repeats and the hour that is skipped
@example(texts=["31-12-9998 23:59:59", "31-12-9999 23:59:59", "01-01-0001 00:00:00"], zone=UTC)
def test_the_wall_clock_reads_each_time_as_layout_time_does(texts, zone):
    clock = WallClock(zone)
    for text in texts * 2:  # the second time, from what the clock remembered
        fast, exact = clock.read(text), layout_time(text, zone)
        assert fast == exact
        if fast is not None:
            assert (fast.tzinfo, fast.fold, fast.utcoffset()) == (
                exact.tzinfo,
                exact.fold,
                exact.utcoffset(),
            )
            assert fast.replace(tzinfo=None) == exact.replace(tzinfo=None)


@settings(max_examples=400, deadline=None)
@given(
    item=st.fixed_dictionaries(
        {"subject": st.text(min_size=12, max_size=20), "receiver": st.text(min_size=12)},
        optional={
            key: _message_values
            for key in ("id", "sentDate", "status", "campaignId", "userId", "deliveredTime")
        },
    ),
    repeats=st.integers(1, 3),
)
# "¹" is a digit to isdigit() and not to int(): both readers raised ValueError on it.
@example(item={"subject": "0" * 12, "receiver": "0" * 12, "sentDate": "¹"}, repeats=1)
def test_the_fast_message_reader_agrees_with_the_general_one(item, repeats):
    builder = _Builder(KOLKATA)
    for _ in range(repeats):  # the second time, from the shared words and clock
        fast = _message(item, "sms", 0, builder)
        general = _any_message(item, "sms", 0, KOLKATA)
        assert fast == general
        assert (fast.occurred_at and fast.occurred_at.utcoffset()) == (
            general.occurred_at and general.occurred_at.utcoffset()
        )
