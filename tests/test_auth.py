"""Signing in, against the demo server: tokens fetched, renewed before expiry and on 401."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE
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
from viewer.domain import AuthFailed, IdentifierKind, Query
from viewer.sources import auth
from viewer.sources.auth import ctrlhub_password_sign_in
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings

pytestmark = pytest.mark.asyncio
TYPICAL = Query(IdentifierKind.MOBILE, TYPICAL_MOBILE)
OLIVER = Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE)


def oauth_client(url: str, secret: str = DEMO_CAPILLARY_OAUTH_SECRET) -> CapillaryClient:
    return CapillaryClient(CapillarySettings(url, timezone=DEMO_CAPILLARY_TIMEZONE, auth="oauth",
                                             key=DEMO_CAPILLARY_OAUTH_KEY, secret=secret))


def service_client(url: str, secret: str = DEMO_CTRLHUB_CLIENT_SECRET) -> CtrlHubClient:
    return CtrlHubClient(CtrlHubSettings(url, DEMO_CTRLHUB_ORG, auth="service", auth_url=url,
                                         client_id=DEMO_CTRLHUB_CLIENT_ID, client_secret=secret))


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
    session = await ctrlhub_password_sign_in(demo_server.url, DEMO_CTRLHUB_USER, DEMO_CTRLHUB_PASSWORD)
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
    session = await ctrlhub_password_sign_in(demo_server.url, DEMO_CTRLHUB_USER, DEMO_CTRLHUB_PASSWORD)
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
