"""The one place HTTP is done: client factory, body limits, JSON decoding, redaction.

Every request of every source goes through `fetch`, so timeouts, the size limit, the
mapping of transport failures to typed errors, and the masking of secrets live here once.
Nothing that leaves this module (log line, exception text, error detail) holds a header
value, a token, a password or a query value that is not on the allow list.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import random
import ssl
import zlib
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from viewer import __version__
from viewer.domain import BadReply, Source, Unavailable
from viewer.redaction import MASK, redact
from viewer.safe_text import shown, visible
from viewer.sources import json_pieces
from viewer.sources.transport import RenewedAfterSleep, environment_proxies

log = logging.getLogger("viewer.http")
# httpx logs every URL (with query values: customers' phone numbers) at INFO.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

USER_AGENT = f"customer-viewer/{__version__}"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
# An idle connection is kept this long for the next request; httpx's own default is 5 s. An
# agent's lookups, and the detail opened after one, are seconds to a minute apart, and a new
# connection costs a TCP and a TLS handshake (two round trips: 100-300 ms to a distant API)
# before the request leaves. Under the 60 s after which common load balancers close an idle
# connection, so ours is given up first; a server that closes sooner is noticed before the
# next request (httpcore finds the socket closed) or as it is sent (`_fetch_once`). Far
# under the minutes after which NAT gateways and firewalls forget a connection silently;
# after the computer slept, the kept connections are given up (`transport.py`).
KEEPALIVE_S = 50.0
# A reply larger than this, once unpacked, is refused before it is held in memory (the
# largest real-looking reply, the 100,000-message demo customer, is 23 MB).
MAX_BODY_BYTES = 40 * 1024 * 1024
# What that allows, for the agent: a Capillary message takes about 240 bytes of JSON (the
# demo's 100,000 take 24 MB), so about 170,000 messages.
MESSAGES_IN_LIMIT = MAX_BODY_BYTES // 240 // 10_000 * 10_000
# Compression we ask for and undo ourselves, one layer at most: "gzip, gzip" of 6.8 KB once
# unpacked to 12 GB, because a decoder that unpacks a whole network chunk at once bounds
# nothing. We unpack in slices of this size, count each, and let the event loop run between.
ACCEPT_ENCODING = "gzip"
UNPACKED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
UNPACK_SLICE_BYTES = 256 * 1024
# What all replies of one lookup (per source: every page, token and card) may bring in,
# unpacked. A hostile server could otherwise send 40 MB on each of dozens of pages.
LOOKUP_MAX_BYTES = 100 * 1024 * 1024
# A request outside any lookup, sign-in or connection test (which set their own, shorter
# deadline) still ends: a server that drips one byte every few seconds never trips the
# read timeout, which counts the gap between bytes, not the whole reply.
REQUEST_DEADLINE_S = 60.0
# Server-written text quoted in a sentence, a detail or a log line is cut to this length.
SERVER_TEXT_LIMIT = 300
# Retries (GETs and token requests only): statuses that mean "busy, try again", bounded
# attempts, exponential backoff with jitter, Retry-After honoured up to a cap. Every wait
# is an asyncio.sleep, so a new search or quitting cancels it at once.
RETRY_STATUSES = frozenset({429, 461, 502, 503, 504, 521})
MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 8.0
RETRY_AFTER_CAP_S = 10.0
# When the current lookup must be done (event-loop time), set by `limits()`. A retry whose
# wait would run past it is not attempted: the failure we already have is the better answer
# than "did not answer in time".
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "viewer_deadline", default=None
)


class ByteBudget:
    """The bytes the replies of one lookup may still bring in; shared by its tasks."""

    def __init__(self, limit: int | None = None):
        self.limit = LOOKUP_MAX_BYTES if limit is None else limit
        self.used = 0

    def charge(self, size: int, source: Source, url: str) -> None:
        self.used += size
        if self.used > self.limit:
            raise BadReply(
                f"{source.label} sent more than {self.limit // (1024 * 1024)} MB for one lookup; "
                "the rest was not loaded.",
                source=source,
                detail=url,
            )


BUDGET: contextvars.ContextVar[ByteBudget | None] = contextvars.ContextVar(
    "viewer_budget", default=None
)


@contextlib.contextmanager
def limits(deadline_s: float) -> Iterator[ByteBudget]:
    """One lookup, sign-in or connection test: retries stop at its deadline, and all its
    replies share one byte budget. Tasks it starts inherit both. The caller bounds the time
    itself (asyncio.timeout), so it can say which source did not answer."""
    deadline = DEADLINE.set(asyncio.get_running_loop().time() + deadline_s)
    budget = ByteBudget()
    token = BUDGET.set(budget)
    try:
        yield budget
    finally:
        BUDGET.reset(token)
        DEADLINE.reset(deadline)


def _time_left() -> float | None:
    deadline = DEADLINE.get()
    return None if deadline is None else deadline - asyncio.get_running_loop().time()


# Bodies above this are decoded on a worker thread so the window keeps painting.
PARSE_OFF_LOOP_BYTES = 512 * 1024
# Bodies above this are joined from their pieces on a worker thread. Joining a 23 MB reply
# on the loop froze the window 15–80 ms (writing fresh memory); on a worker the window
# keeps running, as CPython lets go of the GIL while it copies more than a megabyte.
JOIN_OFF_LOOP_BYTES = 1024 * 1024

# Query parameters safe to show in logs and error details; every other value is masked,
# so neither a secret nor a customer's phone number reaches a log line.
SAFE_QUERY_KEYS = frozenset(
    {"identifierName", "network", "type", "source", "include", "sort", "limit", "offset"}
)


def redact_url(url: str | httpx.URL) -> str:
    """The URL without user info and with every non-allow-listed query value masked."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = urlencode(
        [(k, v if k in SAFE_QUERY_KEYS else MASK) for k, v in parse_qsl(parts.query, True)],
        safe="[],*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def server_text(value: object, limit: int = SERVER_TEXT_LIMIT) -> str:
    """Text a server wrote (an error message, a header), fit to quote in a sentence, a detail
    or a log: known secrets masked (a server may echo our Authorization header back),
    bounded, and with control and bidi characters made visible."""
    text = value if isinstance(value, str) else shown(value, limit * 8)
    masked = redact(text[: limit * 8])  # bounded before anything scans it
    if len(masked) <= limit and len(text) <= limit * 8:
        return visible(masked)
    return f"{visible(masked[:limit])}… ({max(0, len(text) - limit):,} more characters)"


