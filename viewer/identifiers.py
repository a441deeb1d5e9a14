"""Turn what an agent typed into a Query: detect the kind, normalise the value.

The window and the CLI both go through `parse_query`, so "+91 99001-12233" typed in
either place reaches Capillary as "919900112233", the way Capillary stores mobiles.
"""

from __future__ import annotations

import re
import uuid

from viewer.domain import BadInput, IdentifierKind, Query

# Digits with an optional leading "+", spaces, dashes, dots or brackets: "+44 (0)20 7946-0018".
# Only ASCII digits are sent: Python's \d also accepts Arabic-Indic "٩١٩" or Devanagari
# "९१९" (and isdigit() superscript "²"), which no API matches as the customer's number.
_ASCII_DIGITS = "0123456789"
_MOBILE_SHAPE = re.compile(r"\+?[0-9\s\-().]+")
# The same shape written with any script's digits: typed as a phone number, so the agent
# hears why it cannot be sent rather than it being searched as an external id.
_ANY_DIGITS_MOBILE_SHAPE = re.compile(r"\+?[\d\s\-().]+")
_MIN_MOBILE_DIGITS = 5
_MAX_MOBILE_DIGITS = 15  # E.164 allows at most 15
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")
_UUID_SHAPE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
MAX_IDENTIFIER_LENGTH = 256


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


def normalise_mobile(text: str) -> str:
    """Digits 0-9 only, 5 to 15 of them; anything else is BadInput with a sentence."""
    text = text.strip()
    if not _MOBILE_SHAPE.fullmatch(text):
        if _ANY_DIGITS_MOBILE_SHAPE.fullmatch(text):
            raise BadInput(f"“{text}” uses digits other than 0–9: type the mobile number with 0–9.")
        raise BadInput(f"“{text}” is not a mobile number: use digits, +, spaces or dashes.")
    digits = "".join(c for c in text if c in _ASCII_DIGITS)
    if not _MIN_MOBILE_DIGITS <= len(digits) <= _MAX_MOBILE_DIGITS:
        raise BadInput(
            f"A mobile number has {_MIN_MOBILE_DIGITS} to {_MAX_MOBILE_DIGITS} digits "
            f"with its country code; “{text}” has {len(digits)}."
        )
    return digits


def normalise_uuid(text: str, what: str = "interaction id") -> str:
    """A canonical lower-case UUID, or BadInput: such ids go into URL paths."""
    text = text.strip()
    if not _UUID_SHAPE.fullmatch(text):
        raise BadInput(f"“{text[:60]}” is not a valid {what} (expected a UUID).")
    return str(uuid.UUID(text))


def parse_query(text: str, kind: IdentifierKind | None = None) -> Query:
    """Build a Query; `kind=None` means Auto. Raises BadInput with a readable sentence."""
    text = (text or "").strip()
    if not text:
        raise BadInput("Type a mobile number, an e-mail address or an external id.")
    if len(text) > MAX_IDENTIFIER_LENGTH:
        raise BadInput(f"That is too long for an identifier ({len(text)} characters).")
    kind = kind or detect_kind(text)
    if kind is IdentifierKind.MOBILE:
        return Query(kind, normalise_mobile(text))
    if kind is IdentifierKind.EMAIL:
        if not _EMAIL_SHAPE.fullmatch(text):
            raise BadInput(f"“{text}” is not an e-mail address.")
        return Query(kind, text.lower())
    if kind is IdentifierKind.INTERACTION_ID:
        return Query(kind, normalise_uuid(text))
    return Query(kind, text)
