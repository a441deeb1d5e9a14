"""Server, config and user text made safe to show: one place, for every face of the program.

What a server sends is shown as plain text (DESIGN.md). Beyond plain-text rendering (done
by the widgets), the characters themselves can lie or attack:
- control characters (ESC, BEL, C1 controls) drive terminals: title changes, clearing the
  screen, OSC 52 clipboard writes, hidden text;
- bidi overrides and isolates reorder what the agent reads ("Invoice \u202egnp.exe" reads
  as "Invoice exe.png"), and zero-width characters hide text or make two names look alike;
- a 2 MB "word" freezes any layout engine.

`visible()` turns the first two into visible marks ("<U+001B>"); `cut()` bounds the length. `shown()`
does both and is what a widget or the CLI table puts on screen. ZWJ and ZWNJ stay: they
join emoji and are part of ordinary spelling in Persian and Indic scripts.
"""

from __future__ import annotations

import re

# What one label, cell or line shows at most; the raw view and "Copy" keep the whole value.
LINE_LIMIT = 500
# Multi-line text (notes): enough to read, bounded so layout stays fast.
BLOCK_LIMIT = 20_000

# Bidi embeddings/overrides/isolates and marks, zero-width and invisible formatting
# characters (not ZWJ U+200D / ZWNJ U+200C, see above), line/paragraph separators.
_INVISIBLE = (
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\ufeff\u00ad\u180e\u2028\u2029\ufff9\ufffa\ufffb"
)
_C0 = "".join(chr(c) for c in range(0x20)) + "\x7f"
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))
_UNSAFE_LINE = re.compile(f"[{re.escape(_C0 + _C1 + _INVISIBLE)}]")
_UNSAFE_BLOCK = re.compile(
    f"[{re.escape(_C0.replace(chr(10), '').replace(chr(9), '') + _C1 + _INVISIBLE)}]"
)
_WHITESPACE_IN_LINE = {"\n": " ", "\r": " ", "\t": " "}


def _mark(char: str) -> str:
    """A visible stand-in every font can draw: <U+001B> for ESC, <U+202E> for a bidi
    override. (Unicode's Control Pictures, such as ␛, are missing from common UI fonts.)"""
    return f"<U+{ord(char):04X}>"


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with every control, bidi and invisible character shown as a visible mark.

    One-line text turns newlines and tabs into spaces (a name has no lines); multi-line
    text (notes) keeps newlines and tabs, and a lone carriage return becomes a newline."""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _UNSAFE_BLOCK.sub(lambda m: _mark(m.group()), text)
    return _UNSAFE_LINE.sub(lambda m: _WHITESPACE_IN_LINE.get(m.group()) or _mark(m.group()), text)


def cut(text: str, limit: int = LINE_LIMIT) -> str:
    """At most about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def shown(value: object, limit: int = LINE_LIMIT, *, multiline: bool = False) -> str:
    """What to put on screen for a server-, config- or user-supplied value: bounded first
    (so nothing scans megabytes), then made visible. None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except ValueError:  # an int past Python's 4,300-digit conversion limit
            return "(a number too long to show)"
    return visible(cut(text, limit), multiline=multiline)
