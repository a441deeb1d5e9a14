"""Masked mode (no Qt): the customer's identifiers hidden in everything the program shows.

Masking is done once, at the presentation boundary: `Masker(on).mask_result(result)` gives a
masked COPY of a LookupResult (customer card, query, warnings, errors, every row's receiver /
contact, subject, notes and the raw dict the source sent, recursively). Everything rendered
from that copy (table, detail fields, raw view, JSON, CSV, report, summary, attention list) is
masked without any renderer knowing. `mask_state` and `mask_detail` do the same for a search
state and a Ctrl-Hub interaction in full.

What is masked: names (`A••• J•••`), mobiles (`+91 ••••• ••345`: country code and the last three
digits stay, so an agent can still confirm "ends in 345"), e-mail addresses (`p•••@example.com`),
receivers and contacts, addresses (a Ctrl-Hub property, its postcode and UPRN) and, in free text
(subjects, notes, raw values), every known identifier of the customer in any common format plus
any e-mail address at all. External ids, interaction ids and campaign ids are never masked (ids
are how an agent hands a case on; API-NOTES: Capillary's console does the same).

One-time passwords are masked whether masked mode is on or not (`mask_otp`): in subjects, notes
and the raw values of text fields. A digit run counts as an OTP when it has 4 to 8 digits, stands
alone (not part of a longer number, a date, a time, an amount or an "#order" number) and lies
within 40 characters of a word such as OTP, code, PIN, passcode, password or verification. It
becomes `••••••` whatever its length. A bare 6-digit run with no such word is NOT masked: the
demo's own data (like real shops') is full of "Your order #346317 is ready", and hiding order
numbers costs the agent more than it protects; an OTP message names itself.
"""

from __future__ import annotations

import copy
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from itertools import compress
from typing import Any

from viewer.domain import (
    Customer,
    IdentifierKind,
    Interaction,
    InteractionDetail,
    LookupResult,
    Query,
    RawJson,
    Related,
    ViewerError,
)
from viewer.search import SearchState, SourceStatus

DOT = "•"
HIDDEN = DOT * 3  # a whole value hidden (an address line, a postcode)
OTP_MASK = DOT * 6
_KEEP_DIGITS = 3  # the mobile's last digits left readable
_MIN_MOBILE_DIGITS = 5  # shorter digit strings are not treated as a phone number
_SUBSTRING_NAME = 3  # a name part this long is masked wherever it occurs (CJK has no spaces)
# Card labels whose value is an address or contact detail: hidden whatever it holds.
_HIDDEN_LABELS = re.compile(
    r"address|street|postcode|post code|zip|phone|mobile|e-?mail|"
    r"uprn|birth|dob",
    re.IGNORECASE,
)
_NOT_PERSONAL = frozenset({"organisation"})  # the landlord's own name is not the customer's
_SEPARATORS = r"[\s\-.()/]*"
_ANY_EMAIL = re.compile(
    r"[^\s@<>()\[\]{},;:\"'`]+@[^\s@<>()\[\]{},;:\"'`]+\.[^\s@<>()\[\]{},;:\"'`]+"
)

# -- one-time passwords ------------------------------------------------------------------

_OTP_WORDS = re.compile(
    r"(?i)(?<!\w)(?:otp|one[- ]?time|passcode|pass code|password|code|pin|verification|verify|"
    r"2fa|mfa|tan|token|kod|kode|código|codice|mã|パスコード|認証|验证码|验证)"
)
_DIGIT_RUN = re.compile(r"(?<![\d.,:/\-#])\d{4,8}(?![\d]|[.,:/\-]\d)")
_HAS_FOUR_DIGITS = re.compile(r"\d{4}")
_SUBJECT, _NOTES = operator.attrgetter("subject"), operator.attrgetter("notes")
# Rows walked by one call into C (map, set.update, compress): such a call holds the GIL to
# its end, and the window waits for it (100,000 rows in one call: 25 ms); ~2 ms per chunk.
_GIL_CHUNK = 10_000
_MEMO_LIMIT = 200_000  # distinct strings remembered while masking one customer
_OTP_WINDOW = 40  # characters either side of a digit run searched for a keyword
# Raw fields holding message text: OTPs in them are masked even with masked mode off.
_TEXT_WORDS = (
    "subject",
    "message",
    "body",
    "text",
    "notes",
    "note",
    "content",
    "description",
    "summary",
    "title",
    "sms",
    "template",
)
_TEXT_KEYS = frozenset(w for word in _TEXT_WORDS for w in (word, word.upper(), word.title()))