def _tls_context() -> ssl.SSLContext:
    """The OS trust store, so agents behind a corporate proxy CA can connect."""
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception:  # pragma: no cover - truststore missing or unsupported OS
        return ssl.create_default_context()


async def _log_request(request: httpx.Request) -> None:
    log.debug("→ %s %s", request.method, redact_url(request.url))


class ClientAuth(httpx.Auth):
    """An auth flow that sends requests of its own (token requests) on the very client it
    signs for, so a source keeps one client for its life. `make_client` attaches it."""

    client: httpx.AsyncClient | None = None

    def attach(self, client: httpx.AsyncClient) -> None:
        if self.client is not None:
            raise RuntimeError("an auth signs for one client only")
        self.client = client


def make_client(
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    auth: httpx.Auth | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = READ_TIMEOUT_S,
) -> httpx.AsyncClient:
    """The only constructor of HTTP clients in the program: one per source, app-long.
    `auth` signs every request sent through `fetch` (unless `signed=False`)."""
    # httpx's own caps, given again: Limits() leaves those not given unbounded.
    limits = httpx.Limits(
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_S
    )
    tls = _tls_context()
    # Connections renewed after the computer slept (transport.py): direct ones, and those
    # through each proxy the environment or the OS sets, mounted as httpx would mount them.
    proxies = environment_proxies(
        lambda proxy: httpx.AsyncHTTPTransport(proxy=proxy, verify=tls, limits=limits)
    )
    routes: dict[str, Any] = (
        {"verify": tls, "limits": limits}  # an httpx that reads its proxies only itself
        if proxies is None
        else {
            "transport": RenewedAfterSleep(
                lambda: httpx.AsyncHTTPTransport(verify=tls, limits=limits)
            ),
            "mounts": proxies,
        }
    )
    client = httpx.AsyncClient(
        base_url=base_url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            **(headers or {}),
        },
        auth=auth,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        **routes,
        follow_redirects=False,
        event_hooks={"request": [_log_request]},
    )
    if isinstance(auth, ClientAuth):
        auth.attach(client)
    return client


def import_first_request_modules() -> None:
    """Import now what the first request imports on its own: httpcore's async backend
    (anyio's asyncio layer, ~40 ms). A request imports it on the thread running the event
    loop, the window's, so the agent's first lookup after start waited for it; the
    window calls this on a worker thread once it is shown. (httpcore's own modules, not
    ours to depend on: a later httpcore without them just has nothing to import early.)"""
    with contextlib.suppress(ImportError):
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._backends.anyio  # noqa: F401
        import sniffio  # noqa: F401


