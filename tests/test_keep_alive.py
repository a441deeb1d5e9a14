"""Kept-alive connections (viewer/sources/http.py, transport.py): an idle connection is kept
for the next request well past httpx's 5 s, so an agent's next lookup or the detail they open
skips a TCP and a TLS handshake; a request on a kept connection that the server closed just as
it was sent is asked again at once, where asking again is safe; and after the computer slept,
the kept connections are given up."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest

from tests.hostile_server import HostileServer, Raw, Seen, json_reply
from viewer.domain import Source, Unavailable
from viewer.sources import http, transport

PATH = "/v1/customers/lookup"


def answers(seen: Seen) -> Raw:
    return json_reply({"asked": seen.turn})


def hangs_up_on_a_kept_connection(seen: Seen) -> Raw:
    """What a server does whose idle timeout ends as the request arrives: it has closed."""
    return Raw(hang_up=True) if seen.turn > 1 else answers(seen)


async def get(client, method: str = "GET", retry: bool | None = None) -> http.Reply:
    return await http.fetch(client, method, PATH, source=Source.CAPILLARY, retry=retry)


@pytest.mark.asyncio
async def test_a_request_after_a_pause_goes_on_the_kept_connection():
    with HostileServer(answers) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            await asyncio.sleep(5.5)  # past httpx's own 5 s: it would have closed it
            await get(client)
        connections = [seen.connection for seen in server.seen]
    assert connections == [1, 1]


@pytest.fixture
def slow_backoff(monkeypatch):
    """Retries that wait long enough to tell from one asked at once."""
    monkeypatch.setattr(http, "backoff", lambda attempt: 0.4)


@pytest.mark.asyncio
async def test_a_kept_connection_the_server_closed_is_replaced_at_once(slow_backoff):
    with HostileServer(hangs_up_on_a_kept_connection) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            reply = await get(client)
        asked = [(seen.connection, seen.turn) for seen in server.seen]
        gap = server.seen[2].at - server.seen[1].at
    assert reply.status == 200
    assert asked == [(1, 1), (1, 2), (2, 1)]  # asked again on a new connection
    assert gap < 0.3, f"waited {gap:.2f} s: a backoff, not at once"


@pytest.mark.asyncio
async def test_only_the_first_kept_connection_found_closed_is_retried_at_once(slow_backoff):
    """Connections that idled together are closed together. With three kept, the request is
    asked again at once on the second; the third waits a backoff, as any retry does."""

    def answers_slowly_then_hangs_up(seen: Seen) -> Raw:
        if seen.turn > 1:
            return Raw(hang_up=True)
        time.sleep(0.2)  # so the three first requests need three connections
        return answers(seen)

    with HostileServer(answers_slowly_then_hangs_up) as server:
        async with http.make_client(server.url) as client:
            await asyncio.gather(get(client), get(client), get(client))
            reply = await get(client)
        retried = server.seen[3:]
    assert reply.status == 200
    assert [seen.turn for seen in retried] == [2, 2, 2, 1]  # the three kept, then a new one
    gaps = [later.at - earlier.at for earlier, later in zip(retried, retried[1:], strict=False)]
    assert gaps[0] < 0.3, gaps
    assert all(gap >= 0.35 for gap in gaps[1:]), gaps


def swallows_on_a_kept_connection(seen: Seen) -> Raw:
    """A connection that died while the computer slept (a VPN that reconnected, a NAT that
    forgot it): what is sent on it is never answered."""
    if seen.turn > 1:
        time.sleep(4)
        return Raw(hang_up=True)
    return answers(seen)


def slept(monkeypatch, seconds: float) -> None:
    """The clock that counts sleep `seconds` further on than the monotonic one, which stops
    while the computer sleeps (on a Mac or Linux)."""
    moved = transport._clock_counting_sleep() + seconds
    monkeypatch.setattr(transport, "_clock_counting_sleep", lambda: moved)


@pytest.mark.asyncio
async def test_after_a_sleep_the_kept_connections_are_given_up(monkeypatch):
    with HostileServer(swallows_on_a_kept_connection) as server:
        async with http.make_client(server.url, read_timeout=2) as client:
            await get(client)
            slept(monkeypatch, 3600)
            started = time.monotonic()
            reply = await get(client)
            took = time.monotonic() - started
        connections = [seen.connection for seen in server.seen]
    assert reply.status == 200
    assert connections == [1, 2]  # a new one; the kept one would have swallowed it
    assert took < 1, f"took {took:.1f} s"


@pytest.mark.asyncio
async def test_a_short_sleep_keeps_the_connections(monkeypatch):
    with HostileServer(answers) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            slept(monkeypatch, 5)
            await get(client)
        connections = [seen.connection for seen in server.seen]
    assert connections == [1, 1]


@pytest.mark.asyncio
async def test_a_reply_being_read_when_the_sleep_is_noticed_is_read_whole(monkeypatch):
    """Requests of one lookup run side by side: one noticing the sleep must not cut off
    another's reply, still arriving on a connection that is being given up."""

    def slow_body_then_answers(seen: Seen) -> Raw:
        if seen.query.get("slow"):
            return Raw(200, body=iter([b'{"part": ', b'"one", ', b'"end": true}']), chunk_delay=0.3)
        return answers(seen)

    with HostileServer(slow_body_then_answers) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            slow = asyncio.ensure_future(
                http.fetch(client, "GET", PATH, source=Source.CAPILLARY, params={"slow": "1"})
            )
            while server.count("slow") == 0:
                await asyncio.sleep(0.01)
            slept(monkeypatch, 3600)
            await get(client)  # notices the sleep
            reply = await slow
    assert reply.body == b'{"part": "one", "end": true}'