def mask_otp(text: str) -> str:
    """The text with OTP-looking digit runs replaced by ••••••; the same string if none."""
    if not text:
        return text
    if len(text) > _LONGEST_SHAPE or _TWO_FA.search(text):
        spans = _otp_spans(text)
    else:
        # Which runs are OTPs depends on where digits are, never on which digits they are
        # (no pattern above names a digit, "2fa" aside), so texts that differ only in their
        # digits share the answer: a 100k customer's 26,500 distinct subjects (order numbers,
        # points) are 5,300 shapes, and the two searches below cost ~4 µs a text.
        shape = text.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_ZERO)
        known = _OTP_SPANS_BY_SHAPE.get(shape)
        if known is None:
            if len(_OTP_SPANS_BY_SHAPE) >= _SHAPES_KEPT:
                _OTP_SPANS_BY_SHAPE.clear()
            known = _OTP_SPANS_BY_SHAPE[shape] = _otp_spans(text)
        spans = known
    if not spans:
        return text
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += (text[done:start], OTP_MASK)
        done = end
    return "".join(pieces) + text[done:]


def _otp_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the OTPs are in `text`: digit runs with a word such as "code" near them."""
    if not _HAS_FOUR_DIGITS.search(text) or not _DIGIT_RUN.search(text):
        return ()  # the usual text: no run of digits long enough
    if not _OTP_WORDS.search(text):  # the slower test last
        return ()
    return tuple(m.span() for m in _DIGIT_RUN.finditer(text) if _looks_like_otp(text, m))


# A text's shape for mask_otp: its UTF-8 with every ASCII digit as "0" (no other character's
# UTF-8 holds such a byte; 8 ms for 26,000 texts where str.translate took 60). Other
# scripts' digits stay: a text holding them is its own shape, still right, only not shared.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_TWO_FA = re.compile(r"(?i)2fa")  # the one OTP word with a digit in it: its texts go alone
_OTP_SPANS_BY_SHAPE: dict[bytes, tuple[tuple[int, int], ...]] = {}
_SHAPES_KEPT = 20_000  # then forgotten all at once (any thread may add; a dict takes that)
_LONGEST_SHAPE = 300  # characters: a subject, not a note (a note goes alone: memory)


def forget_shapes() -> None:
    """Drop the remembered text shapes: they hold the customers' texts (digits zeroed). The
    window calls this when it changes connection (sign-out, another profile)."""
    _OTP_SPANS_BY_SHAPE.clear()


def mask_raw_otp(raw: dict[str, Any]) -> dict[str, Any]:
    """A row's raw reply with OTPs masked in its text fields, at any depth (the same dict when
    there is none). The raw view and "Copy all JSON" show a row's raw only through this: with
    masked mode off, a result's rows keep their raw as received (see Masker._row)."""
    return Masker(False)._raw_otp(raw)


def _chunks(rows: list[Interaction]) -> Iterator[tuple[int, list[Interaction]]]:
    """`rows` a slice of _GIL_CHUNK at a time, each with the position of its first row."""
    for start in range(0, len(rows), _GIL_CHUNK):
        yield start, rows[start : start + _GIL_CHUNK]


def _looks_like_otp(text: str, match: re.Match[str]) -> bool:
    start, end = match.span()
    return _OTP_WORDS.search(text, max(0, start - _OTP_WINDOW), end + _OTP_WINDOW) is not None


# -- single values -----------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isascii() and c.isdigit())


@lru_cache(maxsize=256)
def _split_mobile(mobile: str) -> tuple[str, str]:
    """(country code, national number) of a mobile ("447700900234" → "44", "7700900234");
    ("", digits) when no country can be read from it."""
    import phonenumbers  # here: ~25 ms the window's start need not wait for

    digits = _digits(mobile)
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return "", digits
    national = phonenumbers.national_significant_number(number)
    if not number.country_code or len(national) < _MIN_MOBILE_DIGITS:
        return "", digits
    return str(number.country_code), national


