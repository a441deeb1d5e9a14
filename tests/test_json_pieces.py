"""viewer/sources/json_pieces.py decodes a large reply in pieces (so the window keeps the GIL)
and must mean exactly what json.loads means: the same value for any document, a ValueError
for any document json.loads refuses. Slices and windows are made tiny here so every path is taken."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.sources import json_pieces

# Text a hostile server might use to fool a slicer: boundaries and quotes inside strings.
TRICKY = st.sampled_from(["},", '"},{"', "\\", '"', "}]", "],", "{", "\u2028", "é", "😀"])
TEXT = st.lists(st.one_of(st.text(max_size=8), TRICKY), max_size=4).map("".join)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=30), st.dictionaries(TEXT, inner, max_size=6)),
    max_leaves=200,
)
LAYOUTS = st.sampled_from(
    [
        {"separators": (",", ":")},
        {},
        {"indent": 2},
        {"indent": "\t", "ensure_ascii": False},
        {"separators": (" ,", " : ")},
    ]
)


@pytest.fixture(autouse=True)
def tiny_slices(monkeypatch):
    monkeypatch.setattr(json_pieces, "SLICE", 48)
    monkeypatch.setattr(json_pieces, "WALKED_ELEMENTS", 2)
    # Values read on their own start from a window this small: every key, number and
    # multi-byte character is cut at the window's end on the way.
    monkeypatch.setattr(json_pieces, "FIRST_WINDOW", 3)


def pieces(document: str | bytes):
    return json_pieces.loads(document, whole_below=0)


@settings(max_examples=300, deadline=None)
@given(value=VALUES, layout=LAYOUTS, given_as=st.sampled_from([str, bytes, bytearray]))
def test_any_document_means_what_json_loads_says(value, layout, given_as):
    """As text, as bytes (a reply) and as a bytearray (saved data, walked uncopied)."""
    text = json.dumps(value, **layout)
    document = text if given_as is str else given_as(text.encode())
    assert pieces(document) == json.loads(document)


@settings(max_examples=400, deadline=None)
@given(value=VALUES, cut=st.integers(min_value=0), junk=st.sampled_from(["", ",", "}", '"', "x"]))
def test_a_broken_document_is_refused_exactly_when_json_loads_refuses_it(value, cut, junk):
    text = json.dumps(value)
    at = cut % (len(text) + 1)
    broken = text[:at] + junk + text[at + 1 :]
    try:
        expected = json.loads(broken)
    except ValueError:
        for document in (broken, bytearray(broken.encode())):
            with pytest.raises(ValueError):
                pieces(document)
    else:
        assert pieces(broken) == expected
        assert pieces(bytearray(broken.encode())) == expected


def test_a_list_of_messages_whose_subjects_imitate_boundaries():
    messages = [
        {"id": n, "subject": ['"},{"id": 0, "subject": "', "},", "a}", "}]"][n % 4] * (n % 7)}
        for n in range(500)
    ]
    document = json.dumps({"interaction": [{"name": "SMS", "messageList": messages}]})
    assert pieces(document.encode()) == json.loads(document)


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"   ",
        "\ufeff[1]",  # a byte-order mark in text (in bytes, both read it as UTF-8-SIG)
        b"[1, 2] [3]",  # extra data
        b"[1, 2,]",
        b'{"a": 1,}',
        b'{"a" 1}',
        b"[" + b"1" * 5000 + b"]",  # past the 4,300 digits Python reads
        b"\xff\xfe\x00",
    ],
)
def test_what_json_loads_refuses_is_refused(document):
    with pytest.raises(ValueError):
        json.loads(document)
    with pytest.raises(ValueError):
        pieces(document)


def test_small_documents_go_to_json_loads_whole():
    assert json_pieces.loads(b'{"a": [1, 2]}') == {"a": [1, 2]}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32-le"])
def test_the_encodings_json_loads_detects(encoding):
    text = json.dumps({"subject": ["Grüße 😀"] * 40})
    assert pieces(text.encode(encoding)) == json.loads(text)


def test_a_long_array_keeps_its_first_items_and_says_how_many_it_had(monkeypatch):
    """40 MB of "{}," would be 13 million dicts before any row budget applied."""
    monkeypatch.setattr(json_pieces, "ITEMS_KEPT", 100)
    document = {"name": "X", "interaction": [{"name": "sms", "messageList": [{}] * 2500}]}
    read = pieces(json.dumps(document).encode())
    messages = read["interaction"][0]["messageList"]
    assert isinstance(messages, json_pieces.LongList)
    assert messages == [{}] * 100 and json_pieces.length_of(messages) == 2500
    short = pieces(json.dumps({"messageList": [{}] * 100}).encode())["messageList"]
    assert type(short) is list and json_pieces.length_of(short) == 100


def test_items_past_the_kept_ones_are_still_read_so_a_broken_one_is_refused(monkeypatch):
    monkeypatch.setattr(json_pieces, "ITEMS_KEPT", 10)
    text = json.dumps({"messageList": [{"id": n} for n in range(300)]})
    broken = text.replace('{"id": 250}', '{"id": 250,}')
    with pytest.raises(ValueError):
        json.loads(broken)
    with pytest.raises(ValueError):
        pieces(broken.encode())


def test_the_kept_items_cover_every_row_budget():
    from viewer.sources.capillary_parse import MAX_ROWS_PER_LOOKUP
    from viewer.sources.ctrlhub import MAX_ROWS

    assert max(MAX_ROWS_PER_LOOKUP, MAX_ROWS) <= json_pieces.ITEMS_KEPT


def test_a_reply_of_a_million_tiny_items_is_read_in_little_memory(monkeypatch):
    """Before ITEMS_KEPT, 3 MB of "{}," held ~75 MB of dicts (12 MB: 301 MB; 40 MB: 924 MB)."""
    import tracemalloc

    monkeypatch.setattr(json_pieces, "SLICE", 64 * 1024)  # as the program reads
    items = 1_000_000
    body = b'{"interaction":[{"name":"sms","messageList":[' + b"{}," * (items - 1) + b"{}]}]}"
    tracemalloc.start()
    try:
        read = json_pieces.loads(body)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    messages = read["interaction"][0]["messageList"]
    assert json_pieces.length_of(messages) == items and len(messages) == json_pieces.ITEMS_KEPT
    assert peak < 30 * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_long_list_joined_to_another_still_says_how_many_both_had(monkeypatch):
    """Capillary's warnings and errors are joined before they are counted ("N more")."""
    from viewer.domain import IdentifierKind, Query
    from viewer.sources.capillary_parse import MAX_NOTICES, parse_interaction_reply

    monkeypatch.setattr(json_pieces, "ITEMS_KEPT", 100)
    warnings = [{"message": f"note {n}"} for n in range(500)]
    document = {"name": "X", "interaction": [{"name": "sms", "messageList": []}]}
    read = pieces(json.dumps({**document, "warnings": warnings}).encode())
    result = parse_interaction_reply(read, Query(IdentifierKind.MOBILE, "919845012345"), UTC)
    assert f"{500 - MAX_NOTICES:,} more warning(s) are not shown" in " ".join(result.warnings)
    assert json_pieces.length_of([1] + json_pieces.LongList([2], 10)) == 11