async def drop_body(response: httpx.Response) -> None:
    """Let an auth flow answer `response` with a new request (a 401 before a token renewal)
    without its body being read. httpx reads such a reply whole with `aread()`, unpacked
    however the server says (a 401 could carry a compression bomb); an empty stream in its
    place keeps that read bounded. The connection is closed, not drained."""
    if isinstance(response.stream, httpx.AsyncByteStream):  # always, on an AsyncClient
        await response.stream.aclose()
    response.stream = httpx.ByteStream(b"")


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP reply, already size-checked. `url` is redacted."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def trace_id(self) -> str | None:
        trace_id: str | None = self.headers.get("x-trace-id")
        return trace_id

    def describe(self) -> str:
        """Technical detail for support: status, URL (redacted), trace id."""
        parts = [f"HTTP {self.status}", self.url]
        if self.trace_id:
            parts.append(f"trace id {server_text(self.trace_id, 100)}")
        return " · ".join(parts)


async def fetch(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    source: Source,
    params: dict[str, Any] | list[tuple[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    data: dict[str, str] | None = None,
    retry: bool | None = None,
    signed: bool = True,
) -> Reply:
    """Send a request and read the whole reply, retrying where that is safe (GETs and token
    requests: `retry=True`) on connect errors and "busy" statuses; else Unavailable/BadReply.
    Within `limits()` the caller's deadline bounds it; outside, REQUEST_DEADLINE_S does.
    `path` may be a whole URL (a token request to another host); `signed=False` sends it
    without the client's auth (the token request of that auth itself)."""
    attempt = _fetch_retrying(
        client,
        method,
        path,
        source=source,
        params=params,
        headers=headers,
        json_body=json_body,
        data=data,
        retry=retry,
        signed=signed,
    )
    if DEADLINE.get() is not None:
        return await attempt
    try:
        async with asyncio.timeout(REQUEST_DEADLINE_S):
            return await attempt
    except TimeoutError:
        host = client.base_url.join(path).host or "the server"
        raise Unavailable(
            f"{host} did not answer within {REQUEST_DEADLINE_S:.0f} s.",
            source=source,
            detail=f"deadline for one request · {redact_url(client.base_url.join(path))}",
        ) from None


async def _fetch_retrying(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    source: Source,
    params: dict[str, Any] | list[tuple[str, Any]] | None,
    headers: dict[str, str] | None,
    json_body: Any,
    data: dict[str, str] | None,
    retry: bool | None,
    signed: bool,
) -> Reply:
    retry = method == "GET" if retry is None else retry
    attempts = MAX_ATTEMPTS if retry else 1
    # A kept connection found closed is asked again at once, once: the next try may land on
    # another kept connection that idled as long (Ctrl-Hub keeps four), and a server that
    # drops every request must not get four in a burst.
    at_once = 1
    for attempt in range(1, attempts + 1):
        connection = _Connection()
        try:
            reply = await _fetch_once(
                connection,
                client,
                method,
                path,
                source=source,
                params=params,
                headers=headers,
                json_body=json_body,
                data=data,
                signed=signed,
            )
        except Unavailable as exc:
            wait = backoff(attempt)
            if connection.closed_while_idle and at_once:
                wait, at_once = 0.0, at_once - 1
            if not exc.retryable or attempt == attempts or not _fits(wait):
                raise
            await asyncio.sleep(wait)
            continue
        if reply.status not in RETRY_STATUSES or attempt == attempts:
            return reply
        asked = retry_after(reply)
        wait = backoff(attempt) if asked is None else asked
        if not _fits(wait):
            return reply
        log.info(
            "%s answered %d; retry %d of %d in %.1f s",
            source.value,
            reply.status,
            attempt,
            attempts - 1,
            wait,
        )
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _fits(wait: float) -> bool:
    """Whether waiting `wait` and trying once more can still finish before the deadline."""
    left = _time_left()
    return left is None or wait < left * 0.8


def backoff(attempt: int) -> float:
    """Exponential with full jitter: spreads retries so clients do not return in step."""
    return random.uniform(0.5, 1.0) * min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2.0 ** (attempt - 1))


def retry_after(reply: Reply) -> float | None:
    value = reply.headers.get("retry-after", "").strip()
    # ASCII digits only: a header read as Latin-1 may hold "²", a digit float() refuses.
    if value.isascii() and value.replace(".", "", 1).isdigit():
        return min(float(value), RETRY_AFTER_CAP_S)
    return None


async def _fetch_once(
    connection: _Connection,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    source: Source,
    params: dict[str, Any] | list[tuple[str, Any]] | None,
    headers: dict[str, str] | None,
    json_body: Any,
    data: dict[str, str] | None,
    signed: bool,
) -> Reply:
    request = client.build_request(
        method,
        path,
        params=params,
        headers=headers,
        json=json_body,
        data=data,
        extensions={"trace": connection.trace},
    )
    host = request.url.host or "the server"
    shown_url = redact_url(request.url)
    response = None
    try:
        # The client's auth flow (a token renewal) runs inside this send, on this client.
        auth = httpx.USE_CLIENT_DEFAULT if signed else None
        response = await client.send(request, stream=True, auth=auth)
        try:
            body = await _read_limited(response, shown_url, source)
        finally:
            await response.aclose()
    except httpx.ConnectTimeout as exc:
        failure = Unavailable(
            f"Cannot reach {host} (no answer to the connection attempt).",
            source=source,
            detail=f"{type(exc).__name__} · {shown_url}",
        )
        failure.retryable = True
        raise failure from None
    except httpx.TimeoutException as exc:
        raise Unavailable(
            f"{host} did not answer in time.",
            source=source,
            detail=f"{type(exc).__name__} · {shown_url}",
        ) from None
    except httpx.ConnectError as exc:
        raise _connect_failure(exc, host, shown_url, source) from None
    except httpx.TransportError as exc:
        failure = Unavailable(
            f"The connection to {host} broke off.",
            source=source,
            detail=f"{type(exc).__name__} · {shown_url}",
        )
        # Sent on a kept connection and not answered: most likely the server closed it,
        # idle, as the request left (its idle timeout and ours crossing). Safe to send again
        # where a retry is; `_fetch_retrying` does so at once. A request on a connection of
        # its own that breaks off met a broken server: not asked again.
        if response is None and connection.kept:
            connection.closed_while_idle = failure.retryable = True
        raise failure from None
    log.debug("← %s %s (%d bytes)", response.status_code, shown_url, len(body))
    return Reply(response.status_code, response.headers, body, shown_url)


class _Connection:
    """What one try learned of its connection, from httpcore's "trace" extension: whether it
    opened one of its own or its request went out on a kept one."""

    def __init__(self) -> None:
        self.opened = False
        self.sent = False
        self.closed_while_idle = False  # set by `_fetch_once`

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        if "connect_tcp" in event:
            self.opened = True
        elif "send_request_headers.complete" in event:  # written: not refused before a byte
            self.sent = True

    @property
    def kept(self) -> bool:
        """The request reached a connection it did not open (nothing reached, nothing kept)."""
        return self.sent and not self.opened


def _connect_failure(exc: Exception, host: str, url: str, source: Source) -> Unavailable:
    text = str(exc)
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
        return Unavailable(
            f"The secure connection to {host} failed: its certificate is not trusted.",
            source=source,
            detail=f"TLS error · {url}",
        )
    failure = Unavailable(
        f"Cannot reach {host}. Check the network connection and the server address.",
        source=source,
        detail=f"{type(exc).__name__} · {url}",
    )
    failure.retryable = True  # nothing was sent: safe to try again
    return failure


async def _read_limited(response: httpx.Response, url: str, source: Source) -> bytes:
    """The whole body, unpacked by us in bounded slices: no more than MAX_BODY_BYTES of it
    (and of what arrived packed), charged to the lookup's budget as it is produced."""
    coding = _one_encoding(response, url, source)
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large(url, source, coding)
    unpacker = _Unpacker(coding) if coding else None
    budget = BUDGET.get()
    pieces: list[bytes] = []
    arrived = size = 0
    # httpx declares an AsyncIterator; it is an async generator, which has aclose().
    stream = cast("AsyncGenerator[bytes, None]", response.aiter_raw())
    try:
        async for chunk in stream:
            arrived += len(chunk)
            if arrived > MAX_BODY_BYTES:
                raise _too_large(url, source, coding)
            for piece in unpacker.slices(chunk, url, source) if unpacker else (chunk,):
                size += len(piece)
                if size > MAX_BODY_BYTES:
                    raise _too_large(url, source, coding)
                if budget is not None:
                    budget.charge(len(piece), source, url)
                pieces.append(piece)
                if unpacker:
                    await asyncio.sleep(0)  # a chunk that unpacks to megabytes never holds the loop
    finally:
        await stream.aclose()  # an abandoned stream would be closed later, by the GC, noisily
    if size > JOIN_OFF_LOOP_BYTES:
        return await asyncio.to_thread(b"".join, pieces)
    return b"".join(pieces)


def _one_encoding(response: httpx.Response, url: str, source: Source) -> str:
    """The one compression layer we undo ("" for none); stacked or unknown ones are refused."""
    codings = [
        c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)
    ]
    codings = [c for c in codings if c and c != "identity"]
    shown_codings = server_text(", ".join(codings), 80)
    if len(codings) > 1:
        raise BadReply(
            f"The reply was packed in {len(codings)} layers of compression and was not loaded "
            "(a way to hide a very large reply in a small one).",
            source=source,
            detail=f"Content-Encoding {shown_codings} · {url}",
        )
    if codings and codings[0] not in UNPACKED_ENCODINGS:
        raise BadReply(
            "The reply was packed in a way this program does not unpack, and was not loaded.",
            source=source,
            detail=f"Content-Encoding {shown_codings} · {url}",
        )
    return codings[0] if codings else ""