@lru_cache(maxsize=4096)
def mask_mobile(mobile: str) -> str:
    """ "+91 98450 12345" or "919845012345" → "+91 ••••• ••345"."""
    digits = _digits(mobile)
    if not digits:
        return HIDDEN if mobile.strip() else mobile
    country, national = _split_mobile(mobile)
    if country:
        import phonenumbers

        grouped = phonenumbers.format_number(
            phonenumbers.parse("+" + country + national),
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        )
        prefix, _, rest = grouped.partition(" ")
        return f"{prefix} {_dots_but_last(rest)}" if rest else _dots_but_last(grouped)
    return _dots_but_last(digits)


def _dots_but_last(text: str) -> str:
    """Every digit but the last three as •; all of them when there are too few to spare."""
    total = sum(c.isdigit() for c in text)
    keep = _KEEP_DIGITS if total >= 2 * _KEEP_DIGITS else 0
    out, seen = [], 0
    for char in text:
        if char.isdigit():
            seen += 1
            out.append(char if seen > total - keep else DOT)
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=4096)
def mask_email(email: str) -> str:
    """ "priya.sharma@example.com" → "p•••@example.com" (the domain says which provider)."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return mask_name(email)
    return f"{local[:1]}{HIDDEN}@{domain}" if local else f"{HIDDEN}@{domain}"


@lru_cache(maxsize=4096)
def mask_name(name: str) -> str:
    """ "Mrs Amelia Jones" → "M••• A••• J•••": each word's first letter (an agent can still
    say "Mrs J…"), never its length."""
    return " ".join(word[:1] + HIDDEN for word in name.split())


@lru_cache(maxsize=4096)
def mask_counterpart(value: str) -> str:
    """A receiver or contact, by its shape: an e-mail, a phone number or a name."""
    if not value or not value.strip():
        return value
    if "@" in value:
        return mask_email(value)
    if len(_digits(value)) >= _MIN_MOBILE_DIGITS and not any(c.isalpha() for c in value):
        return mask_mobile(value)
    return mask_name(value)


def mask_identifier(value: str, kind: IdentifierKind | None = None) -> str:
    """What an agent typed or a log records, masked by its kind (by its shape when no kind is
    given): a mobile or an e-mail is masked; an external id or interaction id stays as it is."""
    if kind is IdentifierKind.MOBILE:
        return mask_mobile(value)
    if kind is IdentifierKind.EMAIL:
        return mask_email(value)
    if kind in (IdentifierKind.EXTERNAL_ID, IdentifierKind.INTERACTION_ID):
        return value
    return mask_counterpart(value)


# -- free text -----------------------------------------------------------------------------


def _mobile_pattern(mobile: str) -> str:
    """The mobile in any common format: "+44 7700 900234", "0044-7700-900234",
    "07700 900234", "(0)7700900234", "447700900234", "7700 900 234"."""
    country, national = _split_mobile(mobile)
    body = _SEPARATORS.join(national)
    prefix = (
        rf"(?:(?:\+|00)?{country}{_SEPARATORS}(?:\(0\){_SEPARATORS})?|0{_SEPARATORS})?"
        if country
        else ""
    )
    return rf"(?<!\d){prefix}{body}(?!\d)"


def _name_patterns(name: str) -> list[str]:
    words = [w for w in re.split(r"[\s,]+", name.strip()) if w]
    patterns = [re.escape(name.strip())] if len(words) > 1 else []
    for word in words:
        if not any(c.isalpha() for c in word) and len(word) < _MIN_MOBILE_DIGITS:
            continue  # a house number alone names nobody; masking "12" would eat dates
        if len(word) >= _SUBSTRING_NAME:
            patterns.append(re.escape(word))
        elif len(word) >= 2:  # "Li", "Ng": only as a word of its own
            patterns.append(rf"(?<!\w){re.escape(word)}(?!\w)")
    return patterns


@lru_cache(maxsize=64)
def _known_pattern(known: frozenset[str]) -> re.Pattern[str]:
    """One expression for every known identifier (longest first) and any e-mail address."""
    parts: list[tuple[str, str]] = []  # (group name, expression)
    for value in sorted(known, key=len, reverse=True):
        value = value.strip()
        if not value:
            continue
        if "@" in value:
            parts.append(("email", re.escape(value)))
        elif len(_digits(value)) >= _MIN_MOBILE_DIGITS and not any(c.isalpha() for c in value):
            parts.append(("mobile", _mobile_pattern(value)))
        elif value.startswith(HIDDEN[0]):
            continue
        else:
            parts += [("name", p) for p in _name_patterns(value)]
    groups: dict[str, list[str]] = {"email": [], "mobile": [], "name": []}
    for group, expression in parts:
        groups[group].append(expression)
    groups["email"].append(_ANY_EMAIL.pattern)  # anyone's address, after the customer's own
    alternatives = [f"(?P<{g}>{'|'.join(e)})" for g, e in groups.items() if e]
    return re.compile("|".join(alternatives), re.IGNORECASE)


@lru_cache(maxsize=64)
def _nationals(known: frozenset[str]) -> tuple[str, ...]:
    """The national numbers of the known mobiles: what a raw number must hold to be one."""
    return tuple(
        _split_mobile(v)[1]
        for v in known
        if len(_digits(v)) >= _MIN_MOBILE_DIGITS and not any(c.isalpha() for c in v)
    )


def _masked_match(match: re.Match[str]) -> str:
    text = match.group()
    if match.lastgroup == "email":
        return mask_email(text)
    if match.lastgroup == "mobile":
        return mask_mobile(text)
    return mask_name(text) if text.strip() else text


def mask_text(text: str, known: Iterable[str]) -> str:
    """Free text with every known identifier (and any e-mail address) masked."""
    if not text:
        return text
    return _known_pattern(frozenset(known)).sub(_masked_match, text)


# -- whole results ---------------------------------------------------------------------------


def customer_identifiers(customer: Customer, query: Query | None = None) -> frozenset[str]:
    """What identifies this customer in free text: name, mobile, e-mail, what was typed."""
    known = {customer.name, customer.mobile, customer.email}
    known |= {v for k, v in customer.extra.items() if _HIDDEN_LABELS.search(k)}
    if query is not None and query.kind in (IdentifierKind.MOBILE, IdentifierKind.EMAIL):
        known.add(query.value)
    return frozenset(v for v in known if v and v.strip())


def detail_identifiers(detail: InteractionDetail) -> frozenset[str]:
    """A Ctrl-Hub interaction's people and places: names, e-mails, phones, addresses."""
    known = {detail.interaction.counterpart}
    for related in detail.related.values():
        if related is None or related.role in _NOT_PERSONAL:
            continue
        known.add(related.name)
        known |= {value for label, value in related.lines if _HIDDEN_LABELS.search(label)}
    return frozenset(v for v in known if v and v.strip() and len(v.strip()) >= 2)


