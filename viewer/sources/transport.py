"""The connections under each HTTP client, made anew after the computer slept.

A connection is kept a while for the next request (`http.KEEPALIVE_S`), and httpcore counts
how long one has been idle with the monotonic clock, which stops while a Mac or a Linux
computer sleeps. A connection left idle 10 s before an hour's sleep is reused at once after
it. Usually the server has closed it by then and answers with a reset, which `http.fetch`
asks again at once. But a VPN that reconnected on waking, or a NAT that forgot the
connection, may swallow the request without a word, and the agent would wait the whole read
timeout, 30 s. So when a clock that counts sleep has moved on further than the monotonic
one since the last request, the kept connections are given up and the request opens new
ones: a TCP and a TLS handshake, once, after a sleep.

`http.make_client` gives this as the client's transport, and mounts one for each proxy the
environment or the OS sets (`environment_proxies`): httpx reads those itself only for a
client given no transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

import httpx

log = logging.getLogger("viewer.http")


def _httpx_reading_of_proxies() -> Callable[[], dict[str, str | None]] | None:
    """httpx's own reading of the proxy settings, which is not public (environment_proxies);
    None when a later httpx moved it."""
    try:
        module = importlib.import_module("httpx._utils")
    except ImportError:
        return None
    return getattr(module, "get_environment_proxies", None)


get_environment_proxies = _httpx_reading_of_proxies()

# How much further the clock that counts sleep may move than the monotonic one between two
# requests before it counts as a sleep. The two tick together while awake.
SLEEP_S = 10.0
CLOSE_S = 2.0  # what closing the given-up connections may take


def _clock_counting_sleep() -> float:
    if sys.platform.startswith("linux"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    if sys.platform == "darwin":
        # mach_continuous_time: the ticks of time.monotonic's mach_absolute_time, sleep
        # included, not slewed (Apple's CLOCK_MONOTONIC counts sleep too, but is derived
        # from the wall clock).
        return time.clock_gettime(time.CLOCK_MONOTONIC_RAW)
    # Windows: time.monotonic itself goes on during sleep, so httpcore's expiry holds there
    # and nothing is needed (the two clocks below never part).
    return time.monotonic()


class RenewedAfterSleep(httpx.AsyncBaseTransport):
    """httpx's own transport (`make()`), replaced by a fresh one when the computer slept
    between two requests. The old one is closed once the requests it is still serving are
    done (a reply still being read would be cut off)."""

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._inner = make()
        self._last: tuple[float, float] | None = None  # both clocks at the last request
        self._serving: Counter[httpx.AsyncBaseTransport] = Counter()  # replies not closed
        self._retired: list[httpx.AsyncBaseTransport] = []  # to close once they serve none
        self._closing: set[asyncio.Task[None]] = set()

    def slept(self) -> bool:
        """Whether the computer slept since the last request; notes this one's time."""
        now = (_clock_counting_sleep(), time.monotonic())
        last, self._last = self._last, now
        return last is not None and (now[0] - last[0]) - (now[1] - last[1]) > SLEEP_S

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.slept():
            log.debug("the computer slept since the last request: new connections")
            self._retired.append(self._inner)
            self._inner = self._make()
            self._close_idle_retired()
        inner = self._inner
        self._serving[inner] += 1
        try:
            response = await inner.handle_async_request(request)
        except BaseException:
            self._done(inner)
            raise
        response.stream = _Served(response.stream, lambda: self._done(inner))
        return response

    def _done(self, inner: httpx.AsyncBaseTransport) -> None:
        self._serving[inner] -= 1
        if self._serving[inner] <= 0:
            del self._serving[inner]
            self._close_idle_retired()

    def _close_idle_retired(self) -> None:
        for old in [t for t in self._retired if not self._serving[t]]:
            self._retired.remove(old)
            task = asyncio.ensure_future(_close(old))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        transports, self._retired = [self._inner, *self._retired], []
        try:
            await transports[0].aclose()
        finally:  # the retired ones closed whatever the current one did
            for transport in transports[1:]:
                await _close(transport)
            # Their errors are theirs (`_close` ends quietly); a cancel of this call is not.
            await asyncio.gather(*self._closing, return_exceptions=True)


def environment_proxies(
    make: Callable[[str], httpx.AsyncBaseTransport],
) -> dict[str, httpx.AsyncBaseTransport | None] | None:
    """The mounts httpx makes of HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (and, on
    Windows and macOS, the system's proxy settings) for a client given no transport, each
    proxy's renewed after a sleep too. None, for a host NO_PROXY exempts, is the client's
    transport. httpx's own reading of the environment, though not public: a client given a
    transport does not read it (`allow_env_proxies`), and a copy could differ from it
    (tests/test_keep_alive.py compares the two).

    None when this httpx has no such function: the client must then be given no transport,
    so that it reads the settings itself. Its connections are not renewed after a sleep, but
    every request goes where the settings say (uv.lock pins the httpx that has it)."""
    if get_environment_proxies is None:
        return None
    return {
        pattern: None if proxy is None else RenewedAfterSleep(functools.partial(make, proxy))
        for pattern, proxy in get_environment_proxies().items()
    }


class _Served(httpx.AsyncByteStream):
    """A reply's body that says when it is closed (once)."""

    def __init__(
        self, stream: httpx.AsyncByteStream | httpx.SyncByteStream, done: Callable[[], None]
    ) -> None:
        self._stream = stream
        self._done: Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._stream, httpx.AsyncByteStream)  # always, from an async transport
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            if isinstance(self._stream, httpx.AsyncByteStream):
                await self._stream.aclose()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done()


async def _close(transport: httpx.AsyncBaseTransport) -> None:
    # Bounded, should closing wait on the network: these connections may be dead.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_S):
            await transport.aclose()
