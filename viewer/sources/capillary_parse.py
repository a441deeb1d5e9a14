"""Capillary's interaction replies → domain objects. Pure functions, no I/O.

Two shapes appear on the vendor's own page and nobody says which a live tenant returns
(API-NOTES.md), so both are accepted, told apart by their top-level keys:
- nested (v1.1 style): response.customer.interactions.network[].interaction[].messages.message[]
- flat (v2 table):     {name, interaction[].messageList[], warnings[]}
Any input gives a SourceResult or a typed ViewerError, never another exception.
A reply's bytes are first offered to `parse_flat_body`, which reads the usual flat reply
straight into structs (capillary_flat.py) and declines (None) anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, cast

from viewer.domain import (
    AuthFailed,
    BadReply,
    ChannelCount,
    Customer,
    Direction,
    Interaction,
    NotFound,
    Query,
    RawJson,
    Source,
    SourceResult,
    ViewerError,
)
from viewer.sources import capillary_flat, json_pieces
from viewer.sources.coerce import (
    ID_DIGITS,
    WallClock,
    as_bool,
    as_dict,
    as_int,
    as_list,
    as_optional_str,
    as_str,
    id_text,
    is_null,
    parse_time,
    zulu_time,
)

SOURCE = Source.CAPILLARY
# The layout of SourceResult.raw that from_saved() reads; raise it when that changes.
SAVED_FORMAT = 1

# Error codes (API-NOTES.md). 1012 is "customer not found"; the others are seen for
# related lookups that also mean "nobody by that identifier".
NOT_FOUND_CODES = frozenset({1012, 1011, 816, 8015, 8065})
MERGED_CODE = 8069
NOT_ALLOWED_CODE = 1044
FRAUD_CODE = 618
# The flat shape's `name` is documented as the customer's name, but the vendor's sample
# holds the network there; these words are never a person's name.
NETWORK_WORDS = frozenset({"capillary", "facebook", "twitter", "foursquare"})
# Channel words as sources write them → the viewer's channel words.
CHANNEL_ALIASES = {
    "e-mail": "email",
    "emailbulk": "email",
    "mail": "email",
    "missedcall": "missed_call",
    "missed_calls": "missed_call",
    "missed-call": "missed_call",
    "surveys": "survey",
    "call": "phone",
    "voice": "phone",
}
# Channels that carry counts only, never messages.
COUNT_ONLY_CHANNELS = frozenset({"missed_call"})
# Rows built per lookup. Each row costs ~1 kB in the window and more as JSON: 12 MB of `{}`
# items once became 4 million rows and 11 GB. Items past this are counted, not built; the
# demo's 100,000-message customer is well inside it.
MAX_ROWS_PER_LOOKUP = 250_000
# Warning items turned into sentences; the rest are summed up in one more.
MAX_NOTICES = 20


def channel_word(value: Any) -> str:
    word = as_str(value).lower().replace(" ", "_")
    return CHANNEL_ALIASES.get(word, word) or "other"


def parse_interaction_reply(doc: Any, query: Query, zone: tzinfo) -> SourceResult:
    """Either documented shape → SourceResult; embedded error codes → typed errors."""
    if not isinstance(doc, dict):
        raise BadReply("Capillary sent a reply of an unexpected kind.", source=SOURCE)
    if "response" in doc:
        return _parse_nested(as_dict(doc["response"]), query, zone)
    if "interaction" in doc or "name" in doc:
        return _parse_flat(doc, query, zone)
    if "errors" in doc:
        raise error_from_items(as_list(doc["errors"]))
    raise BadReply(
        "Capillary's reply has neither of the known shapes.",
        source=SOURCE,
        detail=f"top-level keys: {', '.join(sorted(map(str, doc))[:10])}",
    )


def error_from_items(items: list[Any], fallback: str = "") -> ViewerError:
    """The most telling of Capillary's `{code, message}` error items, as a typed error."""
    codes = [(as_int(as_dict(i).get("code")), as_str(as_dict(i).get("message"))) for i in items]
    for code, message in codes:
        detail = f"code {code}: {message}" if message else f"code {code}"
        if code in NOT_FOUND_CODES:
            return NotFound(
                "Capillary has no customer with that identifier.", source=SOURCE, detail=detail
            )
        if code == MERGED_CODE:
            return NotFound(
                "This customer was merged into another one in Capillary; search for the other.",
                source=SOURCE,
                detail=detail,
            )
        if code == NOT_ALLOWED_CODE:
            return AuthFailed(
                "This Capillary account is not allowed to view that customer.",
                source=SOURCE,
                detail=detail,
            )
    code, message = codes[0] if codes else (None, fallback)
    return ViewerError(
        f"Capillary refused the request: {message or 'no reason given'}.",
        source=SOURCE,
        detail=f"code {code}" if code is not None else "",
    )


