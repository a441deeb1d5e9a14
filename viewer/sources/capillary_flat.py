"""Capillary's flat reply read straight from its bytes into typed structs (msgspec).

The usual reply of a large customer is the flat shape with every message in the usual
form. Decoding it with `json.loads` built a dict per message, and reading those dicts cost
more than the decoding; msgspec reads each message into a struct of the fields the viewer
shows, at C speed, and leaves the message itself as a slice of the reply (`RawJson`),
decoded only when the agent looks at it.

This module only decodes: capillary_parse.py builds the rows. It is a fast path, never a
second meaning of the reply: whatever is not the usual form (another shape, a field of
another type, text msgspec refuses) comes back as None, and the general path reads it, one
message or the whole reply (tests/test_capillary_flat.py holds the two paths to the same
result). One difference is deliberate: msgspec skips a field the viewer does not read
without turning it into a value, so what json.loads refuses there no longer costs the
agent the whole reply: a number longer than Python turns into an int (4,300 digits), bytes
that are not UTF-8, nesting within a few levels of the recursion limit. The raw view shows
such a message as best it can (`row_document`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import msgspec
from msgspec import UNSET, Raw, UnsetType

# msgspec's refusals: malformed JSON, a value of another type than declared, nesting deeper
# than the interpreter's recursion limit.
Refused = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


class Message(msgspec.Struct, gc=False):
    """A message in the usual form: every field there, each of the usual type. A message
    that is not refuses to decode, and the general reader takes it."""

    id: int
    subject: str
    receiver: str
    sentDate: str  # the vendor's spellings
    campaignId: int
    status: str
    userId: int
    deliveredTime: str | None | UnsetType = UNSET
    # The general reader falls back on this spelling when deliveredTime is null or a null
    # word: a message that has it is not usual, and refuses to decode (no value decodes as
    # UNSET). campaign_id and user_id are read only when campaignId or userId is not a whole
    # number, which a Message never has.
    delivered_time: UnsetType = UNSET


class Channel(msgspec.Struct, gc=False):
    name: str | None = None
    type: str | None = None
    count: int | None = None
    messageList: Raw | UnsetType = UNSET  # the list whole: see message_texts, usual_message_chunks
    surveys: Raw | UnsetType = UNSET  # few: decoded by json.loads, read the general way


class FlatReply(msgspec.Struct, gc=False):
    name: str | None | UnsetType = UNSET
    interaction: list[Channel] | None | UnsetType = UNSET
    errors: Raw | UnsetType = UNSET
    warnings: Raw | UnsetType = UNSET
    response: Raw | UnsetType = UNSET  # the nested shape: not this path

    def is_flat(self) -> bool:
        """Whether parse_interaction_reply would read this document as the flat shape."""
        return self.response is UNSET and (self.interaction is not UNSET or self.name is not UNSET)


# Every item of a message list becomes a slice object (~56 bytes) before the row budget
# applies: a reply of tiny items (40 MB of "0,") would make 20 million of them, over a GB.
# A list has at most one item more than it has commas, so a large reply with too many
# commas for messages is read the general way, which keeps only json_pieces.ITEMS_KEPT
# items of a list: MOST_ITEMS commas in all, or more than one per SMALLEST_ITEM bytes (a
# usual message has one per ~30 bytes, or ~20 when its text has commas; "{}," has one per
# 3). BULK-100K has ~790,000 commas.
MOST_ITEMS = 4_000_000
SMALLEST_ITEM = 8
COUNTED_ABOVE = 1024 * 1024  # bytes: a smaller reply holds too few items to matter
# Commas are counted a piece at a time: one count of BULK-100K's 23 MB held the GIL ~18 ms,
# and the window, waiting for it, froze that long next to the outline's own decode.
COUNTED_PER_CALL = 1024 * 1024


def _too_many_items(body: bytes | bytearray) -> bool:
    if len(body) <= COUNTED_ABOVE:
        return False
    commas = sum(
        body.count(b",", at, at + COUNTED_PER_CALL) for at in range(0, len(body), COUNTED_PER_CALL)
    )
    return commas >= MOST_ITEMS or commas * SMALLEST_ITEM > len(body)


_reply = msgspec.json.Decoder(FlatReply)
_message = msgspec.json.Decoder(Message)
_messages = msgspec.json.Decoder(list[Message])
_texts = msgspec.json.Decoder(list[Raw] | None)


def flat_reply(body: bytes | bytearray) -> FlatReply | None:
    """The reply's outline (each message still a slice of `body`); None when it is not the
    flat shape in the usual form, or not JSON that json.loads reads the same way, or when
    it could hold too many items (see MOST_ITEMS)."""
    if _too_many_items(body):
        return None
    try:
        reply = _reply.decode(body)
    except Refused:
        return None
    return reply if reply.is_flat() else None


def message_texts(list_text: Raw | UnsetType) -> list[Raw] | None:
    """A channel's messageList as one slice per item: [] when absent or null, None when it
    is not a list (read the reply the general way)."""
    if list_text is UNSET:
        return []
    try:
        texts = _texts.decode(list_text)
    except Refused:
        return None
    return texts or []


def usual_message_chunks(texts: list[Raw]) -> Iterator[tuple[list[Raw], list[Message] | None]]:
    """The messages MESSAGES_PER_CALL at a time: each slice of texts with its messages as
    Messages, or with None when one of them is not in the usual form (then each is read on
    its own). Rows are built from one chunk before the next is decoded, and a chunk's
    Messages are freed once the next is made: at most two chunks live at a time, and later
    ones reuse their memory. Decoded all at once, 100,000 Messages and their strings sat
    among the rows made from them and left ~20 MB of the interpreter's memory in pieces it
    could not give back."""
    for start in range(0, len(texts), MESSAGES_PER_CALL):
        some = texts[start : start + MESSAGES_PER_CALL]
        try:
            messages: list[Message] | None = _messages.decode(b"[" + b",".join(some) + b"]")
        except Refused:
            messages = None
        yield some, messages


# A call into msgspec holds the GIL to its end, and the window waits for it: a channel of
# 11,000 messages in one call held it ~11 ms; 1,000 messages hold it ~1 ms.
MESSAGES_PER_CALL = 1_000


def message(text: Raw) -> Message | None:
    """One message in the usual form, or None (read it with `loads`)."""
    try:
        return _message.decode(text)
    except Refused:
        return None


def loads(text: Raw | UnsetType | None) -> Any:
    """A slice of the reply as json.loads reads it (the general path's decoder): None when
    absent. Raises ValueError or RecursionError as json.loads does."""
    if text is UNSET or text is None:
        return None
    return json.loads(bytes(text))


def row_document(text: Raw) -> dict[str, Any]:
    """A message's JSON for the raw view (RawJson's reader). It decoded once already, as a
    Message; what json.loads refuses in the fields msgspec skipped (see above) is shown as
    best it can: a number too long for an int as its digits, bytes that are not UTF-8 as �."""
    try:
        try:
            document = json.loads(bytes(text), parse_int=_whole_number)
        except UnicodeDecodeError:
            document = json.loads(bytes(text).decode("utf-8", "replace"), parse_int=_whole_number)
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _whole_number(digits: str) -> int | str:
    limit = sys.get_int_max_str_digits()  # 0: no limit
    return int(digits) if not limit or len(digits.lstrip("-")) <= limit else digits
