"""Turn what an agent typed into a Query: detect the kind, normalise the value.

The window and the CLI both go through `parse_query`, so "+91 99001-12233" typed in
either place reaches Capillary as "919900112233", the way Capillary stores mobiles
(E.164 digits without the "+").

A mobile typed with "+" or "00" is international. One typed without them is national when
the profile has a default country ("07700 900123" in GB is 447700900123); with no default
country its digits are sent as typed, which works for numbers typed with their country code.
Numbers are checked with `phonenumbers` for a possible length, not for a known range: ranges
change faster than an installed copy learns them, and the ranges set aside for fiction (UK
07700 900xxx, used by the demo) are "invalid" by design.
"""

from __future__ import annotations

import re
import uuid
from functools import cache

from viewer.domain import BadInput, IdentifierKind, NotFound, Query

# Digits with an optional leading "+", spaces, dashes, dots or brackets: "+44 (0)20 7946-0018".
# Only ASCII digits are sent: Python's \d also accepts Arabic-Indic "٩١٩" or Devanagari
# "९१९" (and isdigit() superscript "²"), which no API matches as the customer's number.
# phonenumbers would accept those digits (and letters, "1-800-FLOWERS"): this check runs first.
_ASCII_DIGITS = "0123456789"
_MOBILE_SHAPE = re.compile(r"\+?[0-9\s\-().]+")
# The same shape written with any script's digits: typed as a phone number, so the agent
# hears why it cannot be sent rather than it being searched as an external id.
_ANY_DIGITS_MOBILE_SHAPE = re.compile(r"\+?[\d\s\-().]+")
_INTERNATIONAL_00 = re.compile(r"[\s(]*00")  # "0091 98450 12345", "(0044) 7700 900123"
_MIN_MOBILE_DIGITS = 5
_MAX_MOBILE_DIGITS = 15  # E.164 allows at most 15
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")
_UUID_SHAPE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
MAX_IDENTIFIER_LENGTH = 256


# phonenumbers is imported where it is used: ~25 ms that the window's start need not wait for.


@cache
def _why_not_possible() -> dict[int, str]:
    from phonenumbers import ValidationResult

    return {
        ValidationResult.TOO_SHORT: "it is too short",
        ValidationResult.TOO_LONG: "it is too long",
        ValidationResult.INVALID_LENGTH: "it has the wrong number of digits",
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "it needs its area code",
    }


@cache
def _why_not_parsed() -> dict[int, str]:
    from phonenumbers import NumberParseException

    return {
        NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short",
        NumberParseException.TOO_SHORT_NSN: "it is too short",
        NumberParseException.TOO_LONG: "it is too long",
    }


def detect_kind(text: str) -> IdentifierKind:
    """Auto: "@" → e-mail; a UUID → a Ctrl-Hub interaction; a phone shape → mobile."""
    text = text.strip()
    if "@" in text:
        return IdentifierKind.EMAIL
    if _UUID_SHAPE.fullmatch(text):
        return IdentifierKind.INTERACTION_ID
    if _ANY_DIGITS_MOBILE_SHAPE.fullmatch(text) and any(c.isdigit() for c in text):
        return IdentifierKind.MOBILE
    return IdentifierKind.EXTERNAL_ID


def country_codes() -> list[str]:
    """Every country a default country can be (ISO 3166 alpha-2), for a picker."""
    import phonenumbers

    return sorted(phonenumbers.SUPPORTED_REGIONS)


def country_code(text: str | None) -> str:
    """A default country as an ISO 3166 alpha-2 code ("gb " → "GB"; "" for none), or BadInput."""
    import phonenumbers

    code = (text or "").strip().upper()
    if not code or code in phonenumbers.SUPPORTED_REGIONS:
        return code
    hint = " (the United Kingdom is GB)" if code == "UK" else ""
    raise BadInput(
        f"“{code[:20]}” is not a country code{hint}: use two letters, e.g. IN, GB or SG."
    )


def normalise_mobile(text: str, default_country: str | None = None) -> str:
    """E.164 digits without "+" (ASCII 0-9 only, 5 to 15 of them), or BadInput with a sentence.

    "+…" or "00…" is international; otherwise national in `default_country`, or, with none,
    the digits as typed."""
    text = text.strip()
    if not _MOBILE_SHAPE.fullmatch(text):
        if _ANY_DIGITS_MOBILE_SHAPE.fullmatch(text):
            raise BadInput(f"“{text}” uses digits other than 0–9: type the mobile number with 0–9.")
        raise BadInput(f"“{text}” is not a mobile number: use digits, +, spaces or dashes.")
    international = _international(text)
    if international is not None:
        return _e164_digits(text, international, None)
    if default_country:
        return _e164_digits(text, text, country_code(default_country))
    digits = "".join(c for c in text if c in _ASCII_DIGITS)
    _check_digit_count(text, digits)
    return digits


def _international(text: str) -> str | None:
    """The text with a leading "+" when it was typed as international ("+" or "00"), else None."""
    if text.startswith("+"):
        return text
    lead = _INTERNATIONAL_00.match(text)
    return "+" + text[lead.end() :] if lead else None


