"""Screen-pop links: `customer-viewer://lookup?mobile=…` (and `tel:`) into a lookup request.

A link comes from outside the program: a softphone, a browser, a CRM page, anything that
can open a URL, so it is untrusted input. Nothing here sends anything; a link becomes a
PopRequest (the text to look up, its kind, the profile it names) or a BadInput with the
sentence the agent reads. The value is checked the way a typed one is (`parse_query`); the
window checks it once more with its profile's default country before anything is sent.

    customer-viewer://lookup?mobile=+44%207700%20900123
    customer-viewer://lookup?email=a%40example.org&profile=acme
    customer-viewer://lookup?external_id=C-1001      customer-viewer://lookup?interaction=UUID
    customer-viewer://lookup?q=whatever+was+typed    (the kind is detected, as "Auto" does)

Query values are percent-decoded only: "+" stays a plus (softphones put "+447700900123"
into their URL template as it is; "+ means space" is a web-form rule, not a URL one).
A parameter this program does not know is ignored, and its name reported for a log line.
No Qt here: the `open` command parses links without loading the window.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote

from viewer.domain import BadInput, IdentifierKind

SCHEME = "customer-viewer"
ACTION = "lookup"
MAX_LINK_LENGTH = 2048  # a pop carries one identifier: far below what any softphone sends
MAX_PROFILE_LENGTH = 100
MAX_IGNORED_REPORTED = 5  # names of unknown parameters kept for the log line

# Link parameter → the kind the window searches (None: detected, like "Auto").
PARAMETERS: dict[str, IdentifierKind | None] = {
    "mobile": IdentifierKind.MOBILE,
    "email": IdentifierKind.EMAIL,
    "external_id": IdentifierKind.EXTERNAL_ID,
    "interaction": IdentifierKind.INTERACTION_ID,
    "q": None,
}
PROFILE_PARAMETER = "profile"
_PARAMETER_FOR_KIND = {kind: name for name, kind in PARAMETERS.items()}
_SCHEME_SHAPE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(.*)", re.S)
HOW = "customer-viewer://lookup?mobile=… (or email=, external_id=, interaction=, q=)"


@dataclass(frozen=True)
class PopRequest:
    """What a link asks for: look `text` up as `kind` (None: detect it), in `profile` if named."""

    text: str
    kind: IdentifierKind | None
    profile: str | None = None
    ignored: tuple[str, ...] = ()  # parameters not understood (names, cut), for a log line


def parse_link(url: object, accept_tel: bool = False) -> PopRequest:
    """The lookup a link asks for, or BadInput with a sentence. `accept_tel`: the agent has
    turned `tel:` links on (off by default)."""
    if not isinstance(url, str):
        raise BadInput("That link is not text; nothing was looked up.")
    if len(url) > MAX_LINK_LENGTH:
        raise BadInput(
            f"That link is too long (more than {MAX_LINK_LENGTH:,} characters); "
            "nothing was looked up."
        )
    url = url.strip()
    if _has_control(url):
        raise BadInput("That link holds control characters; nothing was looked up.")
    shape = _SCHEME_SHAPE.fullmatch(url)
    if shape is None:
        raise BadInput(f"That is not a customer-viewer link; use {HOW}.")
    scheme = shape.group(1).lower()
    if scheme == "tel":
        return _tel(shape.group(2), accept_tel)
    if scheme != SCHEME:
        raise BadInput(f"That is not a customer-viewer link; use {HOW}.")
    return _lookup(shape.group(2))


def link_for(text: str, kind: IdentifierKind | None = None, profile: str | None = None) -> str:
    """The link that asks for `text` as `kind` (what `open --mobile N` hands the window)."""
    parts = [f"{_PARAMETER_FOR_KIND[kind]}={quote(text, safe='+@')}"]
    if profile:
        parts.append(f"{PROFILE_PARAMETER}={quote(profile, safe='')}")
    return f"{SCHEME}://{ACTION}?{'&'.join(parts)}"


def describe(pop: PopRequest) -> str:
    """For a log line: the kind and the profile asked for, never the customer's identifier."""
    kind = pop.kind.value if pop.kind else "auto"
    return f"{kind} lookup" + (" with a profile named" if pop.profile else "")


