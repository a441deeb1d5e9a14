"""Kept-alive connections (viewer/sources/http.py): an idle connection is kept for the next
request well past httpx's 5 s, so an agent's next lookup or the detail they open skips a TCP
and a TLS handshake; and a request on a kept connection that the server closed just as it
was sent is asked again at once on a new one, where asking again is safe."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.hostile_server import HostileServer, Raw, Seen, json_reply
from viewer.domain import Source, Unavailable
from viewer.sources import http

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
