"""How each source proves who we are: an `httpx.Auth` flow on the source's one client.

A fixed header (Basic auth, a pasted session token) goes on every request and a 401
stands. A token (Capillary OAuth, a Ctrl-Hub service account) is fetched when missing or
about to expire; on a 401 it is renewed once and the request sent again. Requests that
fail together share one renewal.

The token request is not yielded to httpx the way a Digest challenge is, for two reasons:
httpx reads every reply it hands back to a flow with `aread()` (whole, unpacked however the
server says), and a deadline (asyncio.timeout) cannot span a yield. So the flow sends it
itself through http.fetch on the same client, unsigned: retries, TOKEN_DEADLINE_S, the
body limit, bounded unpacking, the lookup's byte budget and redacted logging all apply as
to any request, and nothing here is logged with its secret.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass
from typing import Any

import httpx

from viewer.domain import AuthFailed, BadReply, Source, Unavailable
from viewer.redaction import register
from viewer.sources import http
from viewer.sources.coerce import as_dict, as_int, as_str, parse_time

log = logging.getLogger("viewer.auth")

CAPILLARY_TOKEN_PATH = "/v3/oauth/token/generate"
CAPILLARY_TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"
CTRLHUB_LOGIN_FLOW_PATH = "/self-service/login/api"
CTRLHUB_LOGIN_PATH = "/self-service/login"
CTRLHUB_TOKEN_PATH = "/oauth2/token"
CTRLHUB_LOGOUT_PATH = "/self-service/logout/api"  # Ory Kratos: DELETE, {"session_token"} → 204
# Renew when this little of a token's life is left, so a request never carries a token
# that expires on its way (Capillary's live only minutes).
RENEW_MARGIN_S = 30.0
DEFAULT_TTL_S = 300.0
# Overall bounds (retries and slow replies included): a server that drips a byte at a time
# never trips the read timeout, and a sign-in must end with a sentence, not hang.
TOKEN_DEADLINE_S = 30.0
SIGN_IN_DEADLINE_S = 45.0


class FixedHeader(httpx.Auth):
    """Basic auth or a pasted session token: the same header on every request."""

    def __init__(self, name: str, value: str):
        self._name, self._value = name, value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._name] = self._value
        yield request


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() < self.expires_at - RENEW_MARGIN_S


class _RenewingToken(http.ClientAuth):
    """A bearer-like token fetched on demand, renewed before expiry and once on a 401; one
    fetch at a time. Token requests go out on the client this auth is attached to."""

    header_name = ""
    source: Source

    def __init__(self, token_url: str):
        self._token_url = token_url
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many tokens were fetched (for tests and diagnostics)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise TypeError("A renewing token sends requests of its own: use it on an async client.")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._current()
        request.headers[self.header_name] = self._format(token)
        response = yield request
        if response.status_code != 401:
            return
        try:
            token = await self._renewed(refused=token)
        except Unavailable:
            return  # no new token to offer: the 401 stands, and is read and reported as such
        log.debug("← 401 %s: sending again with a renewed token", http.redact_url(request.url))
        await http.drop_body(response)
        request.headers[self.header_name] = self._format(token)
        yield request

    async def _current(self) -> str:
        async with self._lock:
            token = self._token
            if token is None or not token.fresh():
                token = await self._replace()
            return token.value

    async def _renewed(self, refused: str) -> str:
        async with self._lock:
            # Requests that failed together renew once: the first renews, the rest reuse it.
            token = self._token
            if token is None or token.value == refused:
                token = await self._replace()
            return token.value

    async def _replace(self) -> _Token:
        token = await self._fetch_in_time()
        register(token.value)
        self._token = token
        self.fetches += 1
        return token

    def _format(self, token: str) -> str:
        return token

    async def _fetch_in_time(self) -> _Token:
        limit = TOKEN_DEADLINE_S
        try:
            async with asyncio.timeout(limit):
                return await self._fetch()
        except TimeoutError:
            host = httpx.URL(self._token_url).host or "the server"
            raise Unavailable(
                f"{host} did not hand out a sign-in token within {limit:.0f} s.",
                source=self.source,
                detail="deadline for a token request",
            ) from None
        except Unavailable as exc:
            exc.retryable = (
                False  # it had its own retries: the request it signs must not repeat them
            )
            raise

    async def _post(self, **body: Any) -> http.Reply:
        if self.client is None:
            raise RuntimeError("attach the auth to its client with http.make_client(auth=...)")
        return await http.fetch(
            self.client,
            "POST",
            self._token_url,
            source=self.source,
            retry=True,
            signed=False,
            **body,
        )

    async def _fetch(self) -> _Token:
        raise NotImplementedError


class CapillaryOAuth(_RenewingToken):
    """POST {host}/v3/oauth/token/generate {key, secret} → data.accessToken, ttlSeconds."""

    header_name = CAPILLARY_TOKEN_HEADER
    source = Source.CAPILLARY

    def __init__(self, base_url: str, key: str, secret: str):
        super().__init__(base_url.rstrip("/") + CAPILLARY_TOKEN_PATH)
        self._key, self._secret = key, secret

    async def _fetch(self) -> _Token:
        reply = await self._post(json_body={"key": self._key, "secret": self._secret})
        if reply.status in (400, 401, 403):
            raise AuthFailed(
                "Capillary refused the OAuth client key or secret.",
                source=self.source,
                detail=reply.describe(),
            )
        if reply.status != 200:
            raise http.server_failure(reply, self.source, "getting a sign-in token")
        data = as_dict(as_dict(await http.decode_json(reply, self.source)).get("data"))
        token = as_str(data.get("accessToken"))
        if not token:
            raise BadReply(
                "Capillary's token reply holds no token.",
                source=self.source,
                detail=reply.describe(),
            )
        ttl = as_int(data.get("ttlSeconds")) or DEFAULT_TTL_S
        return _Token(token, time.monotonic() + ttl)


class CtrlHubServiceAccount(_RenewingToken):
    """POST {auth}/oauth2/token grant_type=client_credentials → access_token as Bearer. The
    auth host differs from the API host: the token request carries the whole URL."""

    header_name = "Authorization"
    source = Source.CTRLHUB

    def __init__(self, auth_url: str, client_id: str, client_secret: str):
        super().__init__(auth_url.rstrip("/") + CTRLHUB_TOKEN_PATH)
        self._id, self._secret = client_id, client_secret

    def _format(self, token: str) -> str:
        return f"Bearer {token}"

    async def _fetch(self) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._id,
            "client_secret": self._secret,
        }
        reply = await self._post(data=form)
        if reply.status in (400, 401, 403):
            raise AuthFailed(
                "Ctrl-Hub refused the service account's client id or secret.",
                source=self.source,
                detail=reply.describe(),
            )
        if reply.status != 200:
            raise http.server_failure(reply, self.source, "getting a service-account token")
        data = as_dict(await http.decode_json(reply, self.source))
        token = as_str(data.get("access_token"))
        if not token:
            raise BadReply(
                "Ctrl-Hub's token reply holds no token.",
                source=self.source,
                detail=reply.describe(),
            )
        ttl = as_int(data.get("expires_in")) or DEFAULT_TTL_S
        return _Token(token, time.monotonic() + ttl)


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: str  # ISO 8601 as the server said, for "signed in until …"

    def __repr__(self) -> str:
        return f"Session(expires_at={self.expires_at!r})"


async def ctrlhub_password_sign_in(
    auth_url: str, email: str, password: str, deadline_s: float | None = None
) -> Session:
    """The login flow of API-NOTES.md; the password is used once and never kept. Ends within
    the profile's `deadline_s`, and never later than SIGN_IN_DEADLINE_S, whatever the server does."""
    register(password)
    limit = min(deadline_s or SIGN_IN_DEADLINE_S, SIGN_IN_DEADLINE_S)
    try:
        with http.limits(limit):
            async with asyncio.timeout(limit):
                return await _password_sign_in(auth_url, email, password)
    except TimeoutError:
        raise Unavailable(
            f"Ctrl-Hub's sign-in did not answer within {limit:.0f} s.",
            source=Source.CTRLHUB,
            detail=f"deadline for signing in · {http.redact_url(auth_url)}",
        ) from None


