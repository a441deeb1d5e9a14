"""Screen-pop links (viewer/links.py): what a softphone, a browser or a CRM page can send.

A link is untrusted input: it becomes the same lookup typing would, or a sentence, and
nothing in it can change a setting. Any string at all gives a PopRequest or a BadInput.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.domain import BadInput, IdentifierKind
from viewer.identifiers import parse_query
from viewer.links import MAX_LINK_LENGTH, PopRequest, describe, link_for, parse_link


@pytest.mark.parametrize(
    ("link", "text", "kind"),
    [
        ("customer-viewer://lookup?mobile=919845012345", "919845012345", IdentifierKind.MOBILE),
        # A softphone puts "+447700900123" into its URL template as it is: "+" stays a plus.
        ("customer-viewer://lookup?mobile=+447700900123", "+447700900123", IdentifierKind.MOBILE),
        (
            "customer-viewer://lookup?mobile=%2B44%207700%20900123",
            "+44 7700 900123",
            IdentifierKind.MOBILE,
        ),
        (
            "customer-viewer://lookup?email=amelia.jones%40example.org",
            "amelia.jones@example.org",
            IdentifierKind.EMAIL,
        ),
        ("customer-viewer://lookup?email=a+b@example.org", "a+b@example.org", IdentifierKind.EMAIL),
        (
            "customer-viewer://lookup?external_id=CRM-100234",
            "CRM-100234",
            IdentifierKind.EXTERNAL_ID,
        ),
        (
            "customer-viewer://lookup?interaction=08DC5100-69E2-45A8-89F9-EB3045264115",
            "08DC5100-69E2-45A8-89F9-EB3045264115",
            IdentifierKind.INTERACTION_ID,
        ),
        ("customer-viewer://lookup?q=priya.sharma%40example.com", "priya.sharma@example.com", None),
        # Spelling a handler may produce: capitals, no slashes, three slashes, a trailing slash.
        ("Customer-Viewer://LOOKUP?mobile=919845012345", "919845012345", IdentifierKind.MOBILE),
        ("customer-viewer:lookup?mobile=919845012345", "919845012345", IdentifierKind.MOBILE),
        ("customer-viewer:///lookup/?mobile=919845012345", "919845012345", IdentifierKind.MOBILE),
        (
            "  customer-viewer://lookup?mobile=919845012345&  ",
            "919845012345",
            IdentifierKind.MOBILE,
        ),
    ],
)
def test_a_link_is_the_lookup_typing_would_be(link, text, kind):
    pop = parse_link(link)
    assert (pop.text, pop.kind, pop.profile) == (text, kind, None)
    # The window sends exactly what typing that text with that kind would send.
    assert parse_query(pop.text, pop.kind) == parse_query(text, kind)


def test_the_profile_a_link_names_is_carried_not_acted_on():
    pop = parse_link("customer-viewer://lookup?mobile=919845012345&profile=Acme%20UK")
    assert pop == PopRequest("919845012345", IdentifierKind.MOBILE, "Acme UK")
    assert parse_link("customer-viewer://lookup?profile=&mobile=919845012345").profile is None


def test_unknown_parameters_are_ignored_and_named_for_the_log():
    pop = parse_link(
        "customer-viewer://lookup?mobile=919845012345&utm_source=crm&password=x&theme=dark#top"
    )
    assert (pop.text, pop.kind) == ("919845012345", IdentifierKind.MOBILE)
    assert pop.ignored == ("#fragment", "utm_source", "password", "theme")
    # The log line names the kind, never the customer.
    assert "919845012345" not in describe(pop)


@pytest.mark.parametrize(
    ("link", "sentence"),
    [
        ("customer-viewer://lookup?mobile=12ab", "is not a mobile number"),
        ("customer-viewer://lookup?mobile=%D9%A9%D9%A1%D9%A9", "digits other than 0–9"),
        ("customer-viewer://lookup?email=not-an-address", "is not an e-mail address"),
        ("customer-viewer://lookup?interaction=123", "expected a UUID"),
        ("customer-viewer://lookup?mobile=", "Type a mobile number"),
        ("customer-viewer://lookup", "names no customer"),
        ("customer-viewer://lookup?profile=demo", "names no customer"),
        ("customer-viewer://lookup?mobile=919845012345&email=a@b.c", "more than one customer"),
        (
            "customer-viewer://lookup?mobile=919845012345&mobile=447700900123",
            "more than one customer",
        ),
        ("customer-viewer://lookup?mobile=1&profile=a&profile=b", "more than one profile"),
        ("customer-viewer://settings?tel=on", "something other than a lookup"),
        (
            "customer-viewer://lookup/../settings?mobile=919845012345",
            "something other than a lookup",
        ),
        ("https://evil.example/lookup?mobile=919845012345", "not a customer-viewer link"),
        ("javascript:alert(1)", "not a customer-viewer link"),
        ("919845012345", "not a customer-viewer link"),
        ("", "not a customer-viewer link"),
        ("customer-viewer://lookup?mobile=%FF%FE", "bad %-escapes"),
        ("customer-viewer://lookup?mobile=91984%0A5012345", "control characters"),
        ("customer-viewer://lookup?external_id=A%1B%5B2JB", "control characters"),
        (
            "customer-viewer://lookup?external_id=abc%E2%80%AEtxt.exe",
            "control characters",
        ),  # bidi override
        ("customer-viewer://lookup?mobile=9198\x00", "control characters"),
        (
            "customer-viewer://lookup?external_id=a%E2%80%A8b",
            "control characters",
        ),  # line separator
        ("customer-viewer://lookup?external_id=" + "x" * 300, "too long for an identifier"),
        ("customer-viewer://lookup?mobile=1&profile=" + "p" * 101, "longer than 100"),
        ("customer-viewer://lookup?q=" + "1" * MAX_LINK_LENGTH, "too long"),
        ("tel:+447700900123", "tel: links are turned off"),
    ],
)
def test_a_malformed_link_is_a_sentence(link, sentence):
    with pytest.raises(BadInput) as caught:
        parse_link(link)
    assert sentence in caught.value.message
    assert caught.value.message.endswith(".")


def test_tel_links_work_once_turned_on():
    pop = parse_link("tel:+44-7700-900123;phone-context=example.com", accept_tel=True)
    assert (pop.text, pop.kind) == ("+44-7700-900123", IdentifierKind.MOBILE)
    assert parse_query(pop.text, pop.kind).value == "447700900123"
    assert parse_link("TEL:%2B919845012345", accept_tel=True).text == "+919845012345"
    with pytest.raises(BadInput, match="not a mobile number"):
        parse_link("tel:call-me-maybe", accept_tel=True)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("+44 7700 900123", IdentifierKind.MOBILE),
        ("a+b&c=d@example.org", IdentifierKind.EMAIL),
        ("ID#7/ä?x", IdentifierKind.EXTERNAL_ID),
        ("08dc5100-69e2-45a8-89f9-eb3045264115", IdentifierKind.INTERACTION_ID),
        ("priya.sharma@example.com", None),
    ],
)
def test_open_flags_become_a_link_that_reads_back_the_same(text, kind):
    """`open --mobile N` builds a link; every character survives the round trip."""
    link = link_for(text, kind, "Acme & Co")
    assert parse_link(link) == PopRequest(text, kind, "Acme & Co")


# -- any string at all -------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "customer-viewer://lookup?",
        "customer-viewer:",
        "tel:",
        "mobile=",
        "email=",
        "external_id=",
        "interaction=",
        "q=",
        "profile=",
        "&",
        "#",
        "%",
        "%2B",
        "%FF",
        "%0A",
        "+",
        "@",
        "919845012345",
        "08dc5100-69e2-45a8-89f9-eb3045264115",
        "=",
        "?",
        "/",
        " ",
        "\u202e",
        "\x00",
        "é",
        "\xa0",
        "\u2028",
        "%E2%80%A8",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12).map("".join),
    ),
    st.booleans(),
)
def test_any_string_is_a_pop_request_or_a_sentence(link, accept_tel):
    try:
        pop = parse_link(link, accept_tel=accept_tel)
    except BadInput as exc:
        assert exc.message.strip()
        return
    assert isinstance(pop, PopRequest)
    parse_query(pop.text, pop.kind)  # what the window sends has passed the typed-input checks
    assert not [
        c
        for c in pop.text + (pop.profile or "")
        if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")
    ]


@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text())))
def test_a_link_that_is_not_text_is_a_sentence(value):
    with pytest.raises(BadInput):
        parse_link(value)
