"""What an agent types → what is searched."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- digits from other scripts (issue 10, item 14) --------------------------------------

@pytest.mark.parametrize(
    "typed",
    ["٩١٩٨٤٥٠١٢٣٤٥",  # Arabic-Indic
     "۹۱۹۸۴۵۰۱۲۳۴۵",  # Extended Arabic-Indic (Persian, Urdu)
     "९१९८४५०१२३४५",  # Devanagari
     "+91 98450 1234٥",  # one foreign digit among ASCII ones
     "９１９８４５０１２３４５"],  # full-width
)
def test_a_mobile_in_other_digits_is_refused_with_a_sentence(typed):
    for kind in (None, IdentifierKind.MOBILE):  # Auto sees a phone number too
        with pytest.raises(BadInput) as caught:
            parse_query(typed, kind)
        assert "digits other than 0–9" in caught.value.message


def test_superscripts_are_not_digits():
    with pytest.raises(BadInput):
        parse_query("91984501234²", IdentifierKind.MOBILE)


ANY_KIND = st.sampled_from([None, *IdentifierKind])


@settings(max_examples=500)
@given(st.text(max_size=300), ANY_KIND)
def test_any_input_gives_a_query_or_a_sentence(typed, kind):
    try:
        query = parse_query(typed, kind)
    except BadInput as exc:
        assert exc.message
        return
    if query.kind is IdentifierKind.MOBILE:
        assert query.value.isascii() and query.value.isdigit() and 5 <= len(query.value) <= 15


@settings(max_examples=300)
@given(st.lists(st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵६७८९ +-().\u00a0"), min_size=1, max_size=30))
def test_phone_shaped_input_is_sent_with_ascii_digits_only(chars):
    typed = "".join(chars)
    try:
        query = parse_query(typed, IdentifierKind.MOBILE)
    except BadInput:
        return
    assert query.value.isascii() and query.value.isdigit()
    assert query.value == "".join(c for c in typed if c in "0123456789")
