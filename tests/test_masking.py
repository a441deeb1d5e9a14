"""Masked mode (viewer/masking.py): with masking on, nothing the program renders holds the
customer's name, mobile, e-mail or address; OTPs are masked whether masking is on or not.

The property test builds customers whose identifiers also hide in notes, subjects, receivers
and the raw replies (in every common phone format, as a JSON number too), masks the result
once, and renders it through every presentation function the window and the CLI use."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from viewer import masking
from viewer.attention import attention
from viewer.domain import (
    ChannelCount,
    Customer,
    Direction,
    IdentifierKind,
    Interaction,
    InteractionDetail,
    LookupResult,
    NotFound,
    Query,
    Related,
    Source,
)
from viewer.export import customer_summary, report_html, to_csv
from viewer.masking import (
    Masker,
    mask_email,
    mask_identifier,
    mask_mobile,
    mask_name,
    mask_otp,
    mask_raw_otp,
)
from viewer.present import (
    customer_lines,
    detail_fields,
    detail_json,
    dumps,
    full_json_text,
    interaction_detail_fields,
    raw_json_text,
    render_fields,
    render_table,
    result_json,
    state_json,
)
from viewer.search import SearchState, SourceState, SourceStatus
from viewer.timeline import TimelineFilter

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# -- single values, as the issue writes them ----------------------------------------------


def test_a_mobile_keeps_its_country_code_and_last_three_digits():
    assert mask_mobile("+91 98450 12345") == "+91 ••••• ••345"
    assert mask_mobile("919845012345") == "+91 ••••• ••345"  # as Capillary stores it
    assert mask_mobile("447700900234") == "+44 •••• •••234"
    assert mask_mobile("1234") == "••••"  # too short to spare any digit


def test_an_identifier_is_masked_by_its_kind_and_ids_stay():
    assert mask_identifier("919845012345", IdentifierKind.MOBILE) == "+91 ••••• ••345"
    assert mask_identifier("priya.sharma@example.com") == "p•••@example.com"
    assert mask_identifier("CRM-100234", IdentifierKind.EXTERNAL_ID) == "CRM-100234"


def test_an_email_keeps_its_first_letter_and_domain_and_a_name_its_initials():
    assert mask_email("priya.sharma@example.com") == "p•••@example.com"
    assert mask_name("Mrs Amelia Jones") == "M••• A••• J•••"
    assert mask_name("李伟") == "李•••"


@pytest.mark.parametrize(
    "text",
    [
        "Your OTP is 482913. Valid for 10 minutes.",
        "482913 is your DemoMart verification code.",
        "Use code 4821 to sign in",
        "PIN: 90817265",
        "Mã OTP của bạn là 123456",
    ],
)
def test_otp_looking_digits_are_masked_even_with_masking_off(text):
    masked = Masker(False).mask_text(text, set())
    assert "••••••" in masked and not re.search(r"\d{4,}", masked)


@pytest.mark.parametrize(
    "text",
    [
        "Your order #346317 is ready for pick-up.",
        "Points expiring soon: use 1547 points before month end",
        "Rent review letter (2026/27) posted on 2026-11-12 at 10:49.",
        "Home visit: meter reading taken (E 12 345 kWh).",
        "Your OTP is ******",  # the tenant masked it already
    ],
)
def test_numbers_that_are_not_otps_stay(text):
    assert mask_otp(text) == text


def _mask_otp_one_by_one(text: str) -> str:
    """mask_otp as it was before texts shared their answer by shape: every text searched."""
    if not masking._DIGIT_RUN.search(text) or not masking._OTP_WORDS.search(text):
        return text
    return masking._DIGIT_RUN.sub(
        lambda m: masking.OTP_MASK if masking._looks_like_otp(text, m) else m.group(), text
    )


_otp_pieces = st.sampled_from(
    [
        "OTP",
        "code",
        " is ",
        "2FA",
        "2fa",
        "PIN:",
        "paſſword",
        "verİfy",
        "#",
        "-",
        ".",
        ",",
        ":",
        "/",
        " ",
        "\n",
        "Rs. ",
        "٤",
        "👋",
        "\ud800",
        "a",
        "fa",
        "é",
        "\u212a",
        "order",
    ]
) | st.from_regex(r"\A[0-9]{1,9}\Z", fullmatch=True)


@settings(max_examples=500, deadline=None)
@given(texts=st.lists(st.lists(_otp_pieces, max_size=12).map("".join), min_size=1, max_size=6))
@example(texts=["3fa 482913", "2fa 482913", "3fa 482913"])  # the one word with a digit
def test_texts_that_differ_only_in_their_digits_share_the_right_answer(texts):
    """The second text of a shape reuses the first one's OTP positions: each must still be
    what searching it on its own gives."""
    for text in texts * 2:
        assert mask_otp(text) == _mask_otp_one_by_one(text)


def test_masking_off_changes_nothing_but_otps():
    row = _row(0, subject="Your OTP is 482913", receiver="919845012345")
    plain = _row(1, subject="Hello Priya", receiver="919845012345")
    result = _result(Customer(name="Priya Sharma", mobile="919845012345"), [row, plain])
    masked = Masker(False).mask_result(result)
    assert masked.interactions[0].subject == "Your OTP is ••••••"
    # The raw reply is masked where it is shown (the window's raw view: test_window_masking).
    assert mask_raw_otp(masked.interactions[0].raw)["subject"] == "Your OTP is ••••••"
    assert masked.interactions[1] is plain and masked.customer is result.customer
    assert result.interactions[0].subject == "Your OTP is 482913"  # a copy: the original stays


def test_otps_are_masked_in_every_row_of_a_long_timeline():
    """A long timeline is walked a slice at a time (the window keeps the GIL between
    slices): an OTP in the last row, or at a slice's edge, is masked in that row only."""
    count = 2 * masking._GIL_CHUNK + 5
    with_otp = {0, masking._GIL_CHUNK - 1, masking._GIL_CHUNK, count - 1}
    rows = [
        _row(n, subject=f"Your OTP is {482000 + n}" if n in with_otp else f"Order {n} shipped")
        for n in range(count)
    ]
    masked = Masker(False).mask_result(_result(Customer(name="Priya Sharma"), rows)).interactions
    assert len(masked) == count
    assert [n for n, row in enumerate(masked) if "••••••" in row.subject] == sorted(with_otp)
    assert all(masked[n] is rows[n] for n in range(count) if n not in with_otp)


