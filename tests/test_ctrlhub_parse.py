"""Ctrl-Hub's JSON:API documents → domain: the vendor's sample as written, and junk."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import seeds
from tests.test_capillary_parse import _mutations, _replace, json_values
from viewer.domain import BadReply, Direction, InteractionDetail, ViewerError
from viewer.present import interaction_detail_fields
from viewer.sources import ctrlhub_parse, jsonapi

SAMPLE_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def test_the_vendor_sample_as_written():
    detail = ctrlhub_parse.detail(seeds.ctrlhub_interaction())
    item = detail.interaction
    assert (item.id, item.channel, item.direction) == (SAMPLE_ID, "email", Direction.INBOUND)
    assert item.contacted is True and item.status == "scheduled" and item.notes == "<string>"
    assert detail.created_at.isoformat() == "2023-11-07T05:31:56+00:00"
    # The sample links every relationship but includes none: ids known, names not.
    assert all(
        r is not None and r.id == SAMPLE_ID and r.name == "" for r in detail.related.values()
    )
    shown = {f.label: f for f in interaction_detail_fields(detail)}
    assert shown["Contact"].value.startswith("—") and shown["Contact"].copy == SAMPLE_ID


def _document():
    """The sample with its links pointed at resources in `included`, as a real reply has."""
    doc = seeds.ctrlhub_interaction()
    rel = doc["data"]["relationships"]
    rel["contact"]["data"] = {"id": "c1", "type": "contacts"}
    rel["property"]["data"] = {"id": "p1", "type": "properties"}
    rel["account"]["data"] = {"id": "a1", "type": "customer-accounts"}
    rel["author"]["data"] = {"id": "u1", "type": "users"}
    rel["representative"]["data"] = None
    rel["organisation"]["data"] = {"id": "o1", "type": "organisations"}
    doc["included"] = [
        {
            "id": "c1",
            "type": "contacts",
            "attributes": {
                "salutation": "Mrs",
                "first_name": "Amelia",
                "last_name": "Jones",
                "email": "amelia@example.org",
                "telephone": "+44 7700 900234",
                "association": "occupier",
            },
        },
        # Same id, other type: must not be confused with the contact.
        {"id": "c1", "type": "users", "attributes": {"email": "wrong@example.org"}},
        {
            "id": "p1",
            "type": "properties",
            "attributes": {
                "uprn": "100023336956",
                "address": {
                    "description": "12 Acacia Avenue, Leeds, LS1 4AB",
                    "postcode": "LS1 4AB",
                },
            },
        },
        {
            "id": "a1",
            "type": "customer-accounts",
            "attributes": {},
            "relationships": {"contacts": {"data": [{"id": "c1", "type": "contacts"}]}},
        },
        {
            "id": "u1",
            "type": "users",
            "attributes": {
                "email": "t@example.com",
                "profile": {"personal": {"first_name": "Tomasz", "last_name": "Nowak"}},
            },
        },
        {"id": "o1", "type": "organisations", "attributes": {"name": "Northfield Homes"}},
    ]
    return doc


def test_relationships_by_name():
    detail = ctrlhub_parse.detail(_document())
    related = detail.related
    assert related["contact"].name == "Mrs Amelia Jones"
    assert dict(related["contact"].lines)["Association"] == "occupier"
    assert related["property"].name == "12 Acacia Avenue, Leeds, LS1 4AB"
    assert dict(related["property"].lines) == {"Postcode": "LS1 4AB", "UPRN": "100023336956"}
    assert related["account"].name == "Mrs Amelia Jones, 12 Acacia Avenue, Leeds, LS1 4AB"
    assert related["author"].name == "Tomasz Nowak"
    assert related["representative"] is None
    assert related["organisation"].name == "Northfield Homes"
    shown = {f.label: f.value for f in interaction_detail_fields(detail)}
    assert shown["Representative"] == "—"
    assert "c1" not in shown.values() and "p1" not in shown.values()  # names, not ids


def test_list_documents_and_pagination():
    doc = _document()
    listing = {
        "data": [doc["data"], {**doc["data"], "id": "second"}],
        "included": doc["included"],
        "meta": {"pagination": {"counts": {"resources": 7}, "offsets": {"next": 2}}},
    }
    read = jsonapi.read(listing)
    rows = ctrlhub_parse.interactions(read)
    assert [r.id for r in rows] == [SAMPLE_ID, "second"]
    assert rows[0].counterpart == "Mrs Amelia Jones"
    assert (read.next_offset, read.total, read.data_is_list) == (2, 7, True)


@pytest.mark.parametrize(
    ("method", "channel"),
    [
        ("email", "email"),
        ("sms", "sms"),
        ("telephone", "phone"),
        ("letter", "letter"),
        ("Site Visit", "site_visit"),
    ],
)
def test_methods_become_channels(method, channel):
    assert ctrlhub_parse.channel_of(method) == channel


def test_errors_as_one_sentence():
    said = jsonapi.errors_sentence(
        [{"status": "404", "title": "Not Found", "detail": "No such id"}, {"title": "x"}]
    )
    assert said == "404 Not Found: No such id; x"


@pytest.mark.parametrize("doc", [{}, {"data": None}, {"data": []}, {"data": [{"id": 1}]}, "junk"])
def test_no_single_interaction_is_a_bad_reply(doc):
    with pytest.raises(BadReply):
        ctrlhub_parse.detail(doc)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), junk=json_values)
def test_any_mutation_gives_a_detail_or_a_typed_error(data, junk):
    document = _document()
    mutated = _replace(
        copy.deepcopy(document), data.draw(st.sampled_from(_mutations(document))), junk
    )
    try:
        detail = ctrlhub_parse.detail(mutated)
    except ViewerError:
        return
    assert isinstance(detail, InteractionDetail)
    interaction_detail_fields(detail)  # and it can be shown


@settings(max_examples=200, deadline=None)
@given(doc=json_values)
def test_junk_lists_give_rows_or_nothing(doc):
    for row in ctrlhub_parse.interactions(jsonapi.read(doc)):
        assert row.id