class _Unpacker:
    """Undoes one gzip or deflate layer a slice at a time: the output of each step is bounded,
    so a bomb is stopped at the limit instead of after it has been expanded."""

    def __init__(self, coding: str):
        self._deflate = coding == "deflate"
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)
        self._started = False

    def slices(self, data: bytes, url: str, source: Source) -> Iterator[bytes]:
        while data and not self._zlib.eof:  # bytes after the end of the stream are ignored
            try:
                piece = self._zlib.decompress(data, UNPACK_SLICE_BYTES)
            except zlib.error:
                if self._deflate and not self._started:  # raw deflate, without zlib's wrapper
                    self._zlib, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise BadReply(
                    "The server's packed (compressed) reply is damaged and could not be read.",
                    source=source,
                    detail=url,
                ) from None
            self._started = True
            data = self._zlib.unconsumed_tail
            if piece:
                yield piece


def _too_large(url: str, source: Source, coding: str = "") -> BadReply:
    limit_mb = MAX_BODY_BYTES // (1024 * 1024)
    unpacked = " once unpacked" if coding else ""
    return BadReply(
        f"The reply was larger than {limit_mb} MB{unpacked} (about {MESSAGES_IN_LIMIT:,} "
        "messages) and was not loaded.",
        source=source,
        detail=url,
    )