def _notices(items: list[Any]) -> list[str]:
    """Warning items as sentences for the agent; past MAX_NOTICES, a count of the rest."""
    notices = []
    for item in items[:MAX_NOTICES]:
        item = as_dict(item) if isinstance(item, dict) else {"message": as_str(item)}
        message, code = as_str(item.get("message")), as_int(item.get("code"))
        if code == FRAUD_CODE:
            notices.append("Capillary: this customer is marked as fraud.")
        elif message:
            notices.append(
                f"Capillary: {message}" + (f" (code {code})" if code is not None else "")
            )
    listed = json_pieces.length_of(items)  # kept or not (a LongList)
    if listed > MAX_NOTICES:
        notices.append(f"Capillary: {listed - MAX_NOTICES:,} more warning(s) are not shown.")
    return notices


class _Builder:
    """Collects interactions and per-channel counts while walking either shape."""

    def __init__(self, zone: tzinfo, row_budget: int = MAX_ROWS_PER_LOOKUP):
        self.zone = zone
        self.interactions: list[Interaction] = []
        self.counts: dict[str, ChannelCount] = {}
        self.skipped = 0
        self.room = row_budget  # rows still to be built in this lookup
        self.offered = 0  # items the reply listed, built or not
        self.words: dict[Any, str] = {}  # a repeated value (status, campaign id) → its text
        self.strings: dict[str, str] = {}  # a subject or receiver → the text shown
        self.clock = WallClock(zone)

    def add_channel(self, channel: str, declared: Any, items: list[Any], survey: bool) -> None:
        """A channel's items as the general path has them: decoded values."""
        make = _survey if survey else _message
        self._add(
            channel,
            declared,
            items,
            lambda item, index: (
                make(item, channel, index, self) if isinstance(item, dict) else None
            ),
        )

    def add_message_texts(self, channel: str, declared: Any, list_text: Any) -> None:
        """A channel's messages from their slice of the reply (capillary_flat), a thousand
        to a call: the messages of a call are read each on its own when one of them does not
        have the usual form. Raises ValueError or RecursionError when the list is not one,
        or holds a message json.loads refuses."""
        texts = capillary_flat.message_texts(list_text)
        if texts is None:
            raise ValueError("messageList is not a list")
        kept = texts[: max(self.room, 0)]
        rows: list[Interaction | None] = []
        declined = 0
        for some, messages in capillary_flat.usual_message_chunks(kept):
            if messages is None:  # one is not in the usual form: each is read on its own
                rows += [None] * len(some)
                declined += len(some)
                continue
            built_here, declined_here = _usual_rows(messages, some, channel, self)
            rows += built_here
            declined += declined_here
        if not declined:  # every message read: the rows as they are (no call per row)
            self.interactions += cast(list[Interaction], rows)
            self._count(channel, declared, json_pieces.length_of(texts), len(kept), len(rows))
            return
        self._add(
            channel,
            declared,
            texts,
            lambda text, index: rows[index] or _message_text(text, channel, index, self),
        )

    def _add(
        self,
        channel: str,
        declared: Any,
        items: list[Any],
        make: Callable[[Any, int], Interaction | None],
    ) -> None:
        kept = items if len(items) <= self.room else items[: self.room]
        listed = 0
        for index, item in enumerate(kept):
            row = make(item, index)
            if row is None:  # not an object: not a message
                self.skipped += 1
                continue
            self.interactions.append(row)
            listed += 1
        self._count(channel, declared, json_pieces.length_of(items), len(kept), listed)

    def _count(self, channel: str, declared: Any, length: int, kept: int, listed: int) -> None:
        """A channel's count: `length` items listed (kept or not: a LongList), the first
        `kept` of them read, `listed` of those rows."""
        self.offered += length
        self.room -= kept
        # Items the budget left out still count: the tab says "N of M".
        total = max(as_int(declared) or 0, listed + length - kept)
        itemised = channel not in COUNT_ONLY_CHANNELS
        before = self.counts.get(channel)
        if before:  # the same channel under two networks: add them up
            listed, total = listed + before.listed, total + before.total
        self.counts[channel] = ChannelCount(channel, listed, total, itemised)

    def result(self, customer: Customer, warnings: list[str]) -> SourceResult:
        if self.room <= 0 and self.offered > MAX_ROWS_PER_LOOKUP:
            warnings = [
                *warnings,
                f"Capillary: showing the first {MAX_ROWS_PER_LOOKUP:,} of "
                f"{self.offered:,} messages; the rest were not loaded.",
            ]
        if self.skipped:
            warnings = [
                *warnings,
                f"Capillary: {self.skipped} item(s) could not be read and are not shown.",
            ]
        return SourceResult(SOURCE, customer, self.interactions, self.counts, warnings)


