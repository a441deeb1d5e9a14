"""The viewer's vocabulary: plain data, no Qt, no HTTP.

Every source turns its replies into these objects; the UI, the CLI and (later) the cache
only ever see these. Errors carry the sentence an agent reads and the exit code the CLI
returns, so that the two faces of the program always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any


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
    BAD = "bad"
    UNKNOWN = "unknown"


# Capillary's delivery vocabulary (API-NOTES.md); anything else is shown as it comes.
_STATUS_TONES: dict[str, tuple[str, StatusTone]] = {
    "DELIVERED": ("Delivered", StatusTone.GOOD),
    "OPENED": ("Opened", StatusTone.GOOD),
    "CLICKED": ("Clicked", StatusTone.GOOD),
    "READ": ("Read", StatusTone.GOOD),
    "COMPLETED": ("Completed", StatusTone.GOOD),
    "SENT": ("Sent", StatusTone.NEUTRAL),
    "IN_GTW": ("At gateway", StatusTone.NEUTRAL),
    "PENDING": ("Pending", StatusTone.NEUTRAL),
    "QUEUED": ("Queued", StatusTone.NEUTRAL),
    "SCHEDULED": ("Scheduled", StatusTone.NEUTRAL),
    "CANCELLED": ("Cancelled", StatusTone.NEUTRAL),
    "CANCELED": ("Cancelled", StatusTone.NEUTRAL),
    "NOT-DELIVERED": ("Not delivered", StatusTone.BAD),
    "NOT_DELIVERED": ("Not delivered", StatusTone.BAD),
    "SOFT_BOUNCED": ("Soft bounced", StatusTone.BAD),
    "HARD_BOUNCED": ("Hard bounced", StatusTone.BAD),
    "FAILED": ("Failed", StatusTone.BAD),
    "GTW_NOT_FOUND": ("No gateway", StatusTone.BAD),
    "BLOCKED": ("Blocked", StatusTone.BAD),
    "DND_BLOCKED": ("Blocked (DND)", StatusTone.BAD),
    "MARKED_SPAM": ("Marked spam", StatusTone.BAD),
    "MARKED_UNSUBSCRIBED": ("Unsubscribed", StatusTone.BAD),
    "RATE_LIMIT_EXCEEDED": ("Rate limited", StatusTone.BAD),
    "TIMEOUT": ("Timed out", StatusTone.BAD),
}


def status_display(status: str) -> tuple[str, StatusTone]:
    """A status word's label and tone; unknown words come back unchanged."""
    if not status:
        return "", StatusTone.UNKNOWN
    return _STATUS_TONES.get(status.strip().upper(), (status, StatusTone.UNKNOWN))


@dataclass(slots=True, unsafe_hash=True)
class Interaction:
    """One message or service interaction, whichever source it came from.

    Treat it as immutable (make changed copies with dataclasses.replace). It is not declared
    frozen only because a frozen dataclass sets every field through object.__setattr__,
    which tripled the cost of building the 100,000 rows of a large customer."""

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
    # The item exactly as the source sent it, for the raw view and for support.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """Unique within one result: Capillary reuses a message id across channels."""
        return (self.source.value, self.channel, self.id)


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