def test_an_otp_in_a_ctrlhub_document_is_masked_with_masking_off():
    row = _ctrlhub_row(0, "Ms Priya Sharma", "Read out the verification code 5531 to her.")
    detail = InteractionDetail(
        row,
        {},
        document={
            "data": {"attributes": {"notes": row.notes}},
            "included": [{"attributes": {"notes": "PIN 7781"}}],
        },
    )
    shown = full_json_text(Masker(False).mask_detail(detail).document)
    assert "5531" not in shown and "7781" not in shown


def test_the_customers_mobile_in_free_text_is_masked_in_every_common_format():
    known = {"Priya Sharma", "919845012345", "priya.sharma@example.com"}
    for written in (
        "+91 98450 12345",
        "+919845012345",
        "919845012345",
        "098450 12345",
        "0091-98450-12345",
        "9845012345",
        "(+91) 98450-12345",
    ):
        masked = Masker(True).mask_text(f"Rang from {written} about the parcel", known)
        assert "9845012345" not in re.sub(r"\D", "", masked), (written, masked)
        assert masked.startswith("Rang from ") and masked.endswith(" about the parcel")


def test_any_email_address_in_free_text_is_masked():
    masked = Masker(True).mask_text(
        "cc: someone.else@corp.example and PRIYA.SHARMA@EXAMPLE.COM", {"priya.sharma@example.com"}
    )
    assert "someone.else@" not in masked and "priya.sharma" not in masked.lower()
    assert "s•••@corp.example" in masked