def _text(value: Any) -> str | None:
    """The common case of as_str, inline-cheap: a plain string that is not a null word
    comes back stripped; anything else is None (ask the general readers)."""
    if type(value) is str and len(value) > SHORTEST_SAFE:
        return value.strip()
    return None


# A string longer than this cannot be a null word ("undefined" with spaces around).
SHORTEST_SAFE = 11


def _message(item: dict[str, Any], channel: str, index: int, builder: _Builder) -> Interaction:
    """One message. The flat shape's usual keys are read first, directly, and each field's
    common case is handled inline: 100,000 rows spent most of their time in the general
    readers (`_first`, `parse_time`, `as_str`). Anything unusual takes `_any_message`."""
    get = item.get
    subject = _text(get("subject"))
    counterpart = _text(get("receiver"))
    sent = get("sentDate")
    if subject is None or counterpart is None or type(sent) is not str:
        return _any_message(item, channel, index, builder.zone)
    campaign = get("campaignId")  # whole numbers as a rule; anything else: the general way
    if type(campaign) is not int:
        campaign = _campaign(item)
    user = get("userId")
    if type(user) is not int:
        user = as_str(_first(item, "userId", "user_id"))
    delivered = None  # the flat shape has no delivery time
    if "deliveredTime" in item or "delivered_time" in item:
        when = get("deliveredTime")
        delivered = zulu_time(when) if type(when) is str else None
        if delivered is None:
            delivered = parse_time(_first(item, "deliveredTime", "delivered_time"), builder.zone)
    return _row(
        builder, get("id"), channel, index, sent, campaign, user, get("status"), subject,
        counterpart, delivered, item,
    )  # fmt: skip


def _message_text(text: Any, channel: str, index: int, builder: _Builder) -> Interaction | None:
    """One message from its slice of the reply: as a capillary_flat.Message when it has the
    usual form, else decoded by json.loads and read by `_message` (None: not an object)."""
    usual = capillary_flat.message(text)
    if usual is not None and (row := _usual_rows([usual], [text], channel, builder)[0][0]):
        return row
    item = capillary_flat.loads(text)
    return _message(item, channel, index, builder) if isinstance(item, dict) else None


