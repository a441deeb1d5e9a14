"""Ctrl-Hub: a customer's service interactions, and any one of them in full.

The API documents no customer search. We find the customer's contacts by e-mail or
telephone, then list each contact's interactions; these filter keys are UNCONFIRMED
(API-NOTES.md), so they are named constants here and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote

from viewer.domain import (
    AuthFailed,
    BadInput,
    BadReply,
    Customer,
    IdentifierKind,
    Interaction,
    InteractionDetail,
    NotConfigured,
    NotFound,
    Query,
    Source,
    SourceResult,
    Unavailable,
    ViewerError,
)
from viewer.identifiers import normalise_uuid
from viewer.sources import ctrlhub_parse, http, jsonapi
from viewer.sources.auth import Auth, CtrlHubServiceAccount, FixedHeader, with_renewal
from viewer.sources.coerce import as_str

log = logging.getLogger("viewer.ctrlhub")
SOURCE = Source.CTRLHUB

DEFAULT_URL = "https://api.ctrl-hub.com"
STAGING_URL = "https://api.ctrl-hub.dev"
DEFAULT_AUTH_URL = "https://auth.ctrl-hub.com"
STAGING_AUTH_URL = "https://auth.ctrl-hub.dev"
WHOAMI_PATH = "/v3/whoami"
SESSION_HEADER = "X-Session-Token"
INTERACTIONS_PATH = "/v3/orgs/{org}/customers/interactions"
INTERACTION_PATH = "/v3/orgs/{org}/customers/interactions/{id}"
CONTACTS_PATH = "/v3/orgs/{org}/customers/contacts"
DETAIL_INCLUDE = "account,author,contact,organisation,property,representative"
LIST_INCLUDE = "contact,account,property,representative,author"
LIST_SORT = "-date_time"
# UNCONFIRMED filter keys (API-NOTES.md): how a customer's contacts and interactions are found.
CONTACT_FILTER_BY_KIND = {IdentifierKind.EMAIL: "filter[email]", IdentifierKind.MOBILE: "filter[telephone]"}
INTERACTION_FILTER_BY_CONTACT = "filter[contact]"
PAGE_SIZE = 100
MAX_ROWS = 2000  # per lookup; past this the agent is told more exist
MAX_CONTACTS = 5  # contacts sharing one e-mail or number (family members, landlords)
PARALLEL_PAGES = 4


@dataclass(frozen=True)
class CtrlHubSettings:
    base_url: str
    org: str
    token: str = ""  # a session token (pasted, or from a password sign-in)
    auth: str = "token"  # "token" (also after a password sign-in) or "service"
    auth_url: str = DEFAULT_AUTH_URL
    client_id: str = ""  # service account
    client_secret: str = ""

    connect_timeout: float = http.CONNECT_TIMEOUT_S
    read_timeout: float = http.READ_TIMEOUT_S

    def __repr__(self) -> str:  # never print a secret, even in a traceback
        return f"CtrlHubSettings(base_url={self.base_url!r}, org={self.org!r}, auth={self.auth!r})"

    def make_auth(self) -> Auth:
        if self.auth == "service":
            return CtrlHubServiceAccount(self.auth_url, self.client_id, self.client_secret)
        return FixedHeader(SESSION_HEADER, self.token)


class CtrlHubClient:
    source = SOURCE

    def __init__(self, settings: CtrlHubSettings):
        try:
            self.org = normalise_uuid(settings.org, "Ctrl-Hub organisation id")
        except BadInput as exc:
            raise NotConfigured(exc.message, source=SOURCE) from None
        if not settings.base_url.startswith(("https://", "http://")):
            raise NotConfigured(f"“{settings.base_url}” is not a web address (https://…).", source=SOURCE)
        self.settings = settings
        self.auth = settings.make_auth()
        self._http = http.make_client(settings.base_url.rstrip("/"), headers={"Accept": "application/vnd.api+json"},
                                      connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout)

    def supports(self, kind: IdentifierKind) -> bool:
        return kind in CONTACT_FILTER_BY_KIND or kind is IdentifierKind.INTERACTION_ID

    async def aclose(self) -> None:
        await self.auth.aclose()
        await self._http.aclose()

    async def whoami(self) -> str:
        """Whom the credentials belong to: the "test connection" answer."""
        user = jsonapi.read(await self._get(WHOAMI_PATH, {}))
        if not user.resources:
            return "an unnamed account"
        person = ctrlhub_parse.person_name(user.resources[0])
        email = as_str(user.resources[0].attributes.get("email"))
        return f"{person} <{email}>" if email and person != email else person or email

    async def test_connection(self) -> str:
        who = await self.whoami()
        await self._get(CONTACTS_PATH.format(org=self.org), {"limit": 1})  # may we see this org?
        return f"Ctrl-Hub answers at {self.settings.base_url}, signed in as {who}."

    # -- the two questions ----------------------------------------------------------------
    async def lookup(self, query: Query, channels: Iterable[str] = ()) -> SourceResult:
        if query.kind is IdentifierKind.INTERACTION_ID:
            return await self._lookup_by_interaction(query.value, channels)
        if query.kind not in CONTACT_FILTER_BY_KIND:
            raise BadInput(f"Ctrl-Hub cannot look up by {query.kind.label}.", source=SOURCE)
        contacts, contacts_doc = await self._contacts(query)
        if not contacts:
            raise NotFound(f"Ctrl-Hub has no contact with that {query.kind.label.lower()}.", source=SOURCE)
        customer = ctrlhub_parse.customer_from_contacts(contacts)
        rows, warnings, pages = await self._interactions_of([c.id for c in contacts[:MAX_CONTACTS]])
        if len(contacts) > MAX_CONTACTS:
            warnings.append(f"Ctrl-Hub: {len(contacts)} contacts match; showing the first {MAX_CONTACTS}.")
        raw = {"format": ctrlhub_parse.SAVED_FORMAT, "contacts": contacts_doc, "pages": pages, "opened": None}
        return _result(customer, rows, channels, warnings, raw=raw)

    def from_saved(self, raw: dict, query: Query) -> SourceResult:
        return ctrlhub_parse.from_saved(raw)

    async def interaction_detail(self, interaction_id: str) -> InteractionDetail:
        """One interaction with every relationship included and resolved to names."""
        ident = normalise_uuid(interaction_id)  # BadInput before anything is sent
        path = INTERACTION_PATH.format(org=self.org, id=quote(ident, safe=""))
        document = await self._get(path, {"include": DETAIL_INCLUDE}, missing="interaction")
        try:
            return ctrlhub_parse.detail(document)
        except BadReply:
            raise
        except Exception as exc:  # a shape no rule covers must not escape as a crash
            raise BadReply("Ctrl-Hub's interaction could not be read.", source=SOURCE,
                           detail=type(exc).__name__) from None

    # -- steps ----------------------------------------------------------------------
    async def _lookup_by_interaction(self, interaction_id: str, channels: Iterable[str]) -> SourceResult:
        opened = await self.interaction_detail(interaction_id)
        contact = opened.related.get("contact")
        rows, warnings, pages = ([opened.interaction], [], [])
        if contact is not None:
            rows, warnings, pages = await self._interactions_of([contact.id])
        customer = ctrlhub_parse.customer_from_related(contact)
        raw = {"format": ctrlhub_parse.SAVED_FORMAT, "contacts": None, "pages": pages, "opened": opened.document}
        result = _result(customer, rows, channels, warnings, raw=raw)
        return replace(result, opened=opened)

    async def _contacts(self, query: Query) -> tuple[list[jsonapi.Resource], object]:
        params = {CONTACT_FILTER_BY_KIND[query.kind]: query.value, "limit": PAGE_SIZE}
        raw = await self._get(CONTACTS_PATH.format(org=self.org), params)
        return ctrlhub_parse.contacts(jsonapi.read(raw)), raw

    async def _interactions_of(self, contact_ids: list[str]) -> tuple[list[Interaction], list[str], list]:
        """Every interaction of these contacts, newest first, up to MAX_ROWS in all, and
        the pages as received."""
        rows: list[Interaction] = []
        warnings: list[str] = []
        pages: list = []
        for contact_id in contact_ids:
            more, contact_pages = await self._pages(contact_id, MAX_ROWS - len(rows))
            pages += contact_pages
            rows = ctrlhub_parse.rows_of_pages(pages)
            if more:
                warnings.append(f"Ctrl-Hub: more interactions are available; showing the newest {len(rows):,}.")
                break
        return rows, warnings, pages

    async def _pages(self, contact_id: str, budget: int) -> tuple[bool, list]:
        """One contact's pages: the first says how many; the rest come in parallel.
        Returns whether more exist than `budget`, and the pages as received."""
        path = INTERACTIONS_PATH.format(org=self.org)
        base = {INTERACTION_FILTER_BY_CONTACT: contact_id, "include": LIST_INCLUDE, "sort": LIST_SORT}
        limit = min(PAGE_SIZE, budget)
        first_raw = await self._get(path, {**base, "limit": limit, "offset": 0})
        first = jsonapi.read(first_raw)
        if first.next_offset is None:
            return False, [first_raw]
        total = first.total if first.total is not None else budget + 1
        offsets = list(range(first.next_offset, min(total, budget), limit))
        gate = asyncio.Semaphore(PARALLEL_PAGES)

        async def page(offset: int) -> object:
            async with gate:
                return await self._get(path, {**base, "limit": limit, "offset": offset})

        return total > budget, [first_raw, *await asyncio.gather(*(page(o) for o in offsets))]

    async def _get(self, path: str, params: dict, missing: str = "") -> object:
        async def send(headers: dict[str, str]) -> http.Reply:
            return await http.fetch(self._http, "GET", path, source=SOURCE, params=params, headers=headers)

        reply = await with_renewal(self.auth, send)
        if reply.status == 200:
            document = await http.decode_json(reply, SOURCE)
            if not isinstance(document, dict) or "data" not in document:
                # Read as an empty list it would say "no such contact": a lie. Say what it is.
                raise BadReply("Ctrl-Hub sent a reply of an unexpected shape.", source=SOURCE,
                               detail=reply.describe())
            return document
        raise await self._failure(reply, missing)

    async def _failure(self, reply: http.Reply, missing: str) -> ViewerError:
        """A non-200 reply as one typed error, with the JSON:API errors as its detail."""
        try:
            said = jsonapi.errors_sentence(jsonapi.read(await http.decode_json(reply, SOURCE)).errors)
        except ViewerError:
            said = ""
        detail = " · ".join(p for p in (reply.describe(), said) if p)
        if reply.status == 401 and self.settings.auth == "service":
            return AuthFailed("Ctrl-Hub refused the service account's token.", source=SOURCE, detail=detail)
        if reply.status == 401:
            failure = AuthFailed("The Ctrl-Hub session has expired or the token is wrong; sign in again.",
                                 source=SOURCE, detail=detail)
            failure.needs_sign_in = True
            return failure
        if reply.status == 403:
            return AuthFailed("This Ctrl-Hub account may not see that organisation's customers.",
                              source=SOURCE, detail=detail)
        if reply.status == 404 and missing:
            return NotFound(f"Ctrl-Hub has no {missing} with that id.", source=SOURCE, detail=detail)
        if reply.status == 404:
            return AuthFailed("Ctrl-Hub does not know this organisation id; check the profile.",
                              source=SOURCE, detail=detail)
        if reply.status == 429:
            return Unavailable("Ctrl-Hub is limiting requests right now; try again in a moment.",
                               source=SOURCE, detail=detail)
        if reply.status >= 500 or reply.status in http.RETRY_STATUSES:
            failure = http.server_failure(reply, SOURCE)
            failure.detail = detail
            return failure
        return ViewerError(f"Ctrl-Hub refused the request: {said or f'HTTP {reply.status}'}.",
                           source=SOURCE, detail=detail)


def _result(customer: Customer, rows: list[Interaction], channels: Iterable[str],
            warnings: list[str], raw: dict | None = None) -> SourceResult:
    wanted = set(channels)
    if wanted:
        rows = [r for r in rows if r.channel in wanted]
        raw = None  # a filtered answer is not the customer: not saved
    return SourceResult(SOURCE, customer, rows, ctrlhub_parse.count_channels(rows), warnings, raw=raw or {})
