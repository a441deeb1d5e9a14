"""Kept-alive connections (viewer/sources/http.py): an idle connection is kept for the next
request well past httpx's 5 s, so an agent's next lookup or the detail they open skips a TCP
and a TLS handshake; and a request on a kept connection that the server closed just as it
was sent is asked again at once on a new one, where asking again is safe."""

from __future__ import annotations

import asyncio
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


@pytest.mark.asyncio
async def test_a_kept_connection_the_server_closed_is_replaced_at_once():
    with HostileServer(hangs_up_on_a_kept_connection) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            started = time.monotonic()
            reply = await get(client)
            took = time.monotonic() - started
        asked = [(seen.connection, seen.turn) for seen in server.seen]
    assert reply.status == 200
    assert asked == [(1, 1), (1, 2), (2, 1)]  # asked again on a new connection
    assert took < 0.2, f"waited {took:.2f} s: a backoff, not at once"


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
async def test_a_request_that_is_not_safe_to_repeat_is_not_asked_again():
    with HostileServer(hangs_up_on_a_kept_connection) as server:
        async with http.make_client(server.url) as client:
            await get(client)
            with pytest.raises(Unavailable) as failure:
                await get(client, "POST", retry=False)
        asked = server.count(PATH)
    assert failure.value.message == "The connection to 127.0.0.1 broke off."
    assert asked == 2
