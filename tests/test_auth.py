"""Signing in, against the demo server: tokens fetched, renewed before expiry and on 401.

Token renewal is an httpx.Auth flow on the source's one client (issue 11, item 5): the
hostile-server tests below show that a source makes one client for its life, that requests
refused together share one renewal, and that neither a 401 nor a token reply it handles
escapes the body limits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import tracemalloc

import httpx
import pytest

from tests.conftest import CTRLHUB_MOBILE, PAGED_EMAIL, TYPICAL_MOBILE
from tests.hostile_server import HostileServer, Raw, Seen, compression_bomb, gzipped, json_reply
from viewer.demo import (
    DEMO_CAPILLARY_OAUTH_KEY,
    DEMO_CAPILLARY_OAUTH_SECRET,
    DEMO_CAPILLARY_TIMEZONE,
    DEMO_CTRLHUB_CLIENT_ID,
    DEMO_CTRLHUB_CLIENT_SECRET,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_PASSWORD,
    DEMO_CTRLHUB_USER,
    auth_api,
)
from viewer.domain import AuthFailed, BadReply, IdentifierKind, Query
from viewer.sources import auth, http
from viewer.sources.auth import ctrlhub_password_sign_in
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings

pytestmark = pytest.mark.asyncio
TYPICAL = Query(IdentifierKind.MOBILE, TYPICAL_MOBILE)
OLIVER = Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE)


def oauth_client(url: str, secret: str = DEMO_CAPILLARY_OAUTH_SECRET) -> CapillaryClient:
    return CapillaryClient(
        CapillarySettings(
            url,
            timezone=DEMO_CAPILLARY_TIMEZONE,
            auth="oauth",
            key=DEMO_CAPILLARY_OAUTH_KEY,
            secret=secret,
        )
    )


def service_client(url: str, secret: str = DEMO_CTRLHUB_CLIENT_SECRET) -> CtrlHubClient:
    return CtrlHubClient(
        CtrlHubSettings(
            url,
            DEMO_CTRLHUB_ORG,
            auth="service",
            auth_url=url,
            client_id=DEMO_CTRLHUB_CLIENT_ID,
            client_secret=secret,
        )
    )


async def test_capillary_oauth_token_is_fetched_once_and_reused(demo_server):
    client = oauth_client(demo_server.url)
    try:
        await client.lookup(TYPICAL)
        await client.lookup(TYPICAL)
    finally:
        await client.aclose()
    assert client.auth.fetches == 1


async def test_capillary_oauth_renews_before_expiry(demo_server, monkeypatch):
    # Tokens live 60 s at the demo; renewing with 59.8 s to go means "stale after 0.2 s".
    monkeypatch.setattr(auth, "RENEW_MARGIN_S", auth_api.TOKEN_TTL_S - 0.2)
    client = oauth_client(demo_server.url)
    try:
        await client.lookup(TYPICAL)
        await asyncio.sleep(0.3)
        result = await client.lookup(TYPICAL)
    finally:
        await client.aclose()
    assert result.interactions and client.auth.fetches == 2


async def test_capillary_oauth_renews_once_on_401(demo_server):
    client = oauth_client(demo_server.url)
    try:
        await client.lookup(TYPICAL)
        auth_api.expire_all()  # the server forgets every token, as after a restart
        result = await client.lookup(TYPICAL)
    finally:
        await client.aclose()
    assert result.interactions and client.auth.fetches == 2


async def test_a_wrong_oauth_secret_says_so_and_leaks_nothing(demo_server, caplog):
    caplog.set_level(logging.DEBUG)
    client = oauth_client(demo_server.url, secret="wrong-SECRET-987")
    try:
        with pytest.raises(AuthFailed, match="OAuth client key or secret"):
            await client.lookup(TYPICAL)
    finally:
        await client.aclose()
    assert "wrong-SECRET-987" not in caplog.text


async def test_ctrlhub_service_account_renews_on_401(demo_server):
    client = service_client(demo_server.url)
    try:
        await client.lookup(OLIVER)
        auth_api.expire_all()
        result = await client.lookup(OLIVER)
    finally:
        await client.aclose()
    assert result.interactions and client.auth.fetches == 2


async def test_ctrlhub_password_sign_in_gives_a_working_session(demo_server, caplog):
    caplog.set_level(logging.DEBUG)
    session = await ctrlhub_password_sign_in(
        demo_server.url, DEMO_CTRLHUB_USER, DEMO_CTRLHUB_PASSWORD
    )
    assert session.expires_at and DEMO_CTRLHUB_PASSWORD not in repr(session)
    client = CtrlHubClient(CtrlHubSettings(demo_server.url, DEMO_CTRLHUB_ORG, token=session.token))
    try:
        assert "agent@northfield-homes.example.com" in await client.test_connection()
        assert (await client.lookup(OLIVER)).interactions
    finally:
        await client.aclose()
    assert DEMO_CTRLHUB_PASSWORD not in caplog.text and session.token not in caplog.text


async def test_a_wrong_password_is_refused(demo_server):
    with pytest.raises(AuthFailed, match="e-mail and password"):
        await ctrlhub_password_sign_in(demo_server.url, DEMO_CTRLHUB_USER, "nope")


async def test_an_expired_session_asks_to_sign_in_again(demo_server):
    session = await ctrlhub_password_sign_in(
        demo_server.url, DEMO_CTRLHUB_USER, DEMO_CTRLHUB_PASSWORD
    )
    auth_api.expire_all()
    client = CtrlHubClient(CtrlHubSettings(demo_server.url, DEMO_CTRLHUB_ORG, token=session.token))
    try:
        with pytest.raises(AuthFailed) as caught:
            await client.lookup(OLIVER)
    finally:
        await client.aclose()
    assert caught.value.needs_sign_in


async def test_capillary_test_connection(demo_server):
    good, bad = oauth_client(demo_server.url), oauth_client(demo_server.url, secret="x")
    try:
        assert "Capillary answers" in await good.test_connection()
        with pytest.raises(AuthFailed):
            await bad.test_connection()
    finally:
        await good.aclose()
        await bad.aclose()


# -- one client per source; one renewal for requests refused together ------------------------


@pytest.fixture
def clients_made(monkeypatch) -> list[httpx.AsyncClient]:
    """Every httpx.AsyncClient the program constructs while the test runs."""
    made: list[httpx.AsyncClient] = []
    original = httpx.AsyncClient.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "__init__", counting)
    return made


async def test_a_source_keeps_one_http_client_for_its_life(demo_server, clients_made):
    """Token requests (first token, renewal on a 401) go out on the source's own client."""
    before = dict(auth_api.token_requests)
    capillary, ctrlhub = oauth_client(demo_server.url), service_client(demo_server.url)
    try:
        for _ in range(2):
            await capillary.lookup(TYPICAL)
            await ctrlhub.lookup(OLIVER)
            auth_api.expire_all()  # the second round is refused once and renews
        assert "Capillary answers" in await capillary.test_connection()
    finally:
        await capillary.aclose()
        await ctrlhub.aclose()
    assert len(clients_made) == 2  # one per source, nothing else
    assert all(client.is_closed for client in clients_made)
    assert auth_api.token_requests["capillary"] - before["capillary"] == 3  # first, two renewals
    assert auth_api.token_requests["ctrlhub_service"] - before["ctrlhub_service"] == 2


