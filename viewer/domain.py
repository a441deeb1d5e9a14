"""The viewer's vocabulary: plain data, no Qt, no HTTP.

Every source turns its replies into these objects; the UI and the CLI only ever see
these. Errors carry the sentence an agent reads and the exit code the CLI
returns, so that the two faces of the program always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

import msgspec


class Source(StrEnum):
    CAPILLARY = "capillary"
    CTRLHUB = "ctrlhub"

    @property
    def label(self) -> str:
        return {"capillary": "Capillary", "ctrlhub": "Ctrl-Hub"}[self.value]


class IdentifierKind(StrEnum):
    MOBILE = "mobile"
    EMAIL = "email"
    EXTERNAL_ID = "external_id"
    INTERACTION_ID = "interaction_id"

    @property
    def label(self) -> str:
        return _IDENTIFIER_LABELS[self]


_IDENTIFIER_LABELS = {
    IdentifierKind.MOBILE: "Mobile",
    IdentifierKind.EMAIL: "E-mail",
    IdentifierKind.EXTERNAL_ID: "External id",
    IdentifierKind.INTERACTION_ID: "Interaction id",
}


@dataclass(frozen=True, slots=True)
class Query:
    """What the agent asked for, already normalised (a mobile is digits only)."""

    kind: IdentifierKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.label} {self.value}"


class Direction(StrEnum):
    OUTBOUND = "outbound"  # the company wrote to the customer
    INBOUND = "inbound"  # the customer reached the company (missed call, reply, letter)
    UNKNOWN = "unknown"


# Channels are lower-case words (DESIGN.md); a source's own word for anything else is
# kept as it comes. The order here is the order of the tabs.
CHANNEL_LABELS: dict[str, str] = {
    "email": "E-mail",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "viber": "Viber",
    "line": "LINE",
    "zalo": "Zalo",
    "phone": "Phone",
    "missed_call": "Missed calls",
    "survey": "Surveys",
    "letter": "Letters",
}


def channel_label(channel: str) -> str:
    """Display name of a channel; an unknown word becomes "Rcs", "Push notification"."""
    if channel in CHANNEL_LABELS:
        return CHANNEL_LABELS[channel]
    words = channel.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Other"


def channel_order(channel: str) -> tuple[int, str]:
    """Sort key for tabs: known channels in their fixed order, then others by name."""
    known = list(CHANNEL_LABELS)
    return (known.index(channel), "") if channel in known else (len(known), channel)


class StatusTone(StrEnum):
    GOOD = "good"
    NEUTRAL = "neutral"
    PENDING = "pending"  # waiting on someone (amber): awaiting a callback, scheduled
    BAD = "bad"
    UNKNOWN = "unknown"


# Status classes the timeline filter and the attention list work with.
GOOD, PENDING, PROBLEM, OTHER = "good", "pending", "problem", "other"
_CLASS_OF_TONE = {StatusTone.GOOD: GOOD, StatusTone.PENDING: PENDING, StatusTone.BAD: PROBLEM}


@dataclass(frozen=True, slots=True)
class StatusInfo:
    label: str
    tone: StatusTone
    explanation: str  # the badge's tooltip, after "WORD: "
    kind: str = ""  # the status class when the tone does not say it (see status_class)


def _s(label: str, tone: StatusTone, explanation: str, kind: str = "") -> StatusInfo:
    return StatusInfo(label, tone, explanation, kind)


_G, _N, _P, _B = StatusTone.GOOD, StatusTone.NEUTRAL, StatusTone.PENDING, StatusTone.BAD

# THE one table of status words, both sources (keys upper-case; Ctrl-Hub writes lower-case):
# Capillary's delivery vocabulary (API-NOTES.md) and the Ctrl-Hub words seen so far. A word
# not listed is shown as it comes (an "AWAITING_…" word reads as pending, see below).
STATUS_TABLE: dict[str, StatusInfo] = {
    "DELIVERED": _s("Delivered", _G, "the message reached the customer's device or inbox"),
    "OPENED": _s("Opened", _G, "the customer opened the message"),
    "CLICKED": _s("Clicked", _G, "the customer clicked a link in the message"),
    "READ": _s("Read", _G, "the customer read the message"),
    "COMPLETED": _s("Completed", _G, "the interaction was carried out"),
    "SENT": _s("Sent", _N, "handed to the gateway; no delivery report yet"),
    "IN_GTW": _s("At gateway", _N, "waiting at the SMS/e-mail gateway; not delivered yet"),
    "PENDING": _s("Pending", _P, "not sent yet"),
    "QUEUED": _s("Queued", _P, "waiting in the send queue"),
    "QUEUED_FOR_RETRY": _s("Queued for retry", _P, "a first attempt failed; it will be sent again"),
    "SCHEDULED": _s("Scheduled", _P, "planned for a later time; not done yet"),
    "AWAITING_CALLBACK": _s("Awaiting callback", _P, "the customer is waiting for us to call back"),
    "AWAITING_RESPONSE": _s("Awaiting response", _P, "waiting for an answer"),
    "AWAITING_CUSTOMER": _s("Awaiting customer", _P, "waiting for the customer to act"),
    "OPEN": _s("Open", _P, "still open: nobody has closed it yet"),
    "IN_PROGRESS": _s("In progress", _P, "someone is working on it"),
    "ON_HOLD": _s("On hold", _P, "paused; still open"),
    "NO_ANSWER": _s("No answer", _N, "the call was not answered"),
    "CANCELLED": _s("Cancelled", _N, "called off before it was carried out"),
    "CANCELED": _s("Cancelled", _N, "called off before it was carried out"),
    "NOT-DELIVERED": _s("Not delivered", _B, "the gateway could not deliver the message"),
    "NOT_DELIVERED": _s("Not delivered", _B, "the gateway could not deliver the message"),
    "SOFT_BOUNCED": _s("Soft bounced", _B, "the mailbox refused it for now (full, offline)"),
    "HARD_BOUNCED": _s("Hard bounced", _B, "the address does not exist or refuses all mail"),
    "FAILED": _s("Failed", _B, "it could not be sent or carried out"),
    "GTW_NOT_FOUND": _s("No gateway", _B, "the SMS gateway was not found"),
    "BLOCKED": _s("Blocked", _B, "the message was blocked and not sent"),
    "DND_BLOCKED": _s("Blocked (DND)", _B, "not sent: the number is on a do-not-disturb list"),
    # Red, but delivered: the customer objected. Not a delivery problem (class "other").
    "MARKED_SPAM": _s("Marked spam", _B, "delivered; the customer marked it as spam", OTHER),
    "MARKED_UNSUBSCRIBED": _s(
        "Unsubscribed", _B, "the customer unsubscribed from this channel", OTHER
    ),
    "RATE_LIMIT_EXCEEDED": _s("Rate limited", _B, "not sent: too many messages in a short time"),
    "TIMEOUT": _s("Timed out", _B, "no delivery report came in time"),
}

# Ctrl-Hub words for an item still waiting on someone (the attention list's "open items"),
# besides any word starting with AWAITING_. Keep this the only list.
OPEN_STATUS_WORDS = frozenset(
    {
        "SCHEDULED",
        "OPEN",
        "IN_PROGRESS",
        "ON_HOLD",
        "PENDING",
        "NEW",
        "REOPENED",
        "CALLBACK_REQUESTED",
    }
)
# Open items that count as Problems in the timeline filter: the customer waits for us.
OPEN_CALLBACK_WORDS = frozenset({"AWAITING_CALLBACK", "CALLBACK_REQUESTED"})


def _status_key(status: str) -> str:
    return status.strip().upper().replace(" ", "_")


def status_info(status: str) -> StatusInfo | None:
    """The table's entry for a status word; an unlisted AWAITING_… word reads as pending."""
    key = _status_key(status)
    info = STATUS_TABLE.get(key)
    if info is None and key.startswith("AWAITING_") and len(key) > 9:
        words = key[9:].replace("_", " ").lower()
        info = StatusInfo(f"Awaiting {words}", _P, f"waiting for {words}")
    return info