async def decode_json(reply: Reply, source: Source) -> Any:
    """The reply's JSON; large bodies are decoded off the event loop."""
    data_body(reply, source)
    try:
        if len(reply.body) > PARSE_OFF_LOOP_BYTES:  # in pieces: the window keeps the GIL too
            return await asyncio.to_thread(json_pieces.loads, reply.body)
        return json.loads(reply.body)
    except (ValueError, RecursionError):
        kind = reply.headers.get("content-type", "unknown type").split(";")[0]
        raise BadReply(
            "The server's reply could not be read (it is not valid JSON).",
            source=source,
            detail=f"{reply.describe()} · content type {server_text(kind, 80)}",
        ) from None


def data_body(reply: Reply, source: Source) -> bytes:
    """The reply's body, refused (BadReply) when it cannot be data: empty, or a web page."""
    if not reply.body.strip():
        raise BadReply("The server sent an empty reply.", source=source, detail=reply.describe())
    kind = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") or reply.body.lstrip()[:1] == b"<":
        raise BadReply(
            "The server sent a web page instead of data (a proxy, login or maintenance page?).",
            source=source,
            detail=f"{reply.describe()} · content type {server_text(kind or 'unknown', 80)}",
        )
    return reply.body


def server_failure(reply: Reply, source: Source, what: str = "") -> Unavailable:
    """A 5xx or "busy" status as one sentence, with the trace id to quote."""
    trace = (
        f" Quote trace id {server_text(reply.trace_id, 100)} to support." if reply.trace_id else ""
    )
    what = f" {what}" if what else ""
    if reply.status in RETRY_STATUSES:
        sentence = (
            f"{source.label} is busy right now (HTTP {reply.status}){what}; try again in a moment."
        )
    else:
        sentence = f"The {source.label} server had a problem (HTTP {reply.status}){what}."
    return Unavailable(sentence + trace, source=source, detail=reply.describe())