PROXY_VARIABLES = [f"{name}_proxy" for name in ("http", "https", "all", "no")] + [
    f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "NO")
]


@pytest.fixture
def environment(monkeypatch):
    """Sets proxy variables, none but those given."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return lambda **variables: [monkeypatch.setenv(k, v) for k, v in variables.items()]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "variables",
    [
        {"HTTP_PROXY": "{proxy}"},
        {"ALL_PROXY": "{proxy}"},
        {"HTTP_PROXY": "{proxy}", "NO_PROXY": "127.0.0.1"},
        {"ALL_PROXY": "{proxy}", "NO_PROXY": "localhost,127.0.0.1"},
        {"HTTPS_PROXY": "{proxy}"},  # an http:// URL goes direct
        {"HTTP_PROXY": "{proxy}", "NO_PROXY": "*"},
    ],
)
async def test_proxies_from_the_environment_are_used_as_httpx_uses_them(environment, variables):
    """Agents behind a corporate proxy reach the vendors only through it: the program's
    clients go where a plain httpx client goes."""
    await goes_where_httpx_goes(environment, variables)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "variables",
    [
        {"HTTP_PROXY": "{proxy}"},
        {"ALL_PROXY": "{proxy}", "NO_PROXY": "localhost,127.0.0.1"},
    ],
)
async def test_an_httpx_that_moved_its_reading_of_proxies_still_uses_them(
    environment, monkeypatch, variables
):
    # The program reads the proxy settings with a function httpx does not make public. A
    # later httpx without it must still start the program and send each request where the
    # settings say; only the renewal after a sleep is lost.
    monkeypatch.delattr(httpx._utils, "get_environment_proxies")
    assert transport._httpx_reading_of_proxies() is None
    monkeypatch.setattr(transport, "get_environment_proxies", None)
    await goes_where_httpx_goes(environment, variables)


async def goes_where_httpx_goes(environment, variables: dict[str, str]) -> None:
    with HostileServer(answers) as proxy, HostileServer(answers) as origin:
        environment(**{name: value.format(proxy=proxy.url) for name, value in variables.items()})
        async with httpx.AsyncClient() as plain:
            await plain.get(f"{origin.url}{PATH}")
        httpx_went = (proxy.count(PATH), origin.count(PATH))
        async with http.make_client(origin.url) as client:
            await get(client)
        we_went = (proxy.count(PATH) - httpx_went[0], origin.count(PATH) - httpx_went[1])
    assert we_went == httpx_went


def where_it_goes(client: httpx.AsyncClient, url: str) -> tuple[str, str | None]:
    """The kind of pool a request to `url` would use and the proxy it goes through (httpx's
    own internals: this guards `transport.environment_proxies`, built on one of them)."""
    chosen = client._transport_for_url(httpx.URL(url))
    if isinstance(chosen, transport.RenewedAfterSleep):
        chosen = chosen._inner
    pool = chosen._pool
    proxy = getattr(pool, "_proxy_url", None)  # an httpcore URL
    return type(pool).__name__, None if proxy is None else repr(proxy)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "variables",
    [
        {"http_proxy": "http://p:1"},
        {"HTTP_PROXY": "p.corp:8080"},  # no scheme
        {"HTTP_PROXY": "http://u:pw@p:1"},
        {"HTTP_PROXY": "http://p:1", "HTTPS_PROXY": "https://p:2", "ALL_PROXY": "http://p:3"},
        {"HTTP_PROXY": "http://upper:1", "http_proxy": "http://lower:1"},
        {"HTTP_PROXY": "http://p:1", "NO_PROXY": "a.com, *"},
        {
            "ALL_PROXY": "http://p:3",
            "NO_PROXY": "localhost,127.0.0.1,::1,.example.com,crm.com,http://x.org",
        },
    ],
)
async def test_every_address_goes_where_a_plain_httpx_client_sends_it(environment, variables):
    environment(**variables)
    plain, ours = httpx.AsyncClient(), http.make_client("https://api.example.com")
    try:
        for url in (
            "http://example.com/a",
            "https://www.example.com/a",
            "http://crm.com",
            "https://x.crm.com",
            "http://localhost:8000",
            "http://127.0.0.1:9",
            "http://[::1]:8",
            "https://x.org",
        ):
            assert where_it_goes(ours, url) == where_it_goes(plain, url), url
        assert all(
            mounted is None or isinstance(mounted, transport.RenewedAfterSleep)
            for mounted in ours._mounts.values()
        )
    finally:
        await plain.aclose()
        await ours.aclose()


@pytest.mark.asyncio
async def test_connections_to_a_proxy_are_renewed_after_a_sleep_too(environment, monkeypatch):
    with HostileServer(answers) as proxy:
        environment(HTTP_PROXY=proxy.url)
        async with http.make_client("http://crm.example.com") as client:
            await get(client)
            slept(monkeypatch, 3600)
            await get(client)
        asked = [(seen.target, seen.connection) for seen in proxy.seen]
    assert asked == [(f"http://crm.example.com{PATH}", 1), (f"http://crm.example.com{PATH}", 2)]


@pytest.mark.asyncio
async def test_a_new_connection_that_breaks_off_is_not_asked_again():
    """Only a kept connection is presumed stale: a server that hangs up on a new one is broken,
    and asking it again at once would only hammer it."""
    with HostileServer(lambda seen: Raw(hang_up=True)) as server:
        async with http.make_client(server.url) as client:
            with pytest.raises(Unavailable) as failure:
                await get(client)
        asked = server.count(PATH)
    assert failure.value.message == "The connection to 127.0.0.1 broke off."
    assert asked == 1


@pytest.mark.asyncio
async def test_a_request_refused_before_it_left_is_not_taken_for_a_closed_connection(caplog):
    """A header value no HTTP allows is refused by the client itself, on a kept connection:
    nothing reached the server, and a try again would be refused the same way."""
    with HostileServer(answers) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            caplog.set_level(logging.DEBUG, logger="viewer.http")
            with pytest.raises(Unavailable) as failure:
                await http.fetch(
                    client, "GET", PATH, source=Source.CAPILLARY, headers={"X-Bad": "a\x00b"}
                )
    tries = [r for r in caplog.records if r.getMessage().startswith("→ GET")]
    assert failure.value.message == "The connection to 127.0.0.1 broke off."
    assert failure.value.to_json()["kind"] == "Unavailable"
    assert len(tries) == 1


@pytest.mark.asyncio
async def test_a_request_that_is_not_safe_to_repeat_is_not_asked_again():
    with HostileServer(hangs_up_on_a_kept_connection) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            with pytest.raises(Unavailable) as failure:
                await get(client, "POST", retry=False)
        asked = server.count(PATH)
    assert failure.value.message == "The connection to 127.0.0.1 broke off."
    assert asked == 2