class Masker:
    """Masks identifiers when `on`; masks OTPs always. Every method returns a copy and leaves
    its argument untouched. One Masker per thread (it remembers what it masked)."""

    def __init__(self, on: bool):
        self.on = on
        # Values repeat across rows (receiver, subject, status): each distinct string is
        # masked once per customer. Not for sharing between threads.
        self._known: frozenset[str] | None = None
        self._pattern: re.Pattern[str] | None = None
        self._memo: dict[str, str] = {}
        self._otp_memo: dict[str, str] = {}

    mask_mobile = staticmethod(mask_mobile)
    mask_email = staticmethod(mask_email)
    mask_name = staticmethod(mask_name)
    mask_otp = staticmethod(mask_otp)

    def mask_text(self, text: str, known: Iterable[str]) -> str:
        """Known identifiers masked (when on) and OTPs masked (always)."""
        if not text:
            return text
        if not self.on:
            return self._otp(text)
        known = known if isinstance(known, frozenset) else frozenset(known)
        if known != self._known or self._pattern is None:
            self._known, self._pattern, self._memo = known, _known_pattern(known), {}
        masked = self._memo.get(text)
        if masked is None:
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            masked = self._memo[text] = mask_otp(self._pattern.sub(_masked_match, text))
        return masked

    def _otp(self, text: str) -> str:
        masked = self._otp_memo.get(text)
        if masked is None:
            if len(self._otp_memo) > _MEMO_LIMIT:
                self._otp_memo.clear()
            masked = self._otp_memo[text] = mask_otp(text)
        return masked

    def mask_result(self, result: LookupResult) -> LookupResult:
        known = customer_identifiers(result.customer, result.query)
        if not self.on:
            rows = self._otp_rows(result.interactions)
            return result if rows is result.interactions else replace(result, interactions=rows)
        return replace(
            result,
            query=self._query(result.query),
            customer=self._customer(result.customer, known),
            interactions=[self._row(item, known) for item in result.interactions],
            warnings=[self.mask_text(w, known) for w in result.warnings],
            errors=[self._error(e, known) for e in result.errors],
            opened=self.mask_detail(result.opened, known) if result.opened else None,
        )

    def mask_state(self, state: SearchState) -> SearchState:
        """A search state with its result, query, source sentences and failure masked."""
        if not self.on:
            return replace(state, result=self.mask_result(state.result)) if state.result else state
        known = customer_identifiers(
            state.result.customer if state.result else Customer(), state.query
        )
        return replace(
            state,
            query=self._query(state.query),
            result=self.mask_result(state.result) if state.result else None,
            sources=tuple(self._status(s, known) for s in state.sources),
            failure=self._error(state.failure, known) if state.failure else None,
        )

    def mask_detail(
        self, detail: InteractionDetail, known: Iterable[str] = ()
    ) -> InteractionDetail:
        """A Ctrl-Hub interaction in full: its row, each related person or place, the document."""
        known = frozenset(known) | detail_identifiers(detail)
        if not self.on:
            return replace(
                detail,
                interaction=self._row(detail.interaction, known),
                document=self._raw_otp(detail.document),
            )
        return replace(
            detail,
            interaction=self._row(detail.interaction, known),
            related={
                role: self._related(r, known) if r else r for role, r in detail.related.items()
            },
            document=self._value(detail.document, known),
        )

    # -- the parts -----------------------------------------------------------------------

    def _query(self, query: Query) -> Query:
        if query.kind is IdentifierKind.MOBILE:
            return replace(query, value=mask_mobile(query.value))
        if query.kind is IdentifierKind.EMAIL:
            return replace(query, value=mask_email(query.value))
        return query

    def _customer(self, customer: Customer, known: frozenset[str]) -> Customer:
        return replace(
            customer,
            name=mask_name(customer.name) if customer.name else customer.name,
            mobile=mask_mobile(customer.mobile) if customer.mobile else customer.mobile,
            email=mask_email(customer.email) if customer.email else customer.email,
            extra={
                label: HIDDEN if _HIDDEN_LABELS.search(label) else self.mask_text(value, known)
                for label, value in customer.extra.items()
            },
        )

    def _otp_rows(self, rows: list[Interaction]) -> list[Interaction]:
        """The rows with OTPs masked in subjects and notes; the same list when none has one.
        Each distinct text is checked once and the rows are walked in C (map, compress):
        100,000 rows repeat about 37,000 subjects, and a Python loop over every row cost
        0.2 s."""
        texts: set[str | None] = set()
        for _, chunk in _chunks(rows):
            texts.update(map(_SUBJECT, chunk))
            texts.update(map(_NOTES, chunk))
        texts.discard(None)
        masked = {text for text in texts if text and mask_otp(text) != text}  # remembers shapes
        if not masked:
            return rows
        hit = masked.__contains__
        shown = list(rows)
        for offset, chunk in _chunks(rows):
            touched = map(
                operator.or_, map(hit, map(_SUBJECT, chunk)), map(hit, map(_NOTES, chunk))
            )
            for position in compress(range(len(chunk)), touched):
                shown[offset + position] = self._row(chunk[position], frozenset())
        return shown

    def _row(self, item: Interaction, known: frozenset[str]) -> Interaction:
        if not self.on:  # OTPs only; the same object when there is none (100k rows stay cheap)
            # The row's raw reply is masked where it is shown (mask_raw_otp): walking every
            # row's raw dict here cost half a second per 100,000 rows for the one row selected.
            subject = self._otp(item.subject) if item.subject else item.subject
            notes = self._otp(item.notes) if item.notes else item.notes
            if subject == item.subject and notes == item.notes:
                return item
            return item.changed(subject=subject, notes=notes)
        # Built directly: every field is new but the raw item's reader.
        return Interaction(
            item.source,
            item.id,
            item.channel,
            item.direction,
            item.occurred_at,
            item.status,
            self.mask_text(item.subject, known),
            mask_counterpart(item.counterpart),
            item.campaign_id,
            item.user_id,
            item.delivered_at,
            item.contacted,
            self.mask_text(item.notes, known) if item.notes else item.notes,
            self._raw(item.raw, known),
        )

    def _raw(
        self, raw: dict[str, Any] | RawJson, known: frozenset[str]
    ) -> dict[str, Any] | RawJson:
        """A row's raw item masked; one still kept as text is masked when it is decoded, by a
        masker of its own (the raw view decodes it on the GUI thread while this one may be
        masking the next answer on a worker: its memo is not for sharing)."""
        if isinstance(raw, RawJson):
            return raw.then(lambda document: Masker(True)._value(document, known))
        return self._value(raw, known)

    def _raw_otp(self, raw: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        """The raw dict with OTPs masked in its text fields, at any depth; the same dict
        when there is none."""
        if depth > 50:
            return raw
        changed = None
        for key, value in raw.items():
            if type(value) is str and key in _TEXT_KEYS:
                masked = self._otp(value)
                if masked != value:
                    changed = changed or dict(raw)
                    changed[key] = masked
            elif isinstance(value, dict | list) and value:
                inner = self._otp_inside(value, depth + 1)
                if inner is not value:
                    changed = changed or dict(raw)
                    changed[key] = inner
        return raw if changed is None else changed

    def _otp_inside(self, value: dict | list, depth: int) -> dict | list:
        if isinstance(value, dict):
            return self._raw_otp(value, depth)
        items = [self._otp_inside(v, depth + 1) if isinstance(v, dict | list) else v for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items

    def _value(self, value: Any, known: frozenset[str], depth: int = 0) -> Any:
        """A JSON value with every string (and any number holding the mobile) masked."""
        if depth > 200:  # absurd nesting: hidden rather than walked
            return HIDDEN
        if isinstance(value, str):
            return self.mask_text(value, known)
        if isinstance(value, dict):
            return self._dict(value, known, depth)
        if isinstance(value, list):
            return [self._value(v, known, depth + 1) for v in value]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
            return self._number(value, known)
        return value

    def _dict(self, value: dict, known: frozenset[str], depth: int) -> dict:
        """_value of a dict, with the flat values most replies hold taken on a fast path
        (the raw dicts of 100,000 rows are most of masked mode's cost)."""
        self.mask_text("-", known)  # the memo now belongs to these identifiers
        memo = self._memo
        out: dict[Any, Any] = {}
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                masked = memo.get(item)
                out[key] = masked if masked is not None else self.mask_text(item, known)
            elif kind is int:
                out[key] = item if -10_000 < item < 10_000 else self._number(item, known)
            elif item is None or kind is bool or kind is float:
                out[key] = item
            else:
                out[key] = self._value(item, known, depth + 1)
        return out

    def _number(self, value: int, known: frozenset[str]) -> int | str:
        """A number in a raw reply that holds the customer's mobile (919845012345) is masked;
        other numbers (message ids, campaign ids) stay numbers."""
        try:
            text = str(value)
        except ValueError:  # past the 4,300-digit conversion limit: not a phone number
            return value
        if not any(national in text for national in _nationals(known)):
            return value
        return self.mask_text(text, known)

    def _related(self, related: Related, known: frozenset[str]) -> Related:
        if related.role in _NOT_PERSONAL:
            return related
        place = related.role == "property"
        name = HIDDEN if place and related.name else mask_counterpart(related.name)
        lines = tuple(
            (label, self._line(label, value, place, known)) for label, value in related.lines
        )
        return replace(related, name=name, lines=lines)

    def _line(self, label: str, value: str, place: bool, known: frozenset[str]) -> str:
        if not value:
            return value
        if "@" in value:
            return mask_email(value)
        if re.search(r"phone|mobile", label, re.IGNORECASE):
            return mask_mobile(value)
        if place or _HIDDEN_LABELS.search(label):
            return HIDDEN
        return self.mask_text(value, known)

    def _error(self, error: ViewerError, known: frozenset[str]) -> ViewerError:
        masked = copy.copy(error)
        masked.message = self.mask_text(error.message, known)
        masked.detail = self.mask_text(error.detail, known)
        masked.args = (masked.message,)
        return masked

    def _status(self, status: SourceStatus, known: frozenset[str]) -> SourceStatus:
        return replace(
            status,
            sentence=self.mask_text(status.sentence, known),
            detail=self.mask_text(status.detail, known),
            error=self._error(status.error, known) if status.error else None,
        )
