"""JSON decoding that lets the window breathe while a large reply is decoded.

`json.loads` is one C call: decoding a 23 MB reply (100,000 messages) holds the GIL for a
quarter of a second, and the window, whose thread needs the GIL to paint, freezes for
that long even though the decoding runs on a worker thread. `loads` here walks the outer
containers of a large document itself and hands every array element (one message, one
resource) to the C decoder on its own, so the GIL can change hands between elements. The
result is the same as `json.loads`, and anything `json.loads` refuses is refused here with
a ValueError too (which position it names may differ).

The document is walked as UTF-8 bytes, never turned into one str: JSON's structure is ASCII
and no byte of a multi-byte UTF-8 character is ASCII, so a "}," found in the bytes is a
"}," of the text. Turning 23 MB into text first took one 40-50 ms C call to join the
pieces (more when the text needs 4 bytes per character), and the window, queueing for the
GIL once per widget it laid out, froze for up to 0.3 s behind it (bench/speed_table.py, P5).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from typing import Any

# Below this many bytes a document is decoded in one call: it cannot hold the GIL long.
WHOLE_BELOW = 256 * 1024
# Containers this deep are walked by hand; deeper values go to the C decoder whole.
WALK_DEPTH = 12
# In an array, the first elements that are objects or arrays are walked (a network, a
# channel: few, each holding a long list); from this index on each is decoded whole (a
# message: many, each small).
WALKED_ELEMENTS = 16
# Bytes of an array's tail decoded per call (~250 messages, ~0.3 ms of the GIL).
SLICE = 64 * 1024
FIRST_WINDOW = 256  # bytes first tried for one value read on its own (a key, a number)
# Items kept of one walked array (at least any source's row budget: capillary_parse's
# MAX_ROWS_PER_LOOKUP, held to it by a test). The rest are decoded, so that what json.loads
# refuses is still refused, and counted, but not kept: decoding 12 MB of "{}," (4 million
# dicts) held ~290 MB, and the 40 MB a reply may hold ~950 MB, before any row budget applied
# (bench/tiny_items.py).
ITEMS_KEPT = 250_000

# The document as UTF-8: a reply's bytes, or the bytearray saved data is inflated into.
Utf8 = bytes | bytearray

_decoder = json.JSONDecoder()
_space = re.compile(rb"[ \t\n\r]*")
_separator = re.compile(rb"[ \t\n\r]*([,\]])[ \t\n\r]*").match
_utf8_decode = codecs.utf_8_decode


class LongList(list[Any]):
    """The first ITEMS_KEPT items of a longer array; `length` is how many it had. Joined
    to another list (`+`, either side), the result still says how many both had."""

    def __init__(self, items: list[Any], length: int):
        super().__init__(items)
        self.length = length

    def __add__(self, other: list[Any]) -> LongList:
        return LongList([*self, *other], self.length + length_of(other))

    def __radd__(self, other: list[Any]) -> LongList:
        return LongList([*other, *self], length_of(other) + self.length)


def length_of(items: list[Any]) -> int:
    """How many items the array had, kept or not (see LongList)."""
    return items.length if isinstance(items, LongList) else len(items)


def loads(data: bytes | bytearray | str, whole_below: int = WHOLE_BELOW) -> Any:
    """`json.loads(data)`, decoded in pieces when the document is large; an array of more
    than ITEMS_KEPT items comes back as a LongList of its first ITEMS_KEPT."""
    if len(data) < whole_below:
        return json.loads(data)
    data = _utf8(data)
    value, end = _value(data, _skip(data, 0), 0)
    end = _skip(data, end)
    if end != len(data):
        raise ValueError(f"Extra data: byte {end}")
    return value


def _utf8(data: bytes | bytearray | str) -> Utf8:
    """The document as UTF-8 bytes, read as json.loads reads it; text in another encoding
    is re-encoded a slice at a time (the GIL again). UTF-8 comes back as it was given,
    uncopied: a bytearray (saved data, viewer/cache.py) is walked as it is."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise ValueError("Unexpected UTF-8 BOM (decode using utf-8-sig)")
        return _encoded(data[at : at + SLICE] for at in range(0, len(data), SLICE))
    encoding = json.detect_encoding(data)
    if encoding == "utf-8":
        return data
    if encoding == "utf-8-sig":
        return bytes(data[3:])
    decoder = codecs.getincrementaldecoder(encoding)("surrogatepass")
    view = memoryview(data)
    parts = [decoder.decode(view[at : at + SLICE]) for at in range(0, len(view), SLICE)]
    parts.append(decoder.decode(b"", final=True))
    return _encoded(parts)


