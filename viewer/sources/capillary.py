"""Capillary: a customer's marketing messages by channel, and the customer card.

Endpoint paths and header names are constants here (API-NOTES.md); parsing lives in
capillary_parse.py as pure functions, HTTP in http.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from viewer.domain import (
    AuthFailed,
    BadInput,
    Customer,
    IdentifierKind,
    NotConfigured,
    Query,
    Source,
    SourceResult,
    Unavailable,
    ViewerError,
)
from viewer.redaction import register
from viewer.sources import http
from viewer.sources.auth import CapillaryOAuth, FixedHeader
from viewer.sources.capillary_parse import (
    SAVED_FORMAT,
    error_from_items,
    from_saved,
    parse_customer_details,
    parse_flat_body,
    parse_interaction_reply,
)
from viewer.sources.coerce import as_dict, as_list

log = logging.getLogger("viewer.capillary")
SOURCE = Source.CAPILLARY

INTERACTION_PATH = "/v2/customers/interaction"
CUSTOMER_DETAILS_PATH = "/v2/customers/lookup/customerDetails"
NETWORK = "capillary"
# identifierName per endpoint: the details endpoint spells external id in camelCase.
INTERACTION_IDENTIFIERS = {
    IdentifierKind.MOBILE: "mobile",
    IdentifierKind.EMAIL: "email",
    IdentifierKind.EXTERNAL_ID: "external_id",
}
DETAILS_IDENTIFIERS = {
    IdentifierKind.MOBILE: "mobile",
    IdentifierKind.EMAIL: "email",
    IdentifierKind.EXTERNAL_ID: "externalId",
}
# Statuses with a sentence of their own (API-NOTES.md "Errors").
BUSY_STATUSES = {
    429: "Capillary is limiting requests right now; try again in a moment.",
    461: "Capillary's search is busy right now; try again in a moment.",
    521: "Capillary is busy with another action for this customer; try again shortly.",
}
CLUSTERS = (
    "eu.api.capillarytech.com",
    "apac.api.capillarytech.com",
    "apac2.api.capillarytech.com",
    "us.api.capillarytech.com",
    "north-america.api.capillarytech.com",
    "ushc.api.capillarytech.com",
    "sea.api.capillarytech.com",
    "api.capillarytech.cn.com",
)


def basic_auth_value(username: str, password: str) -> str:
    """Capillary's Basic auth: the password is MD5-hashed (hex) before base64.

    The digest stands for the password (it is all the server checks), so it, the base64 and
    the password are registered for redaction: a server's error text that quotes our
    Authorization header back reaches no log, error bar or --json output."""
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    token = base64.b64encode(f"{username}:{digest}".encode()).decode("ascii")
    for secret in (password, digest, digest.upper(), token):
        register(secret)
    return f"Basic {token}"


def tenant_zone(name: str | None) -> ZoneInfo:
    """The zone Capillary's naive times are in; a wrong name is a setup error."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise NotConfigured(
            f"“{name}” is not a time zone name (use e.g. Asia/Kolkata or UTC).", source=SOURCE
        ) from None


@dataclass(frozen=True)
class CapillarySettings:
    base_url: str
    username: str = ""  # Basic auth
    password: str = ""
    timezone: str = "UTC"
    auth: str = "basic"  # "basic" or "oauth"
    key: str = ""  # OAuth client key
    secret: str = ""  # OAuth client secret

    connect_timeout: float = http.CONNECT_TIMEOUT_S
    read_timeout: float = http.READ_TIMEOUT_S

    def __repr__(self) -> str:  # never print a secret, even in a traceback
        who = self.username if self.auth == "basic" else self.key
        return f"CapillarySettings(base_url={self.base_url!r}, auth={self.auth!r}, who={who!r})"

    def make_auth(self) -> httpx.Auth:
        if self.auth == "oauth":
            register(self.secret)
            return CapillaryOAuth(self.base_url, self.key, self.secret)
        return FixedHeader("Authorization", basic_auth_value(self.username, self.password))