async def _password_sign_in(auth_url: str, email: str, password: str) -> Session:
    source = Source.CTRLHUB
    async with http.make_client(auth_url.rstrip("/")) as client:
        flow = await http.fetch(client, "GET", CTRLHUB_LOGIN_FLOW_PATH, source=source)
        if flow.status != 200:
            raise http.server_failure(flow, source, "starting the sign-in")
        flow_id = as_str(as_dict(await http.decode_json(flow, source)).get("id"))
        if not flow_id:
            raise BadReply("Ctrl-Hub's sign-in did not start (no flow id).", source=source)
        reply = await http.fetch(
            client,
            "POST",
            CTRLHUB_LOGIN_PATH,
            source=source,
            params={"flow": flow_id},
            json_body={"identifier": email, "password": password, "method": "password"},
        )
    if reply.status in (400, 401, 403):
        raise AuthFailed(
            "Ctrl-Hub did not accept that e-mail and password.",
            source=source,
            detail=f"HTTP {reply.status}",
        )
    if reply.status != 200:
        raise http.server_failure(reply, source, "signing in")
    data = as_dict(await http.decode_json(reply, source))
    token = as_str(data.get("session_token"))
    register(token)
    if not token:
        raise BadReply("Ctrl-Hub's sign-in reply holds no session token.", source=source)
    expires = as_dict(data.get("session")).get("expires_at")
    return Session(token, as_str(expires) if parse_time(expires) else "")


async def ctrlhub_sign_out(auth_url: str, token: str, deadline_s: float | None = None) -> None:
    """End a Ctrl-Hub session at the server (API-NOTES.md: 204). A session the server no
    longer knows (401, 403, 404, 410) is as good as ended; anything else raises, so the
    caller can say the session may still be valid."""
    register(token)
    source = Source.CTRLHUB
    limit = min(deadline_s or SIGN_IN_DEADLINE_S, SIGN_IN_DEADLINE_S)
    try:
        with http.limits(limit):
            async with asyncio.timeout(limit):
                async with http.make_client(auth_url.rstrip("/")) as client:
                    reply = await http.fetch(
                        client,
                        "DELETE",
                        CTRLHUB_LOGOUT_PATH,
                        source=source,
                        json_body={"session_token": token},
                    )
    except TimeoutError:
        raise Unavailable(
            f"Ctrl-Hub's sign-in service did not answer within {limit:.0f} s.",
            source=source,
            detail=f"deadline for signing out · {http.redact_url(auth_url)}",
        ) from None
    if reply.status in (200, 204, 401, 403, 404, 410):
        return
    raise http.server_failure(reply, source, "signing out")
