"""What an agent types → what is searched."""

import pytest

from viewer.domain import BadInput, IdentifierKind
from viewer.identifiers import detect_kind, parse_query


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("+91 99001-12233", IdentifierKind.MOBILE, "919900112233"),
        ("(044) 7700.900-123", IdentifierKind.MOBILE, "0447700900123"),
        ("917385022695", IdentifierKind.MOBILE, "917385022695"),
        ("  Zoe.Mueller@Example.org ", IdentifierKind.EMAIL, "zoe.mueller@example.org"),
        ("CRM-100234", IdentifierKind.EXTERNAL_ID, "CRM-100234"),
        ("3C90C3CC-0D44-4B50-8888-8DD25736052A", IdentifierKind.INTERACTION_ID,
         "3c90c3cc-0d44-4b50-8888-8dd25736052a"),
    ],
)
def test_auto_detects_and_normalises(typed, kind, value):
    query = parse_query(typed)
    assert (query.kind, query.value) == (kind, value)


def test_explicit_kind_wins_over_auto():
    assert parse_query("12345678", IdentifierKind.EXTERNAL_ID).value == "12345678"
    assert detect_kind("12345678") is IdentifierKind.MOBILE


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("", None), ("   ", None), ("12", IdentifierKind.MOBILE), ("abc", IdentifierKind.MOBILE),
     ("not-an-email", IdentifierKind.EMAIL), ("x" * 300, None)],
)
def test_bad_input_is_a_sentence(typed, kind):
    with pytest.raises(BadInput) as caught:
        parse_query(typed, kind)
    assert caught.value.message and "Traceback" not in caught.value.message
