"""The seed documents mutated the ways real replies go wrong: keys dropped, types changed,
wrong nesting, huge strings, deep nesting. Only results (maybe with a warning) or typed
errors may come out — and whatever comes out can be shown."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import seeds
from tests.test_capillary_parse import MOBILE, _mutations
from tests.test_ctrlhub_parse import _document
from viewer.domain import BadReply, Source, ViewerError
from viewer.present import detail_fields, interaction_detail_fields, raw_json_text
from viewer.sources import ctrlhub_parse, http
from viewer.sources.capillary_parse import parse_interaction_reply


def deep(levels: int):
    value: object = "bottom"
    for _ in range(levels):
        value = {"nested": [value]}
    return value


MUTATIONS = st.sampled_from(
    ["drop", "to_string", "to_number", "to_null", "wrap_in_list", "huge", "deep"]
)


def mutate(document, path, how):
    document = copy.deepcopy(document)
    if not path:
        return document
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    key, value = path[-1], parent[path[-1]]
    if how == "drop" and isinstance(parent, dict):
        del parent[key]
    elif how == "to_string":
        parent[key] = json.dumps(value)
    elif how == "to_number":
        parent[key] = 12345.678
    elif how == "to_null":
        parent[key] = None
    elif how == "wrap_in_list":
        parent[key] = [value, value]
    elif how == "huge":
        parent[key] = "Ω" * 2_000_000
    elif how == "deep":
        parent[key] = deep(3000)
    return document


def show_all(items, detail=None):
    for item in items:
        detail_fields(item)
        raw_json_text(item.raw)
    if detail is not None:
        interaction_detail_fields(detail)
        raw_json_text(detail.document)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), how=MUTATIONS)
def test_capillary_mutations(data, how):
    for sample in (seeds.capillary_nested(), seeds.capillary_flat()):
        mutated = mutate(sample, data.draw(st.sampled_from(_mutations(sample))), how)
        try:
            result = parse_interaction_reply(mutated, MOBILE, UTC)
        except ViewerError:
            continue
        show_all(result.interactions)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), how=MUTATIONS)
def test_ctrlhub_mutations(data, how):
    sample = _document()
    mutated = mutate(sample, data.draw(st.sampled_from(_mutations(sample))), how)
    try:
        detail = ctrlhub_parse.detail(mutated)
    except ViewerError:
        return
    show_all([detail.interaction], detail)


def test_json_nested_beyond_the_decoder_is_a_bad_reply():
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    reply = http.Reply(200, httpx.Headers({"content-type": "application/json"}), body, "http://x/")
    try:
        asyncio.run(http.decode_json(reply, Source.CAPILLARY))
    except BadReply as exc:
        assert "not valid JSON" in exc.message
    else:  # a decoder that copes is fine too: nothing may escape but a typed error
        pass