def status_display(status: str) -> tuple[str, StatusTone]:
    """A status word's label and tone; unknown words come back unchanged."""
    if not status:
        return "", StatusTone.UNKNOWN
    info = status_info(status)
    return (info.label, info.tone) if info else (status, StatusTone.UNKNOWN)


def status_explanation(status: str) -> str:
    """The badge's tooltip: "GTW_NOT_FOUND: the SMS gateway was not found"."""
    if not status:
        return "No status was given."
    info = status_info(status)
    if info is None:
        return f"{status}: a status this program does not know; shown as the source wrote it"
    return f"{status}: {info.explanation}"


def status_class(status: str) -> str:
    """ "problem" (did not arrive or could not be done: failed, bounced, blocked, not
    delivered, no gateway, timed out), "good" (delivered, opened, clicked, read, completed),
    "pending" (waiting on someone) or "other" (neutral and unknown words)."""
    info = status_info(status) if status else None
    if info is None:
        return OTHER
    return info.kind or _CLASS_OF_TONE.get(info.tone, OTHER)


def is_open_status(status: str) -> bool:
    """A Ctrl-Hub item still waiting on someone: scheduled, awaiting_…, open, in progress."""
    key = _status_key(status)
    return key in OPEN_STATUS_WORDS or key.startswith("AWAITING_")


