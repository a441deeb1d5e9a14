"""How each source proves who we are: fixed headers, or tokens renewed without the agent noticing.

A source asks its `Auth` for headers before every request and, on a 401, asks it once to
`renew()`: a token-based auth fetches a new token and the request is retried once; a
fixed header (Basic auth, a pasted session token) cannot renew, and the 401 stands.
Token requests go through http.fetch like everything else, so nothing here is logged
with its secret.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

import httpx

from viewer.domain import AuthFailed, BadReply, Source, Unavailable
from viewer.redaction import register
from viewer.sources import http
from viewer.sources.coerce import as_dict, as_int, as_str, parse_time

CAPILLARY_TOKEN_PATH = "/v3/oauth/token/generate"
CAPILLARY_TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"
CTRLHUB_LOGIN_FLOW_PATH = "/self-service/login/api"
CTRLHUB_LOGIN_PATH = "/self-service/login"
CTRLHUB_TOKEN_PATH = "/oauth2/token"
# Renew when this little of a token's life is left, so a request never carries a token
# that expires on its way (Capillary's live only minutes).
RENEW_MARGIN_S = 30.0
DEFAULT_TTL_S = 300.0
# Overall bounds (retries and slow replies included): a server that drips a byte at a time
# never trips the read timeout, and a sign-in must end with a sentence, not hang.
TOKEN_DEADLINE_S = 30.0
SIGN_IN_DEADLINE_S = 45.0


class Auth(Protocol):
    async def headers(self) -> dict[str, str]: ...

    async def renew(self, refused: dict[str, str]) -> bool:
        """Fresh credentials after `refused` headers met a 401; False when nothing can renew."""
        ...

    async def aclose(self) -> None: ...


class FixedHeader:
    """Basic auth or a pasted session token: the same header on every request."""

    def __init__(self, name: str, value: str):
        self._header = {name: value}

    async def headers(self) -> dict[str, str]:
        return dict(self._header)

    async def renew(self, refused: dict[str, str]) -> bool:
        return False

    async def aclose(self) -> None:
        return None


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() < self.expires_at - RENEW_MARGIN_S


class _RenewingToken:
    """A bearer-like token fetched on demand, renewed before expiry; one fetch at a time."""

    header_name = ""

    def __init__(self, client: httpx.AsyncClient, source: Source):
        self._client = client
        self._source = source
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many tokens were fetched (for tests and diagnostics)

    async def headers(self) -> dict[str, str]:
        async with self._lock:
            if self._token is None or not self._token.fresh():
                self._token = await self._fetch_in_time()
                register(self._token.value)
                self.fetches += 1
            return {self.header_name: self._format(self._token.value)}

    async def renew(self, refused: dict[str, str]) -> bool:
        async with self._lock:
            current = self._format(self._token.value) if self._token else None
            # Requests that failed together renew once: the first renews, the rest reuse it.
            if current is None or refused.get(self.header_name) == current:
                self._token = await self._fetch_in_time()
                register(self._token.value)
                self.fetches += 1
        return True

    async def aclose(self) -> None:
        await self._client.aclose()

    def _format(self, token: str) -> str:
        return token

    async def _fetch_in_time(self) -> _Token:
        limit = TOKEN_DEADLINE_S
        try:
            async with asyncio.timeout(limit):
                return await self._fetch()
        except TimeoutError:
            host = self._client.base_url.host or "the server"
            raise Unavailable(f"{host} did not hand out a sign-in token within {limit:.0f} s.",
                              source=self._source, detail="deadline for a token request") from None

    async def _fetch(self) -> _Token:
        raise NotImplementedError


class CapillaryOAuth(_RenewingToken):
    """POST {host}/v3/oauth/token/generate {key, secret} → data.accessToken, ttlSeconds."""

    header_name = CAPILLARY_TOKEN_HEADER

    def __init__(self, base_url: str, key: str, secret: str):
        super().__init__(http.make_client(base_url.rstrip("/")), Source.CAPILLARY)
        self._key, self._secret = key, secret

    async def _fetch(self) -> _Token:
        reply = await http.fetch(self._client, "POST", CAPILLARY_TOKEN_PATH, source=self._source,
                                 json_body={"key": self._key, "secret": self._secret}, retry=True)
        if reply.status in (400, 401, 403):
            raise AuthFailed("Capillary refused the OAuth client key or secret.", source=self._source,
                             detail=reply.describe())
        if reply.status != 200:
            raise http.server_failure(reply, self._source, "getting a sign-in token")
        data = as_dict(as_dict(await http.decode_json(reply, self._source)).get("data"))
        token = as_str(data.get("accessToken"))
        if not token:
            raise BadReply("Capillary's token reply holds no token.", source=self._source, detail=reply.describe())
        ttl = as_int(data.get("ttlSeconds")) or DEFAULT_TTL_S
        return _Token(token, time.monotonic() + ttl)


class CtrlHubServiceAccount(_RenewingToken):
    """POST {auth}/oauth2/token grant_type=client_credentials → access_token as Bearer."""

    header_name = "Authorization"

    def __init__(self, auth_url: str, client_id: str, client_secret: str):
        super().__init__(http.make_client(auth_url.rstrip("/")), Source.CTRLHUB)
        self._id, self._secret = client_id, client_secret

    def _format(self, token: str) -> str:
        return f"Bearer {token}"

    async def _fetch(self) -> _Token:
        form = {"grant_type": "client_credentials", "client_id": self._id, "client_secret": self._secret}
        reply = await http.fetch(self._client, "POST", CTRLHUB_TOKEN_PATH, source=self._source, data=form,
                                 retry=True)
        if reply.status in (400, 401, 403):
            raise AuthFailed("Ctrl-Hub refused the service account's client id or secret.",
                             source=self._source, detail=reply.describe())
        if reply.status != 200:
            raise http.server_failure(reply, self._source, "getting a service-account token")
        data = as_dict(await http.decode_json(reply, self._source))
        token = as_str(data.get("access_token"))
        if not token:
            raise BadReply("Ctrl-Hub's token reply holds no token.", source=self._source, detail=reply.describe())
        ttl = as_int(data.get("expires_in")) or DEFAULT_TTL_S
        return _Token(token, time.monotonic() + ttl)


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: str  # ISO 8601 as the server said, for "signed in until …"

    def __repr__(self) -> str:
        return f"Session(expires_at={self.expires_at!r})"


async def ctrlhub_password_sign_in(auth_url: str, email: str, password: str,
                                   deadline_s: float | None = None) -> Session:
    """The login flow of API-NOTES.md; the password is used once and never kept. Ends within
    `deadline_s` (SIGN_IN_DEADLINE_S) whatever the server does."""
    register(password)
    limit = deadline_s or SIGN_IN_DEADLINE_S
    try:
        with http.limits(limit):
            async with asyncio.timeout(limit):
                return await _password_sign_in(auth_url, email, password)
    except TimeoutError:
        raise Unavailable(f"Ctrl-Hub's sign-in did not answer within {limit:.0f} s.", source=Source.CTRLHUB,
                          detail=f"deadline for signing in · {http.redact_url(auth_url)}") from None


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
            client, "POST", CTRLHUB_LOGIN_PATH, source=source, params={"flow": flow_id},
            json_body={"identifier": email, "password": password, "method": "password"},
        )
    if reply.status in (400, 401, 403):
        raise AuthFailed("Ctrl-Hub did not accept that e-mail and password.", source=source,
                         detail=f"HTTP {reply.status}")
    if reply.status != 200:
        raise http.server_failure(reply, source, "signing in")
    data = as_dict(await http.decode_json(reply, source))
    token = as_str(data.get("session_token"))
    register(token)
    if not token:
        raise BadReply("Ctrl-Hub's sign-in reply holds no session token.", source=source)
    expires = as_dict(data.get("session")).get("expires_at")
    return Session(token, as_str(expires) if parse_time(expires) else "")


async def with_renewal(auth: Auth, send):
    """Run `send(headers)`; on a 401 reply renew once and send again."""
    headers = await auth.headers()
    reply = await send(headers)
    if reply.status == 401:
        try:
            renewed = await auth.renew(headers)
        except Unavailable:
            return reply
        if renewed:
            reply = await send(await auth.headers())
    return reply