async def test_concurrent_lookups_refused_together_renew_once(demo_server):
    """Twelve lookups (pages fetched in parallel) after the server forgot every token."""
    amelia = Query(IdentifierKind.EMAIL, PAGED_EMAIL)
    capillary, ctrlhub = oauth_client(demo_server.url), service_client(demo_server.url)
    try:
        await capillary.lookup(TYPICAL)
        await ctrlhub.lookup(amelia)
        auth_api.expire_all()
        before = dict(auth_api.token_requests)
        results = await asyncio.gather(
            *(capillary.lookup(TYPICAL) for _ in range(6)),
            *(ctrlhub.lookup(amelia) for _ in range(6)),
        )
    finally:
        await capillary.aclose()
        await ctrlhub.aclose()
    assert all(result.interactions for result in results)
    assert auth_api.token_requests["capillary"] - before["capillary"] == 1
    assert auth_api.token_requests["ctrlhub_service"] - before["ctrlhub_service"] == 1


def token_host(replies: list[Raw] | None = None):
    """An auth host handing out tok-1, tok-2, … (or the scripted replies, in turn)."""
    issued = []

    def reply(seen: Seen) -> Raw:
        if seen.path != auth.CTRLHUB_TOKEN_PATH:
            return Raw(404, b"{}")
        issued.append(seen)
        if replies:
            return replies[min(len(issued), len(replies)) - 1]
        return json_reply({"access_token": f"tok-{len(issued)}", "expires_in": 3600})

    return reply