def is_open_callback(status: str) -> bool:
    return _status_key(status) in OPEN_CALLBACK_WORDS


class RawJson(msgspec.Struct, gc=False, eq=False):
    """An item's JSON kept as the text the source sent, decoded only when someone looks at
    it (the raw view, a copy of the row). A decoded dict per row was most of the memory of
    a 100,000-message customer, and building it most of the time."""

    text: Any  # any buffer holding the item's JSON (a slice of the reply)
    read: Callable[[Any], dict[str, Any]]  # text → the item as a dict (the source's decoder)

    def decoded(self) -> dict[str, Any]:
        return self.read(self.text)

    def then(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> RawJson:
        """The same item, changed by `change` whenever it is decoded (masked mode)."""
        read = self.read
        return RawJson(self.text, lambda text: change(read(text)))

    def __repr__(self) -> str:  # never the item itself: a repr can reach a log line
        return f"RawJson({len(self.text)} bytes)"


# A msgspec Struct, not a dataclass: its constructor is C, and building the 100,000 rows of a
# large customer takes a fraction of the time (a dataclass __init__: 0.5–0.9 µs a row; this
# ~0.1 µs).
# Not tracked by the cyclic collector (gc=False): a row refers to strings, datetimes, enums
# and its raw item (a dict of JSON values, or a RawJson), never back to anything that could
# refer to it, so it is never part of a cycle; the collector then has 100,000 objects fewer
# to walk. Equality, hash and repr leave `raw` out, as the dataclass did.
class Interaction(msgspec.Struct, frozen=True, gc=False, eq=False):
    """One message or service interaction, whichever source it came from; immutable (make
    changed copies with `changed`)."""

    source: Source
    id: str
    channel: str
    direction: Direction
    occurred_at: datetime | None  # always timezone-aware
    status: str
    subject: str
    counterpart: str  # the receiver (Capillary) or the contact's name (Ctrl-Hub)
    # Capillary
    campaign_id: str | None = None
    user_id: str | None = None
    delivered_at: datetime | None = None
    # Ctrl-Hub
    contacted: bool | None = None
    notes: str | None = None
    # The item exactly as the source sent it, for the raw view and for support: read it
    # through document().
    raw: dict[str, Any] | RawJson = msgspec.field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        raw = self.raw
        return raw.decoded() if isinstance(raw, RawJson) else raw

    def changed(self, **changes: Any) -> Interaction:
        """A copy with these fields changed."""
        return msgspec.structs.replace(self, **changes)

    @property
    def key(self) -> tuple[str, str, str]:
        """Unique within one result: Capillary reuses a message id across channels."""
        return (self.source.value, self.channel, self.id)

    def _compared(self) -> tuple[Any, ...]:
        return (
            self.source,
            self.id,
            self.channel,
            self.direction,
            self.occurred_at,
            self.status,
            self.subject,
            self.counterpart,
            self.campaign_id,
            self.user_id,
            self.delivered_at,
            self.contacted,
            self.notes,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interaction):
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        return f"Interaction({', '.join(f'{n}={v!r}' for n, v in self.__rich_repr__())})"

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        """What repr shows; msgspec's own would hand rich (a pretty-printer, a traceback
        with locals) the raw item too. A field missing from _compared fails here loudly."""
        return list(zip(_COMPARED_FIELDS, self._compared(), strict=True))


_COMPARED_FIELDS = Interaction.__struct_fields__[:-1]  # all but raw


@dataclass(frozen=True, slots=True)
class Related:
    """A resource an interaction points at, by name: a contact, a property, a person."""

    role: str  # "contact", "property", "account", "author", "representative", "organisation"
    id: str
    name: str  # what the agent reads; never a bare UUID when anything better is known
    lines: tuple[tuple[str, str], ...] = ()  # further facts: ("E-mail", "a@b.c"), ("UPRN", "…")


@dataclass(frozen=True, slots=True)
class InteractionDetail:
    """One Ctrl-Hub interaction with its relationships resolved to names."""

    interaction: Interaction
    related: dict[str, Related | None]  # role → resource; None when the link is null/absent
    created_at: datetime | None = None
    updated_at: datetime | None = None
    modified_at: datetime | None = None
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ChannelCount:
    """How many items of a channel were listed, and how many the source says exist."""

    channel: str
    listed: int
    total: int
    itemised: bool = True  # False for missed calls: a count, never a list

    @property
    def label(self) -> str:
        if self.itemised and self.total > self.listed:
            return f"{self.listed} of {self.total}"
        return str(max(self.total, self.listed))


@dataclass(frozen=True, slots=True)
class Customer:
    name: str | None = None
    mobile: str | None = None
    email: str | None = None
    external_id: str | None = None
    # Per-source ids, e.g. {"capillary": "565039505"}.
    source_ids: dict[str, str] = field(default_factory=dict)
    # Anything else worth showing on the card, label → value (loyalty tier, points...).
    extra: dict[str, str] = field(default_factory=dict)

    def merged_with(self, other: Customer) -> Customer:
        """Fill this card's gaps from another source's card; this one's values win."""
        return Customer(
            name=self.name or other.name,
            mobile=self.mobile or other.mobile,
            email=self.email or other.email,
            external_id=self.external_id or other.external_id,
            source_ids={**other.source_ids, **self.source_ids},
            extra={**other.extra, **self.extra},
        )


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What one source answered for one query."""

    source: Source
    customer: Customer
    interactions: list[Interaction]
    counts: dict[str, ChannelCount]
    warnings: list[str] = field(default_factory=list)
    # An interaction the query named directly (a pasted Ctrl-Hub UUID), already resolved.
    opened: InteractionDetail | None = None
    # The replies as received, for the offline store; the source rebuilds the result from
    # them (so a newer parser reads old saved data). Carries a "format" number.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The merged answer the window and the CLI show."""

    query: Query
    customer: Customer
    interactions: list[Interaction]  # newest first
    counts: dict[str, ChannelCount]  # in tab order
    warnings: list[str]
    errors: list[ViewerError]  # sources that failed while another one answered
    fetched_at: datetime
    from_cache: bool = False
    opened: InteractionDetail | None = None


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2
    NOT_FOUND = 3
    AUTH_FAILED = 4
    UNAVAILABLE = 5


class ViewerError(Exception):
    """A failure an agent can understand.

    `message` is the sentence shown in the window and printed by the CLI; `detail` is
    the technical part for support (status, trace id, URL without secrets). Neither may
    hold a secret: sources/http.py builds them from redacted values only.
    """

    exit_code = ExitCode.UNAVAILABLE
    retryable = False  # True when sending the same request again is safe and may work

    def __init__(self, message: str, *, source: Source | None = None, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.source = source
        self.detail = detail

    def __str__(self) -> str:
        # "Capillary: …" unless the sentence already names its source.
        if self.source and self.source.label not in self.message:
            return f"{self.source.label}: {self.message}"
        return self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source.value if self.source else None,
            "kind": type(self).__name__,
            "message": self.message,
            "detail": self.detail,
        }


class BadInput(ViewerError):
    """The agent typed something that cannot be sent (nothing was sent)."""

    exit_code = ExitCode.USAGE


class NotConfigured(ViewerError):
    """No source is set up to answer this kind of question."""

    exit_code = ExitCode.USAGE


class NotFound(ViewerError):
    exit_code = ExitCode.NOT_FOUND


class AuthFailed(ViewerError):
    exit_code = ExitCode.AUTH_FAILED
    # True when signing in again (a new session) would fix it, e.g. an expired session token.
    needs_sign_in = False


class Unavailable(ViewerError):
    """Network down, timeout, server error: worth trying again later."""

    exit_code = ExitCode.UNAVAILABLE


class BadReply(ViewerError):
    """The server answered something we cannot read (malformed JSON, wrong shape)."""

    exit_code = ExitCode.UNAVAILABLE