# -- the two link shapes ----------------------------------------------------------------


def _lookup(rest: str) -> PopRequest:
    """`//lookup?…` (also `lookup?…` and `///lookup?…`); the fragment is ignored."""
    rest, _, fragment = rest.partition("#")
    where, _, query = rest.partition("?")
    if where.strip("/").lower() != ACTION:
        raise BadInput(f"That link asks for something other than a lookup; use {HOW}.")
    wanted: list[tuple[str, str]] = []
    profile: str | None = None
    ignored = ["#fragment"] if fragment else []
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, raw = piece.partition("=")
        name = _decoded(name, "parameter name").lower()
        if name in PARAMETERS:
            wanted.append((name, _decoded(raw, name)))
        elif name == PROFILE_PARAMETER:
            if profile is not None:
                raise BadInput("That link names more than one profile; nothing was looked up.")
            profile = _profile(_decoded(raw, name))
        elif len(ignored) < MAX_IGNORED_REPORTED:
            ignored.append(_cut_name(name))
    if not wanted:
        raise BadInput(f"That link names no customer; use {HOW}.")
    if len(wanted) > 1:
        raise BadInput(
            "That link names more than one customer "
            f"({', '.join(dict.fromkeys(n for n, _ in wanted))}); nothing was looked up."
        )
    name, value = wanted[0]
    return _checked(value, PARAMETERS[name], profile or None, tuple(ignored))


def _tel(rest: str, accept_tel: bool) -> PopRequest:
    """`tel:+44-7700-900123;phone-context=…` (RFC 3966): the number before any `;`."""
    if not accept_tel:
        raise BadInput(
            "tel: links are turned off, so nothing was looked up. "
            "Turn them on under Search → Open tel: links."
        )
    number = _decoded(rest.split(";", 1)[0].split("?", 1)[0], "tel").lstrip("/")
    return _checked(number, IdentifierKind.MOBILE, None, ())


def _checked(
    value: str, kind: IdentifierKind | None, profile: str | None, ignored: tuple[str, ...]
) -> PopRequest:
    """The value checked as typed input would be (a sentence, and nothing sent, when not)."""
    from viewer.identifiers import parse_query  # (phonenumbers: loaded after `open` handed over)

    value = value.strip()
    parse_query(value, kind)  # raises BadInput; the window parses again with its country
    return PopRequest(value, kind, profile, ignored)


# -- decoding -----------------------------------------------------------------------------


def _decoded(raw: str, what: str) -> str:
    """Percent-decoded strictly as UTF-8 (a bad escape is a sentence, not U+FFFD)."""
    try:
        text = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadInput(
            f"That link's {_cut_name(what)} is not valid text (bad %-escapes); "
            "nothing was looked up."
        ) from None
    if _has_control(text):
        raise BadInput(
            f"That link's {_cut_name(what)} holds control characters; nothing was looked up."
        )
    return text


def _profile(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_PROFILE_LENGTH:
        raise BadInput(
            f"That link names a profile longer than {MAX_PROFILE_LENGTH} characters; "
            "nothing was looked up."
        )
    return name


def _has_control(text: str) -> bool:
    """Controls, bidi overrides, zero-width, line separators, surrogates, private-use and
    unassigned characters: never in an identifier (other spaces are, as typed)."""
    return any(
        unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in text
    )


def _cut_name(name: str) -> str:
    """A parameter name fit for a sentence or a log line: short, printable ASCII only."""
    clean = "".join(c if " " < c < "\x7f" else "?" for c in name[:40])
    return clean + ("…" if len(name) > 40 else "")


# -- the agent's setting for tel: links (the window's menu; a link never changes it) --------


def tel_links_on() -> bool:
    from viewer.profiles import load_config

    return load_config().tel_links


def set_tel_links(on: bool) -> None:
    from viewer.profiles import save_tel_links

    save_tel_links(on)