def test_ids_are_never_masked():
    customer = Customer(
        name="Priya Sharma",
        mobile="919845012345",
        external_id="CRM-100234",
        source_ids={"capillary": "381204117"},
    )
    result = Masker(True).mask_result(_result(customer, [_row(0)]))
    assert result.customer.external_id == "CRM-100234"
    assert result.customer.source_ids == {"capillary": "381204117"}
    assert result.interactions[0].id == "m0" and result.interactions[0].raw["id"] == 1000


# -- the property: no unmasked identifier in any rendered string ----------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzéøñüç"
_word = st.text(alphabet=_LETTERS, min_size=2, max_size=8).map(lambda w: ("Qx" + w).capitalize())
_COUNTRIES = {"91": ("9", 9), "44": ("7", 9), "49": ("15", 9), "1": ("415", 7), "65": ("8", 7)}


@st.composite
def _mobiles(draw) -> tuple[str, str]:
    """(E.164 digits, national number)."""
    country = draw(st.sampled_from(sorted(_COUNTRIES)))
    start, more = _COUNTRIES[country]
    national = start + draw(st.text(alphabet="0123456789", min_size=more, max_size=more))
    return country + national, national


def _formats(e164: str) -> list[str]:
    number = phonenumbers.parse("+" + e164)
    return [
        e164,
        "+" + e164,
        "00" + e164,
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    ]


@st.composite
def customers(draw):
    first, last, street = draw(_word), draw(_word), draw(_word)
    mobile, national = draw(_mobiles())
    domain = draw(st.sampled_from(["example.com", "mail.example.org"]))  # the domain is shown
    email = f"{draw(_word).lower()}.{last.lower()}@{domain}"
    written = draw(st.sampled_from(_formats(mobile)))
    address = f"{draw(st.integers(1, 999))} {street} Road"
    customer = Customer(
        name=f"{first} {last}",
        mobile=mobile,
        email=email,
        external_id="CRM-" + draw(st.text("0123456789", min_size=6, max_size=6)),
        source_ids={"capillary": "381204117"},
        extra={"Tier": "Gold", "Address": address},
    )
    notes = draw(
        st.sampled_from(
            [
                f"Complaint: {first} rang from {written}, asked us to write to {email.upper()}.",
                f"Awaiting callback for {first.upper()} {last} on {written}; lives at {address}.",
                f"{last}, {first}: vulnerable customer. Your OTP is 482913. Mobile {written}.",
            ]
        )
    )
    rows = [
        _row(
            0,
            subject=f"Hi {first}, your code is 4821",
            receiver=mobile,
            raw_extra={"mobile": int(mobile), "nested": [{"to": written, "email": email}]},
        ),
        _row(1, subject=f"Welcome {first} {last}!", receiver=email),
        _ctrlhub_row(2, f"Ms {first} {last}", notes),
    ]
    identifiers = {"name parts": [first, last, street], "email": email, "national": national}
    kind = draw(st.sampled_from([IdentifierKind.MOBILE, IdentifierKind.EMAIL]))
    query = Query(kind, mobile if kind is IdentifierKind.MOBILE else email)
    return _result(customer, rows, query), identifiers


def _leaks(text: str, identifiers: dict) -> list[str]:
    """The identifiers that appear in the text, unmasked."""
    folded = text.casefold()
    found = [p for p in identifiers["name parts"] if p.casefold() in folded]
    local = identifiers["email"].split("@")[0]
    found += (
        [identifiers["email"]] if f"{local}@" in folded or identifiers["email"] in folded else []
    )
    runs = ("".join(c for c in run if c.isdigit()) for run in re.findall(r"[\d\s\-.()/+]+", text))
    found += [identifiers["national"]] if any(identifiers["national"] in r for r in runs) else []
    return found


