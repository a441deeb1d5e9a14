"""JSON decoding that lets the window breathe while a large reply is decoded.

`json.loads` is one C call: decoding a 23 MB reply (100,000 messages) holds the GIL for a
quarter of a second, and the window, whose thread needs the GIL to paint, freezes for
that long even though the decoding runs on a worker thread. `loads` here walks the outer
containers of a large document itself and hands every array element (one message, one
resource) to the C decoder on its own, so the GIL can change hands between elements. The
result is the same as `json.loads`, and anything `json.loads` refuses is refused here with
a ValueError too (which position it names may differ).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

# Below this many characters a document is decoded in one call: it cannot hold the GIL long.
WHOLE_BELOW = 256 * 1024
# Containers this deep are walked by hand; deeper values go to the C decoder whole.
WALK_DEPTH = 12
# In an array, the first elements that are objects or arrays are walked (a network, a
# channel: few, each holding a long list); from this index on each is decoded whole (a
# message: many, each small).
WALKED_ELEMENTS = 16
SLICE = 512 * 1024  # bytes turned into text at a time

_decoder = json.JSONDecoder()
_space = re.compile(r"[ \t\n\r]*")
_separator = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*").match


def loads(data: bytes | bytearray | str, whole_below: int = WHOLE_BELOW) -> Any:
    """`json.loads(data)`, decoded in pieces when the document is large."""
    if len(data) < whole_below:
        return json.loads(data)
    text = data if isinstance(data, str) else _text(data)
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    value, end = _value(text, _skip(text, 0), 0)
    end = _skip(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _text(data: bytes | bytearray) -> str:
    """The bytes as text, as json.loads reads them, a slice at a time (the GIL again)."""
    decoder = codecs.getincrementaldecoder(json.detect_encoding(data))("surrogatepass")
    view = memoryview(data)
    parts = [decoder.decode(view[at : at + SLICE]) for at in range(0, len(view), SLICE)]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def _value(text: str, at: int, depth: int) -> tuple[Any, int]:
    if depth < WALK_DEPTH:
        opening = text[at : at + 1]
        if opening == "{":
            return _object(text, at + 1, depth + 1)
        if opening == "[":
            return _array(text, at + 1, depth + 1)
    return _decoder.raw_decode(text, at)


def _object(text: str, at: int, depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    at = _skip(text, at)
    if text[at : at + 1] == "}":
        return result, at + 1
    while True:
        if text[at : at + 1] != '"':
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, at
            )
        key, at = _decoder.raw_decode(text, at)
        at = _skip(text, at)
        if text[at : at + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
        result[key], at = _value(text, _skip(text, at + 1), depth)
        at = _skip(text, at)
        separator = text[at : at + 1]
        if separator == "}":
            return result, at + 1
        if separator != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        at = _skip(text, at + 1)


def _array(text: str, at: int, depth: int) -> tuple[list[Any], int]:
    result: list[Any] = []
    at = _skip(text, at)
    if text[at : at + 1] == "]":
        return result, at + 1
    while len(result) < WALKED_ELEMENTS:
        item, at = _value(text, at, depth)
        result.append(item)
        at, closed = _after_element(text, at)
        if closed:
            return result, at
    # The long tail (a list of messages): decoded a slice of elements per call. A slice ends
    # at a "}," that is a real boundary between elements exactly when it decodes (a "},"
    # inside a string or a nested object leaves the slice unclosed). After a slice that
    # does not decode, elements are read one at a time past its end, so no text is tried
    # twice as a slice.
    one_by_one_until = -1
    while True:
        if at > one_by_one_until:
            boundary = text.rfind("},", at, at + SLICE)
            if boundary > at:
                try:
                    items = json.loads(f"[{text[at : boundary + 1]}]")
                except ValueError:
                    one_by_one_until = boundary
                else:
                    result.extend(items)
                    at = _skip(text, boundary + 2)
                    continue
        item, at = _decoder.raw_decode(text, at)
        result.append(item)
        at, closed = _after_element(text, at)
        if closed:
            return result, at


def _after_element(text: str, at: int) -> tuple[int, bool]:
    """Past the "," or "]" after an array element: (where the next begins, array closed)."""
    separator = _separator(text, at)
    if separator is None:
        raise json.JSONDecodeError("Expecting ',' delimiter", text, _skip(text, at))
    return separator.end(), separator.group(1) == "]"


def _skip(text: str, at: int) -> int:
    """The index of the next character that is not JSON white space."""
    if text[at : at + 1] > " ":  # every character JSON allows here sorts after the space
        return at
    spaces = _space.match(text, at)
    return spaces.end() if spaces else at