class CapillaryClient:
    source = SOURCE

    def __init__(self, settings: CapillarySettings):
        self.settings = settings
        self.zone = tenant_zone(settings.timezone)
        if not settings.base_url.startswith(("https://", "http://")):
            raise NotConfigured(
                f"“{settings.base_url}” is not a web address (https://…).", source=SOURCE
            )
        self.auth = settings.make_auth()
        # The one client of this source for its life; token requests go out on it too.
        self._http = http.make_client(
            settings.base_url.rstrip("/"),
            auth=self.auth,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )

    def supports(self, kind: IdentifierKind) -> bool:
        return kind in INTERACTION_IDENTIFIERS

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, params: dict[str, str] | list[tuple[str, str]]) -> http.Reply:
        """One GET with the current credentials, renewed once on a 401 (OAuth: the auth flow)."""
        return await http.fetch(self._http, "GET", path, source=SOURCE, params=params)

    async def test_connection(self) -> str:
        """Sign in and ask for a customer nobody has: "not found" proves the API answers us."""
        probe = Query(IdentifierKind.MOBILE, "000000000")
        try:
            await self._interactions(probe, [])
        except ViewerError as exc:
            if exc.exit_code != 3:  # anything but "not found" is a real problem
                raise
        who = (
            self.settings.username
            if self.settings.auth == "basic"
            else f"OAuth key {self.settings.key}"
        )
        return f"Capillary answers at {self.settings.base_url} for {who}."

    async def lookup(self, query: Query, channels: Iterable[str] = ()) -> SourceResult:
        """The customer's messages; the card is filled from customerDetails when allowed."""
        if not self.supports(query.kind):
            raise BadInput(f"Capillary cannot look up by {query.kind.label}.", source=SOURCE)
        channels = sorted(set(channels))
        details = asyncio.ensure_future(self._customer_details(query))
        try:
            result, body = await self._interactions(query, channels)
        except BaseException:
            details.cancel()
            with contextlib.suppress(BaseException):
                await details
            raise
        card, details_doc = await details
        if card is not None:
            result = replace(result, customer=result.customer.merged_with(card))
        # Saved only for a whole answer: a channel-filtered reply is not the customer.
        # The reply's own bytes are kept for the offline store: re-serialising 23 MB of JSON
        # would hold the GIL (and freeze the window) for a third of a second.
        raw = (
            {}
            if channels
            else {"format": SAVED_FORMAT, "interaction": body, "details": details_doc}
        )
        return replace(result, raw=raw)

    def from_saved(self, raw: dict[str, Any], query: Query) -> SourceResult:
        return from_saved(raw, query, self.zone)

    async def _interactions(self, query: Query, channels: list[str]) -> tuple[SourceResult, object]:
        params = [
            ("identifierName", INTERACTION_IDENTIFIERS[query.kind]),
            ("identifierValue", query.value),
            ("network", NETWORK),
        ]
        # `type` is documented as a single value: send it for one channel, filter here for more.
        if len(channels) == 1:
            params.append(("type", channels[0]))
        reply = await self._get(INTERACTION_PATH, params)
        large = len(reply.body) > http.PARSE_OFF_LOOP_BYTES  # read on a worker thread
        result = None
        if reply.status == 200:  # the usual answer, read straight from its bytes
            body = http.data_body(reply, SOURCE)
            if large:
                result = await asyncio.to_thread(parse_flat_body, body, query, self.zone)
            else:
                result = parse_flat_body(body, query, self.zone)
        if result is None:  # anything else: decoded, then read the general way
            doc = await self._checked_json(reply)
            if large:
                result = await asyncio.to_thread(parse_interaction_reply, doc, query, self.zone)
            else:
                result = parse_interaction_reply(doc, query, self.zone)
        if len(channels) > 1:
            result = _only_channels(result, channels)
        return result, reply.body

    async def _customer_details(self, query: Query) -> tuple[Customer | None, object]:
        """The card's name and loyalty; the account may lack permission, so never fatal."""
        params = {
            "source": "ALL",
            "identifierName": DETAILS_IDENTIFIERS[query.kind],
            "identifierValue": query.value,
        }
        try:
            reply = await self._get(CUSTOMER_DETAILS_PATH, params)
            if reply.status != 200:
                return None, None
            doc = await http.decode_json(reply, SOURCE)
            return parse_customer_details(doc), doc
        except ViewerError as exc:
            log.info("customer details unavailable: %s", exc.detail or exc.message)
            return None, None

    async def _checked_json(self, reply: http.Reply) -> object:
        """The reply's JSON, or the typed error its status means."""
        if reply.status == 401:
            what = "username or password" if self.settings.auth == "basic" else "sign-in token"
            raise AuthFailed(
                f"Capillary refused the {what}.", source=SOURCE, detail=reply.describe()
            )
        if reply.status == 403:
            raise AuthFailed(
                "This Capillary account may not use the customer interaction API (HTTP 403).",
                source=SOURCE,
                detail=reply.describe(),
            )
        if reply.status in BUSY_STATUSES:
            raise Unavailable(BUSY_STATUSES[reply.status], source=SOURCE, detail=reply.describe())
        if reply.status >= 500:
            raise http.server_failure(reply, SOURCE)
        if reply.status == 404:
            raise Unavailable(
                "Capillary has no customer interaction API at this address; check the server URL.",
                source=SOURCE,
                detail=reply.describe(),
            )
        doc = await http.decode_json(reply, SOURCE)
        if reply.status >= 400:
            # Not-found and friends arrive as 4xx with an errors[] body.
            raise _quoting_server(
                error_from_items(
                    as_list(as_dict(doc).get("errors")), fallback=f"HTTP {reply.status}"
                )
            )
        return doc


def _quoting_server(error: ViewerError) -> ViewerError:
    """An error whose sentence quotes the server's own text: masked and bounded before it is
    printed, put in --json errors, shown or logged (a 400 once quoted our Basic header)."""
    error.message = http.server_text(error.message)
    error.detail = http.server_text(error.detail)
    error.args = (error.message,)
    return error


def _only_channels(result: SourceResult, channels: list[str]) -> SourceResult:
    wanted = set(channels)
    return replace(
        result,
        interactions=[i for i in result.interactions if i.channel in wanted],
        counts={c: n for c, n in result.counts.items() if c in wanted},
    )