def bearer(seen: Seen) -> str:
    return {k.lower(): v for k, v in seen.headers.items()}.get("authorization", "")


def hostile_service_client(api_url: str, auth_url: str) -> CtrlHubClient:
    return CtrlHubClient(
        CtrlHubSettings(
            api_url,
            DEMO_CTRLHUB_ORG,
            auth="service",
            auth_url=auth_url,
            client_id="id",
            client_secret="secret-not-a-test-secret",
        )
    )


async def test_requests_refused_together_share_one_renewal_at_another_auth_host():
    """Six requests carrying tok-1 are all refused at once (the API host holds each until all
    six have arrived); the auth host, a different server, is asked for one new token."""
    together = threading.Barrier(6, timeout=10)

    def api(seen: Seen) -> Raw:
        if bearer(seen) == "Bearer tok-1":
            together.wait()
            return json_reply({"errors": [{"status": "401", "title": "token expired"}]}, status=401)
        return json_reply({"data": []}) if bearer(seen) == "Bearer tok-2" else Raw(403, b"{}")

    with HostileServer(token_host()) as auth_host, HostileServer(api) as api_host:
        client = hostile_service_client(api_host.url, auth_host.url)
        try:
            answers = await asyncio.gather(*(client.whoami() for _ in range(6)))
        finally:
            await client.aclose()
        assert auth_host.count(auth.CTRLHUB_TOKEN_PATH) == 2  # the first token, one renewal
        assert api_host.count("/v3/iam/whoami") == 12  # each refused once, then answered
    assert [a.name for a in answers] == ["an unnamed account"] * 6


async def test_a_401_carrying_a_compression_bomb_is_dropped_unread():
    """httpx reads any reply an auth flow answers with a new request, unpacked in full: a 401
    of 600 bytes that unpacks to 256 MB must not be, before the renewed request is sent."""
    bomb = compression_bomb(256, layers=2)

    def api(seen: Seen) -> Raw:
        if bearer(seen) == "Bearer tok-1":
            return Raw(401, bomb.body, bomb.headers)
        return json_reply({"data": []})

    with HostileServer(token_host()) as auth_host, HostileServer(api) as api_host:
        client = hostile_service_client(api_host.url, auth_host.url)
        tracemalloc.start()
        try:
            who = await client.whoami()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            await client.aclose()
    assert who.name == "an unnamed account"
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"


async def test_a_token_reply_is_read_within_the_body_limits():
    bomb = compression_bomb(256, layers=1)
    stacked = Raw(
        200,
        gzipped(bomb.body),
        [("Content-Type", "application/json"), ("Content-Encoding", "gzip, gzip")],
    )
    for reply, sentence in (
        (stacked, "packed in 2 layers of compression"),
        (bomb, f"larger than {http.MAX_BODY_BYTES // 1024 // 1024} MB once unpacked"),
    ):
        with HostileServer(token_host([reply])) as auth_host:
            client = hostile_service_client(auth_host.url, auth_host.url)
            try:
                with pytest.raises(BadReply, match=sentence):
                    await client.lookup(OLIVER)
            finally:
                await client.aclose()
            assert auth_host.count(auth.CTRLHUB_TOKEN_PATH) == 1
            assert auth_host.count("/v3/orgs") == 0  # nothing sent unsigned


async def test_token_renewal_refuses_a_blocking_client():
    """The flow sends token requests of its own, which only the async client can; nothing is sent."""
    url = "http://127.0.0.1:9"
    with (
        httpx.Client(auth=auth.CapillaryOAuth(url, "key", "secret")) as blocking,
        pytest.raises(TypeError, match="async client"),
    ):
        blocking.get(f"{url}/v2/customers/interaction")