def _rendered(result: LookupResult, detail: InteractionDetail) -> dict[str, str]:
    """Every string the window and the CLI show, copy or export for this result."""
    state = SearchState(
        result.query, 1, (SourceStatus(Source.CAPILLARY, SourceState.LIVE),), result, final=True
    )
    out = {
        "customer_lines": repr(customer_lines(result.customer)),
        "render_table": render_table(result),
        "result_json": dumps(result_json(result)),
        "state_json": dumps(state_json(state)),
        "to_csv": to_csv(result.interactions),
        "report_html": report_html(result, TimelineFilter(), result.interactions, NOW),
        "customer_summary": customer_summary(result, NOW),
        "attention": "\n".join(e.text for e in attention(result, NOW)),
        "interaction_detail_fields": repr(interaction_detail_fields(detail)),
        "detail_render_fields": render_fields("x", interaction_detail_fields(detail)),
        "detail_json": dumps(detail_json(detail)),
        "detail_document": full_json_text(detail.document),
    }
    for item in result.interactions:
        out[f"detail_fields {item.id}"] = render_fields("x", detail_fields(item))
        out[f"tooltips {item.id}"] = repr(detail_fields(item))
        out[f"raw_json_text {item.id}"] = raw_json_text(item.raw)
        out[f"full_json_text {item.id}"] = full_json_text(item.raw)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers())
def test_with_masking_on_no_rendered_string_holds_an_identifier(case):
    result, identifiers = case
    detail = _detail(result)
    unmasked = _rendered(result, detail)
    seen = {found for text in unmasked.values() for found in _leaks(text, identifiers)}
    assert seen >= {identifiers["email"], identifiers["national"]}  # the check can see them

    masker = Masker(True)
    masked = _rendered(masker.mask_result(result), masker.mask_detail(detail))
    leaks = {where: _leaks(text, identifiers) for where, text in masked.items()}
    assert not {where: found for where, found in leaks.items() if found}, masked
    assert "482913" not in "".join(masked.values()) and "4821" not in masked["to_csv"]


def test_errors_warnings_and_source_sentences_are_masked():
    customer = Customer(name="Priya Sharma", mobile="919845012345")
    result = _result(customer, [], warnings=["No e-mail history for +91 98450 12345"])
    result.errors.append(
        NotFound(
            "No customer with mobile 919845012345",
            source=Source.CTRLHUB,
            detail="GET /customers?mobile=919845012345",
        )
    )
    status = SourceStatus(Source.CTRLHUB, SourceState.FAILED, "Nothing for 919845012345", "x")
    state = SearchState(
        result.query,
        1,
        (status,),
        result,
        final=True,
        failure=NotFound("No customer with mobile 919845012345"),
    )
    text = dumps(state_json(Masker(True).mask_state(state)))
    assert "9845012345" not in re.sub(r"[^\d\"]", "", text) and "Priya" not in text
    assert result.errors[0].message.endswith("919845012345")  # the original is untouched


# -- the command line -----------------------------------------------------------------------

AMELIA = {
    "name parts": ["Amelia", "Jones"],
    "email": "amelia.jones@example.org",
    "national": "7700900234",
}