def _usual_rows(
    messages: list[capillary_flat.Message],
    texts: list[Any],
    channel: str,
    builder: _Builder,
) -> tuple[list[Interaction | None], int]:
    """`_message` for messages decoded as structs (every field there, each of its usual
    type), with `_row` inlined: at 100,000 rows each call was a tenth of the time; and how
    many are None: a message whose text may be a null word or whose id is too long to show,
    which the general readers decide (`_message_text`)."""
    words, strings, read, zone = builder.words, builder.strings, builder.clock.read, builder.zone
    direction = Direction.INBOUND if channel == "missed_call" else Direction.OUTBOUND
    row, raw_json, reader = Interaction, RawJson, capillary_flat.row_document  # locals: faster
    rows: list[Interaction | None] = []
    add, declined = rows.append, 0
    for message, text in zip(messages, texts, strict=False):
        subject, counterpart = message.subject, message.receiver
        row_id = str(message.id)  # id_text, but for one past ID_DIGITS: the general way's
        if (
            len(subject) <= SHORTEST_SAFE
            or len(counterpart) <= SHORTEST_SAFE
            or (len(row_id) > ID_DIGITS and len(row_id.lstrip("-")) > ID_DIGITS)
        ):
            add(None)  # a null word, an id too long to show: the general readers decide
            declined += 1
            continue
        # One string per distinct text: the receiver is the customer on every row, and
        # 100,000 subjects are ~26,000 texts (13 MB fewer at 100,000 rows).
        shown = strings.get(subject)
        subject = shown if shown is not None else strings.setdefault(subject, subject.strip())
        shown = strings.get(counterpart)
        counterpart = (
            shown if shown is not None else strings.setdefault(counterpart, counterpart.strip())
        )
        when = message.deliveredTime  # a string, null or absent: the last two mean no time
        campaign = words.get(message.campaignId)
        if campaign is None:
            campaign = words.setdefault(message.campaignId, id_text(message.campaignId))
        user = words.get(message.userId)
        if user is None:
            user = words.setdefault(message.userId, id_text(message.userId))
        status = words.get(message.status)
        if status is None:
            status = words.setdefault(message.status, as_str(message.status))
        add(
            row(
                SOURCE,
                row_id,
                channel,
                direction,
                read(message.sentDate),
                status,
                subject,
                counterpart,
                None if campaign in ("", "-1", "0") else campaign,
                user or None,
                (zulu_time(when) or parse_time(when, zone)) if type(when) is str else None,
                raw=raw_json(text, reader),
            )
        )
    return rows, declined


def _row(
    builder: _Builder,
    id_value: Any,
    channel: str,
    index: int,
    sent: str,
    campaign: int | str,
    user: int | str,
    status: Any,
    subject: str,
    counterpart: str,
    delivered: datetime | None,
    raw: dict[str, Any] | RawJson,
) -> Interaction:
    """The row `_message` builds (`_usual_rows` does the same inline). Campaign, user and
    status repeat across a customer's messages: each distinct value is read once and its
    text shared by every row (memory, at 100,000 rows)."""
    words = builder.words
    if isinstance(campaign, int):  # exactly int: the readers turned a bool into text
        campaign = words.get(campaign) or words.setdefault(campaign, id_text(campaign))
    if isinstance(user, int):
        user = words.get(user) or words.setdefault(user, id_text(user))
    if type(status) is str:
        status = words.get(status) or words.setdefault(status, as_str(status))
    else:
        status = as_str(status)
    return Interaction(
        SOURCE,
        id_text(id_value) or f"{channel}-{index}",
        channel,
        Direction.INBOUND if channel == "missed_call" else Direction.OUTBOUND,
        builder.clock.read(sent),
        status,
        subject,
        counterpart,
        None if campaign in ("", "-1", "0") else campaign,
        user or None,
        delivered,
        raw=raw,
    )


def _campaign(item: dict[str, Any]) -> str:
    return as_str(_first(item, "campaignId", "campaign_id"))


def _any_message(item: dict[str, Any], channel: str, index: int, zone: tzinfo) -> Interaction:
    campaign = as_str(_first(item, "campaignId", "campaign_id"))
    return Interaction(
        source=SOURCE,
        id=as_str(item.get("id")) or f"{channel}-{index}",
        channel=channel,
        direction=Direction.INBOUND if channel == "missed_call" else Direction.OUTBOUND,
        occurred_at=parse_time(_first(item, "sentDate", "sent_time", "sentTime"), zone),
        status=as_str(item.get("status")),
        subject=as_str(_first(item, "subject", "message", "text")),
        counterpart=as_str(_first(item, "receiver", "reciever", "recipient")),
        campaign_id=None if campaign in ("", "-1", "0") else campaign,
        user_id=as_optional_str(_first(item, "userId", "user_id")),
        delivered_at=parse_time(_first(item, "deliveredTime", "delivered_time"), zone),
        raw=item,
    )