def _e164_digits(typed: str, text: str, region: str | None) -> str:
    """`text` read by phonenumbers (national in `region`, else international): its E.164
    digits when its length is possible there; else a sentence naming the country used."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and region is None:
            raise BadInput(f"“{typed}” does not start with a known country code.") from None
        raise _not_a_mobile(typed, region, _why_not_parsed().get(exc.error_type, "")) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        raise BadInput(f"“{typed}” does not start with a known country code.")
    if reason != ValidationResult.IS_POSSIBLE:
        raise _not_a_mobile(
            typed, region or _country_of(number.country_code), _why_not_possible().get(reason, "")
        )
    digits = phonenumbers.format_number(number, PhoneNumberFormat.E164).lstrip("+")
    _check_digit_count(typed, digits)
    return digits


def _country_of(calling_code: int | None) -> str | None:
    """ "GB" for 44 (the main country of a shared code); "+800" for a code of no country;
    None when the number holds no code (phonenumbers types it optional)."""
    if calling_code is None:
        return None
    import phonenumbers

    region = phonenumbers.region_code_for_country_code(calling_code)
    return (
        region if region.isalpha() and region != phonenumbers.UNKNOWN_REGION else f"+{calling_code}"
    )


def _not_a_mobile(typed: str, country: str | None, why: str) -> BadInput:
    because = f": {why}" if why else ""
    if country is None:
        return BadInput(f"“{typed}” is not a valid mobile number{because}.")
    elsewhere = ""
    if not typed.startswith("+") and not _INTERNATIONAL_00.match(typed):  # read as national
        elsewhere = " For a number from another country, type + and its country code."
    return BadInput(f"“{typed}” is not a valid {country} mobile number{because}.{elsewhere}")


def _check_digit_count(typed: str, digits: str) -> None:
    if not _MIN_MOBILE_DIGITS <= len(digits) <= _MAX_MOBILE_DIGITS:
        raise BadInput(
            f"A mobile number has {_MIN_MOBILE_DIGITS} to {_MAX_MOBILE_DIGITS} digits "
            f"with its country code; “{typed}” has {len(digits)}."
        )


def normalise_uuid(text: str, what: str = "interaction id") -> str:
    """A canonical lower-case UUID, or BadInput: such ids go into URL paths."""
    text = text.strip()
    if not _UUID_SHAPE.fullmatch(text):
        raise BadInput(f"“{text[:60]}” is not a valid {what} (expected a UUID).")
    return str(uuid.UUID(text))


def parse_query(
    text: str, kind: IdentifierKind | None = None, default_country: str | None = None
) -> Query:
    """Build a Query; `kind=None` means Auto; `default_country` (ISO alpha-2) reads a mobile
    typed without "+" as national there. Raises BadInput with a readable sentence."""
    text = (text or "").strip()
    if not text:
        raise BadInput("Type a mobile number, an e-mail address or an external id.")
    if len(text) > MAX_IDENTIFIER_LENGTH:
        raise BadInput(f"That is too long for an identifier ({len(text)} characters).")
    kind = kind or detect_kind(text)
    if kind is IdentifierKind.MOBILE:
        return Query(kind, normalise_mobile(text, default_country))
    if kind is IdentifierKind.EMAIL:
        if not _EMAIL_SHAPE.fullmatch(text):
            raise BadInput(f"“{text}” is not an e-mail address.")
        return Query(kind, text.lower())
    if kind is IdentifierKind.INTERACTION_ID:
        return Query(kind, normalise_uuid(text))
    return Query(kind, text)  # external ids as typed: never case-folded


# -- what to try next when nothing was found ---------------------------------------------

COUNTRY_CODE_ADVICE = (
    "Try it with its country code (e.g. +44 7700 900123, not 07700 900123), "
    "or set a default country in the profile."
)
EXTERNAL_ID_ADVICE = "External ids are matched exactly (case matters)."


def not_found_advice(query: Query, default_country: str | None = None) -> str:
    """A sentence to add when no source knows `query`, or "".

    A mobile sent without a default country whose digits do not read as an international
    number (e.g. "07700900123", a national number) was probably typed without its country
    code. An external id was sent exactly as typed: the agent should know the case counts."""
    if query.kind is IdentifierKind.EXTERNAL_ID:
        return EXTERNAL_ID_ADVICE
    if (
        query.kind is IdentifierKind.MOBILE
        and not default_country
        and not _reads_as_international(query.value)
    ):
        return COUNTRY_CODE_ADVICE
    return ""


def with_advice(failure: NotFound, query: Query, default_country: str | None = None) -> NotFound:
    """`failure` with `not_found_advice` added to its sentence (the same failure if none)."""
    advice = not_found_advice(query, default_country)
    if not advice or advice in failure.message:
        return failure
    return NotFound(f"{failure.message} {advice}", source=failure.source, detail=failure.detail)


def _reads_as_international(digits: str) -> bool:
    import phonenumbers
    from phonenumbers import NumberParseException

    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None))
    except NumberParseException:
        return False