def _cli(*args: str, config: str | None = None, **extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIEWER_CAPILLARY", "VIEWER_CTRLHUB"))
    }
    env.update(extra)
    if config is not None:
        folder = env["VIEWER_CONFIG_DIR"]
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.toml"), "w", encoding="utf-8") as out:
            out.write(config)
    done = subprocess.run(
        [sys.executable, "-m", "viewer", *args], capture_output=True, text=True, env=env, timeout=90
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("output", [[], ["--json"], ["--csv"], ["--stream", "--json"]])
def test_lookup_mask_prints_no_identifier(output):
    done = _cli("lookup", "--demo", "--email", "amelia.jones@example.org", "--mask", *output)
    assert not _leaks(done.stdout, AMELIA)
    assert "+44 •••• •••234" in done.stdout or "a•••@example.org" in done.stdout
    assert "CRM-100248" in done.stdout or output == ["--csv"]  # external ids stay


def test_interaction_mask_prints_no_identifier_of_the_contact():
    oliver = {
        "name parts": ["Oliver", "Smith", "Canal Wharf"],
        "email": "oliver.smith@example.com",
        "national": "7700900123",
    }
    for output in ([], ["--json"]):
        done = _cli(
            "interaction", "--demo", "08dc5100-69e2-45a8-89f9-eb3045264115", "--mask", *output
        )
        assert not _leaks(done.stdout, oliver) and "S18 9ZN" not in done.stdout
        assert "08dc5100-69e2-45a8-89f9-eb3045264115" in done.stdout
        assert "Northfield Homes" in done.stdout  # the landlord is not the customer


def test_a_profile_masks_by_default_unless_no_mask(demo_server):
    from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_USERNAME

    secret = {"VIEWER_CAPILLARY_PASSWORD": DEMO_CAPILLARY_PASSWORD}

    config = (
        f'[profiles.desk]\ncapillary_url = "{demo_server.url}"\n'
        f'capillary_username = "{DEMO_CAPILLARY_USERNAME}"\nctrlhub_org = ""\n'
        "mask_by_default = true\n"
    )
    masked = _cli("lookup", "--mobile", "+91 98450 12345", "--json", config=config, **secret)
    priya = {
        "name parts": ["Priya", "Sharma"],
        "email": "priya.sharma@example.com",
        "national": "9845012345",
    }
    assert not _leaks(masked.stdout, priya)
    assert json.loads(masked.stdout)["customer"]["mobile"] == "+91 ••••• ••345"
    shown = _cli("lookup", "--mobile", "+91 98450 12345", "--json", "--no-mask", **secret)
    assert json.loads(shown.stdout)["customer"]["name"] == "Priya Sharma"


# -- building blocks ------------------------------------------------------------------------


def _row(
    n: int, subject: str = "Hello", receiver: str = "919845012345", raw_extra: dict | None = None
) -> Interaction:
    raw = {
        "id": 1000 + n,
        "receiver": receiver,
        "subject": subject,
        "campaignId": -1,
        "status": "DELIVERED",
        "sentDate": "01-11-2026 17:26:43",
        **(raw_extra or {}),
    }
    return Interaction(
        Source.CAPILLARY,
        f"m{n}",
        "sms",
        Direction.OUTBOUND,
        NOW - timedelta(days=n + 1),
        "DELIVERED",
        subject,
        receiver,
        campaign_id="1241780",
        user_id="381204117",
        raw=raw,
    )


def _ctrlhub_row(n: int, contact: str, notes: str) -> Interaction:
    raw = {
        "type": "interactions",
        "id": f"c{n}",
        "attributes": {"notes": notes, "status": "awaiting_callback", "contact_name": contact},
    }
    return Interaction(
        Source.CTRLHUB,
        f"c{n}",
        "phone",
        Direction.INBOUND,
        NOW - timedelta(hours=n),
        "awaiting_callback",
        notes.split(".")[0],
        contact,
        contacted=False,
        notes=notes,
        raw=raw,
    )


def _result(
    customer: Customer,
    rows: list[Interaction],
    query: Query | None = None,
    warnings: list[str] | None = None,
) -> LookupResult:
    return LookupResult(
        query or Query(IdentifierKind.MOBILE, customer.mobile or "919845012345"),
        customer,
        rows,
        {"sms": ChannelCount("sms", len(rows), len(rows))},
        warnings or [],
        [],
        NOW,
    )


def _detail(result: LookupResult) -> InteractionDetail:
    """The Ctrl-Hub row in full, with the customer as its contact and their home as property."""
    customer, item = result.customer, result.interactions[-1]
    contact = Related(
        "contact",
        "c8ee4c69-f318-446d-8830-009183b17efe",
        item.counterpart,
        (("E-mail", customer.email), ("Telephone", customer.mobile), ("Association", "owner")),
    )
    home = Related(
        "property",
        "d77e1b6f-78ab-46c4-b91e-b97b450938b3",
        customer.extra["Address"],
        (("Postcode", "S18 9ZN"), ("UPRN", "707043862790")),
    )
    document = {
        "data": item.raw,
        "included": [
            {
                "attributes": {
                    "email": customer.email,
                    "telephone": customer.mobile,
                    "address": customer.extra["Address"],
                }
            }
        ],
    }
    return InteractionDetail(
        item, {"contact": contact, "property": home, "organisation": None}, document=document
    )
