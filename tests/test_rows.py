"""Interaction, the row every source builds: what its equality, hash and repr promise."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest

from viewer.domain import Direction, Interaction, RawJson, Source

SECRET = '{"subject": "Your code is 482913", "token": "s3cr3t"}'


def row(raw: dict | RawJson) -> Interaction:
    when = datetime(2024, 11, 2, 11, 51, tzinfo=UTC)
    return Interaction(
        Source.CAPILLARY, "7", "sms", Direction.OUTBOUND, when, "SENT", "Hi", "9198", raw=raw
    )


def test_rows_equal_and_hash_alike_whatever_their_raw_item():
    """The two ways of reading Capillary's reply keep the raw item as a dict or a RawJson."""
    decoded, kept = row({"id": 7}), row(RawJson(b'{"id": 7}', lambda _text: {"id": 7}))
    assert decoded == kept and hash(decoded) == hash(kept)
    assert decoded != decoded.changed(status="FAILED")
    assert len({decoded, kept, decoded.changed(subject="Bye")}) == 2


def test_a_rows_repr_never_holds_its_raw_item():
    """A repr can reach a log line or a crash report; the raw item holds the whole message."""
    for raw in ({"message": SECRET}, RawJson(SECRET.encode(), lambda _text: {})):
        shown = repr(row(raw)) + repr(list(row(raw).__rich_repr__()))  # rich asks the latter
        assert "s3cr3t" not in shown and "482913" not in shown
        assert "subject='Hi'" in shown


def test_a_row_cannot_be_changed_in_place():
    item = row({})
    with pytest.raises(AttributeError):
        item.subject = "changed"
    assert item.changed(subject="changed").subject == "changed" and item.subject == "Hi"


def test_rows_are_left_out_of_the_cyclic_collector():
    """100,000 rows the collector need not walk (see Interaction): they hold no cycle."""
    item = row(RawJson(b"{}", lambda _text: {}))
    assert not gc.is_tracked(item) and not gc.is_tracked(item.raw)