def _encoded(texts: Iterable[str]) -> bytes:
    # Joining bytes is a copy; joining text is not when characters differ in width.
    return b"".join(text.encode("utf-8", "surrogatepass") for text in texts)


def _raw(data: Utf8, at: int) -> tuple[Any, int]:
    """The one JSON value that starts at byte `at`, and the byte after it.

    The value is decoded from a window of the bytes, doubled until the value ends well
    inside it: a number near the window's end may have been cut short, and a cut "1.5e-"
    decodes as 1.5 with two characters unread."""
    size = FIRST_WINDOW
    while True:
        window = data[at : at + size]
        reaches_end = at + size >= len(data)
        text, _ = _utf8_decode(window, "surrogatepass", reaches_end)
        try:
            value, end = _decoder.raw_decode(text, 0)
        except ValueError:
            if reaches_end:
                raise
        else:
            if len(text) - end > 2 or reaches_end:
                return value, at + len(text[:end].encode("utf-8", "surrogatepass"))
        size *= 2


def _value(data: Utf8, at: int, depth: int) -> tuple[Any, int]:
    if depth < WALK_DEPTH:
        opening = data[at : at + 1]
        if opening == b"{":
            return _object(data, at + 1, depth + 1)
        if opening == b"[":
            return _array(data, at + 1, depth + 1)
    return _raw(data, at)


def _object(data: Utf8, at: int, depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    at = _skip(data, at)
    if data[at : at + 1] == b"}":
        return result, at + 1
    while True:
        if data[at : at + 1] != b'"':
            raise _refused("Expecting property name enclosed in double quotes", at)
        key, at = _raw(data, at)
        at = _skip(data, at)
        if data[at : at + 1] != b":":
            raise _refused("Expecting ':' delimiter", at)
        result[key], at = _value(data, _skip(data, at + 1), depth)
        at = _skip(data, at)
        separator = data[at : at + 1]
        if separator == b"}":
            return result, at + 1
        if separator != b",":
            raise _refused("Expecting ',' delimiter", at)
        at = _skip(data, at + 1)


def _array(data: Utf8, at: int, depth: int) -> tuple[list[Any], int]:
    result: list[Any] = []
    at = _skip(data, at)
    if data[at : at + 1] == b"]":
        return result, at + 1
    while len(result) < WALKED_ELEMENTS:
        item, at = _value(data, at, depth)
        result.append(item)
        at, closed = _after_element(data, at)
        if closed:
            return result, at
    # The long tail (a list of messages): decoded a slice of elements per call. A slice ends
    # at a "}," that is a real boundary between elements exactly when it decodes (a "},"
    # inside a string or a nested object leaves the slice unclosed). After a slice that
    # does not decode, elements are read one at a time past its end, so no byte is tried
    # twice as a slice.
    one_by_one_until, dropped = -1, 0
    while True:
        if at > one_by_one_until:
            boundary = data.rfind(b"},", at, at + SLICE)
            if boundary > at:
                try:
                    items = json.loads(b"[" + data[at : boundary + 1] + b"]")
                except ValueError:
                    one_by_one_until = boundary
                else:
                    dropped += _keep(result, items)
                    at = _skip(data, boundary + 2)
                    continue
        item, at = _raw(data, at)
        dropped += _keep(result, [item])
        at, closed = _after_element(data, at)
        if closed:
            return (LongList(result, len(result) + dropped) if dropped else result), at


def _keep(result: list[Any], items: list[Any]) -> int:
    """Add to `result` what ITEMS_KEPT leaves room for; how many items did not fit."""
    room = max(ITEMS_KEPT - len(result), 0)
    if len(items) <= room:
        result.extend(items)
        return 0
    result.extend(items[:room])
    return len(items) - room


def _after_element(data: Utf8, at: int) -> tuple[int, bool]:
    """Past the "," or "]" after an array element: (where the next begins, array closed)."""
    separator = _separator(data, at)
    if separator is None:
        raise _refused("Expecting ',' delimiter", _skip(data, at))
    return separator.end(), separator.group(1) == b"]"


def _skip(data: Utf8, at: int) -> int:
    """The index of the next byte that is not JSON white space."""
    if data[at : at + 1] > b" ":  # every byte JSON allows here sorts after the space
        return at
    spaces = _space.match(data, at)
    return spaces.end() if spaces else at


def _refused(what: str, at: int) -> ValueError:
    return ValueError(f"{what}: byte {at}")