def _survey(item: dict[str, Any], channel: str, index: int, builder: _Builder) -> Interaction:
    zone = builder.zone
    completed = parse_time(_first(item, "completion_time", "completionTime"), zone)
    sent = parse_time(_first(item, "sent_time", "sentTime", "sentDate"), zone)
    nps = as_str(_first(item, "nps_score", "npsScore"))
    name = as_str(item.get("name")) or "Survey"
    return Interaction(
        source=SOURCE,
        id=as_str(item.get("id")) or f"{channel}-{index}",
        channel=channel,
        direction=Direction.INBOUND,
        occurred_at=completed or sent,
        status="COMPLETED" if completed else ("SENT" if sent else ""),
        subject=f"{name} — NPS {nps}" if nps else name,
        counterpart=as_str(_first(item, "sent_by", "sentBy")),
        delivered_at=completed,
        raw=item,
    )


def _first(item: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = item.get(key)
        if value is not None and not is_null(value):  # a missing key costs no call (100k rows)
            return value
    return None


def _parse_flat(doc: dict[str, Any], query: Query, zone: tzinfo) -> SourceResult:
    interactions = as_list(doc.get("interaction"))
    errors = as_list(doc.get("errors"))
    if errors and not interactions:
        raise error_from_items(errors)
    builder = _Builder(zone)
    for entry in interactions:
        entry = as_dict(entry)
        channel = channel_word(_first(entry, "name", "type"))
        is_survey = channel == "survey"
        items = as_list(entry.get("surveys") if is_survey else entry.get("messageList"))
        builder.add_channel(channel, entry.get("count"), items, is_survey)
    return _flat_result(builder, doc.get("name"), as_list(doc.get("warnings")) + errors, query)


def _flat_result(builder: _Builder, name: Any, notices: list[Any], query: Query) -> SourceResult:
    text = as_str(name)
    customer = _query_customer(query, name=None if text.lower() in NETWORK_WORDS else text)
    return builder.result(customer, _notices(notices))


def parse_flat_body(body: bytes | bytearray, query: Query, zone: tzinfo) -> SourceResult | None:
    """`parse_interaction_reply(json.loads(body))` for the flat shape, read straight from
    the bytes (capillary_flat): the same result, without a dict per message. None when the
    body is anything else (another shape, a refusal, malformed): read it the general way."""
    reply = capillary_flat.flat_reply(body)
    if reply is None:
        return None
    loads = capillary_flat.loads
    try:
        errors = as_list(loads(reply.errors))
        notices = as_list(loads(reply.warnings)) + errors
        channels = reply.interaction if isinstance(reply.interaction, list) else []
        if errors and not channels:
            return None  # a refusal: the general path says which
        builder = _Builder(zone)
        for entry in channels:
            channel = channel_word(_first({"name": entry.name, "type": entry.type}, "name", "type"))
            if channel == "survey":
                builder.add_channel(channel, entry.count, as_list(loads(entry.surveys)), True)
            else:
                builder.add_message_texts(channel, entry.count, entry.messageList)
    except (ValueError, RecursionError):
        return None  # text json.loads refuses: the general path says so
    name = reply.name if isinstance(reply.name, str) else None
    return _flat_result(builder, name, notices, query)


def _parse_nested(response: dict[str, Any], query: Query, zone: tzinfo) -> SourceResult:
    raw_customer = as_dict(response.get("customer"))
    item_status = as_dict(raw_customer.get("item_status"))
    status = as_dict(response.get("status"))
    for problem in (item_status, status):
        if as_bool(problem.get("success")) is False:
            raise error_from_items([problem], fallback=as_str(problem.get("message")))
    if not raw_customer:
        raise BadReply("Capillary's reply names no customer.", source=SOURCE)
    builder = _Builder(zone)
    for network in as_list(as_dict(raw_customer.get("interactions")).get("network")):
        for entry in as_list(as_dict(network).get("interaction")):
            entry = as_dict(entry)
            channel = channel_word(_first(entry, "type", "name"))
            if channel == "survey":
                items = as_list(as_dict(entry.get("surveys")).get("survey"))
            else:
                items = as_list(as_dict(entry.get("messages")).get("message"))
            builder.add_channel(channel, entry.get("count"), items, channel == "survey")
    customer = Customer(
        name=as_optional_str(raw_customer.get("name")),
        mobile=as_optional_str(raw_customer.get("mobile")),
        email=as_optional_str(raw_customer.get("email")),
        external_id=as_optional_str(raw_customer.get("external_id")),
        source_ids={SOURCE.value: cid} if (cid := as_str(raw_customer.get("id"))) else {},
    ).merged_with(_query_customer(query))
    warnings = _notices(as_list(response.get("warnings")))
    if as_int(item_status.get("code")) == FRAUD_CODE:
        warnings.append("Capillary: this customer is marked as fraud.")
    return builder.result(customer, warnings)


def _query_customer(query: Query, name: str | None = None) -> Customer:
    """The card's identifiers when the reply carries none: what the agent searched for."""
    kind = query.kind.value
    return Customer(
        name=name or None,
        mobile=query.value if kind == "mobile" else None,
        email=query.value if kind == "email" else None,
        external_id=query.value if kind == "external_id" else None,
    )


def parse_customer_details(doc: Any) -> Customer | None:
    """The customerDetails reply → a card with name and loyalty; None when unusable."""
    customers = as_list(as_dict(doc).get("customers"))
    if not customers:
        return None
    first = as_dict(customers[0])
    profile = as_dict(next(iter(as_list(first.get("profiles"))), {}))
    identifiers = {
        as_str(as_dict(i).get("type")).lower(): as_str(as_dict(i).get("value"))
        for i in as_list(profile.get("identifiers"))
    }
    name = " ".join(
        p for p in (as_str(profile.get("firstName")), as_str(profile.get("lastName"))) if p
    )
    extra: dict[str, str] = {}
    program = as_dict(next(iter(as_list(first.get("loyaltyProgramDetails"))), {}))
    if tier := as_str(program.get("currentSlab")):
        extra["Tier"] = tier
    if (points := as_str(program.get("loyaltyPoints"))) != "":
        extra["Points"] = points
    cid = as_str(first.get("id")) or as_str(profile.get("id"))
    return Customer(
        name=name or None,
        mobile=identifiers.get("mobile") or None,
        email=identifiers.get("email") or None,
        external_id=identifiers.get("externalid") or identifiers.get("external_id") or None,
        source_ids={SOURCE.value: cid} if cid else {},
        extra=extra,
    )


def from_saved(raw: dict[str, Any], query: Query, zone: tzinfo) -> SourceResult:
    """Rebuild a result from the replies the offline store kept (see SourceResult.raw)."""
    if not isinstance(raw, dict) or raw.get("format") != SAVED_FORMAT:
        raise BadReply(
            "Saved Capillary data is in a format this version cannot read.", source=SOURCE
        )
    document = raw.get("interaction")
    result = None
    if isinstance(document, bytes | bytearray):  # the reply as received (see capillary.lookup)
        result = parse_flat_body(document, query, zone)
        if result is None:
            try:
                document = json_pieces.loads(document)  # on a worker: the window keeps the GIL
            except (ValueError, RecursionError):
                raise BadReply("Saved Capillary data could not be read.", source=SOURCE) from None
    if result is None:
        result = parse_interaction_reply(document, query, zone)
    card = parse_customer_details(raw.get("details")) if raw.get("details") else None
    customer = result.customer.merged_with(card) if card else result.customer
    return SourceResult(
        SOURCE, customer, result.interactions, result.counts, result.warnings, raw=raw
    )
