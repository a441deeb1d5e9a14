"""Ctrl-Hub: a customer's service interactions, and any one of them in full.

The API documents no customer search. We find the customer's contacts by e-mail or
telephone, then list each contact's interactions; these filter keys are UNCONFIRMED
(API-NOTES.md), so they are named constants here and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import httpx

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
from viewer.safe_text import shown
from viewer.sources import ctrlhub_parse, http, jsonapi
from viewer.sources.auth import CtrlHubServiceAccount, FixedHeader
from viewer.sources.coerce import as_str

log = logging.getLogger("viewer.ctrlhub")
SOURCE = Source.CTRLHUB

DEFAULT_URL = "https://api.ctrl-hub.com"
STAGING_URL = "https://api.ctrl-hub.dev"
DEFAULT_AUTH_URL = "https://auth.ctrl-hub.com"
STAGING_AUTH_URL = "https://auth.ctrl-hub.dev"
# Who am I: Ctrl-Hub's own Kotlin and Swift SDKs ask here (there is no /v3/whoami).
WHOAMI_PATH = "/v3/iam/whoami"
SESSION_HEADER = "X-Session-Token"
INTERACTIONS_PATH = "/v3/orgs/{org}/customers/interactions"
INTERACTION_PATH = "/v3/orgs/{org}/customers/interactions/{id}"
CONTACTS_PATH = "/v3/orgs/{org}/customers/contacts"
DETAIL_INCLUDE = "account,author,contact,organisation,property,representative"
LIST_INCLUDE = "contact,account,property,representative,author"
LIST_SORT = "-date_time"
# UNCONFIRMED filter keys (API-NOTES.md): how a customer's contacts and interactions are found.
CONTACT_FILTER_BY_KIND = {
    IdentifierKind.EMAIL: "filter[email]",
    IdentifierKind.MOBILE: "filter[telephone]",
}
INTERACTION_FILTER_BY_CONTACT = "filter[contact]"
PAGE_SIZE = 100
MAX_ROWS = 2000  # per lookup; past this the agent is told more exist
MAX_CONTACTS = 5  # contacts sharing one e-mail or number (family members, landlords)
PARALLEL_PAGES = 4
NAME_LIMIT = 120  # characters of a who-am-I name in a sentence


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

    def make_auth(self) -> httpx.Auth:
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
            raise NotConfigured(
                f"“{settings.base_url}” is not a web address (https://…).", source=SOURCE
            )
        self.settings = settings
        self.auth = settings.make_auth()
        # The one client of this source for its life; service-account token requests go out
        # on it too, to the auth host.
        self._http = http.make_client(
            settings.base_url.rstrip("/"),
            headers={"Accept": "application/vnd.api+json"},
            auth=self.auth,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )

    def supports(self, kind: IdentifierKind) -> bool:
        return kind in CONTACT_FILTER_BY_KIND or kind is IdentifierKind.INTERACTION_ID

    async def aclose(self) -> None:
        await self._http.aclose()

    async def whoami(self) -> WhoAmI:
        """Whom the credentials belong to, and the organisations they are a member of.
        Raises ViewerError like any request; test_connection treats it as information."""
        document = jsonapi.read(await self._get(WHOAMI_PATH, {}))
        if not document.resources:
            return WhoAmI("an unnamed account", None)
        user = document.resources[0]
        person = ctrlhub_parse.person_name(user)
        email = as_str(user.attributes.get("email"))
        name = f"{person} <{email}>" if email and person != email else person or email
        return WhoAmI(
            shown(name or "an unnamed account", NAME_LIMIT),
            ctrlhub_parse.identity_organisations(user),
        )

    async def test_connection(self) -> str:
        """Success is whether this organisation's customers can be read. Who-am-I is only
        information: a server without it may serve the organisation all the same."""
        (who, unknown_why), failure = await asyncio.gather(self._who(), self._org_read_failure())
        if failure is not None:
            if who is not None:
                failure.message = f"{self._membership(who, failing=True)} {failure.message}"
            raise failure
        at = f"Ctrl-Hub answers at {shown(self.settings.base_url, NAME_LIMIT)}"
        if who is None:
            return (
                f"{at} and this organisation's customers can be read; who is signed in "
                f"is unknown ({unknown_why})."
            )
        return f"{at}, {self._membership(who, failing=False)}"

    async def _who(self) -> tuple[WhoAmI | None, str]:
        """Who is signed in, or why that is unknown; never raises a ViewerError."""
        try:
            return await self.whoami(), ""
        except BadReply:
            return None, "Ctrl-Hub's who-am-I reply could not be read"
        except ViewerError as exc:  # a status other than 200 (detail "HTTP 404 · …"), or no answer
            status = exc.detail.split(" · ", 1)[0] if exc.detail.startswith("HTTP ") else ""
            return None, f"Ctrl-Hub's who-am-I answered {status}" if status else exc.message.rstrip(
                "."
            )

    async def _org_read_failure(self) -> ViewerError | None:
        """Why this organisation's customers cannot be read, or None when they can."""
        try:
            await self._get(CONTACTS_PATH.format(org=self.org), {"limit": 1})
        except ViewerError as exc:
            return exc
        return None

    def _membership(self, who: WhoAmI, failing: bool) -> str:
        """ "signed in as …" and whether who-am-I lists this organisation among theirs."""
        if who.organisations is None or self.org in who.organisations:
            if failing:
                return f"Signed in to Ctrl-Hub as {who.name}."
            return f"signed in as {who.name}; this organisation's customers can be read."
        others = len(who.organisations)
        elsewhere = (
            f"they belong to {others:,} other organisation{'s' if others != 1 else ''}"
            if others
            else "nor to any other"
        )
        belongs = f"who does not belong to organisation {self.org} ({elsewhere})"
        if failing:
            return f"Signed in to Ctrl-Hub as {who.name}, {belongs}."
        return (
            f"signed in as {who.name}, {belongs}, according to Ctrl-Hub's who-am-I; "
            "this organisation's customers can be read all the same."
        )

    # -- the two questions ----------------------------------------------------------------
    async def lookup(self, query: Query, channels: Iterable[str] = ()) -> SourceResult:
        if query.kind is IdentifierKind.INTERACTION_ID:
            return await self._lookup_by_interaction(query.value, channels)
        if query.kind not in CONTACT_FILTER_BY_KIND:
            raise BadInput(f"Ctrl-Hub cannot look up by {query.kind.label}.", source=SOURCE)
        contacts, contacts_doc = await self._contacts(query)
        if not contacts:
            raise NotFound(
                f"Ctrl-Hub has no contact with that {query.kind.label.lower()}.", source=SOURCE
            )
        customer = ctrlhub_parse.customer_from_contacts(contacts)
        rows, warnings, pages = await self._interactions_of([c.id for c in contacts[:MAX_CONTACTS]])
        if len(contacts) > MAX_CONTACTS:
            warnings.append(
                f"Ctrl-Hub: {len(contacts)} contacts match; showing the first {MAX_CONTACTS}."
            )
        raw = {
            "format": ctrlhub_parse.SAVED_FORMAT,
            "contacts": contacts_doc,
            "pages": pages,
            "opened": None,
        }
        return _result(customer, rows, channels, warnings, raw=raw)

    def from_saved(self, raw: dict[str, Any], query: Query) -> SourceResult:
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
            raise BadReply(
                "Ctrl-Hub's interaction could not be read.",
                source=SOURCE,
                detail=type(exc).__name__,
            ) from None

    # -- steps ----------------------------------------------------------------------
    async def _lookup_by_interaction(
        self, interaction_id: str, channels: Iterable[str]
    ) -> SourceResult:
        opened = await self.interaction_detail(interaction_id)
        contact = opened.related.get("contact")
        rows: list[Interaction] = [opened.interaction]
        warnings: list[str] = []
        pages: list[object] = []
        if contact is not None:
            rows, warnings, pages = await self._interactions_of([contact.id])
        customer = ctrlhub_parse.customer_from_related(contact)
        raw = {
            "format": ctrlhub_parse.SAVED_FORMAT,
            "contacts": None,
            "pages": pages,
            "opened": opened.document,
        }
        result = _result(customer, rows, channels, warnings, raw=raw)
        return replace(result, opened=opened)

    async def _contacts(self, query: Query) -> tuple[list[jsonapi.Resource], object]:
        params = {CONTACT_FILTER_BY_KIND[query.kind]: query.value, "limit": PAGE_SIZE}
        raw = await self._get(CONTACTS_PATH.format(org=self.org), params)
        return ctrlhub_parse.contacts(jsonapi.read(raw)), raw

    async def _interactions_of(
        self, contact_ids: list[str]
    ) -> tuple[list[Interaction], list[str], list[object]]:
        """Every interaction of these contacts, newest first, up to MAX_ROWS in all, and
        the pages as received (trimmed to the budget)."""
        page_size = max(1, PAGE_SIZE)
        budget = _Budget(rows=MAX_ROWS, requests=math.ceil(MAX_ROWS / page_size) + len(contact_ids))
        pages: list[object] = []
        more, skipped = False, 0
        for index, contact_id in enumerate(contact_ids):
            if budget.spent:  # never a page of 0 rows, nor offsets past the budget
                more, skipped = True, len(contact_ids) - index
                break
            more, contact_pages = await self._pages(contact_id, budget)
            pages += contact_pages
            if more:
                skipped = len(contact_ids) - index - 1
                break
        rows = ctrlhub_parse.rows_of_pages(pages)
        warnings: list[str] = []
        if more:
            unread = (
                (
                    f" ({skipped} other matching contact{'s were' if skipped != 1 else ' was'} "
                    "not read: the lookup's limit was reached)"
                )
                if skipped
                else ""
            )
            warnings.append(
                f"Ctrl-Hub: more interactions are available; showing the newest "
                f"{len(rows):,}{unread}."
            )
        return rows, warnings, pages

    async def _pages(self, contact_id: str, budget: _Budget) -> tuple[bool, list[object]]:
        """One contact's pages, within `budget`. Returns whether more exist than were
        fetched, and the pages as received.

        Offsets are our own arithmetic, never the server's: `offsets.next` only says
        whether there is more (and the page size, when the server clamped ours), and
        `counts.resources` only shortens the walk."""
        path = INTERACTIONS_PATH.format(org=self.org)
        base = {
            INTERACTION_FILTER_BY_CONTACT: contact_id,
            "include": LIST_INCLUDE,
            "sort": LIST_SORT,
        }
        room = budget.rows  # this contact's offsets stay below it
        limit = max(1, min(PAGE_SIZE, room))

        async def page(offset: int) -> object:
            return await self._get(path, {**base, "limit": limit, "offset": offset})

        budget.requests -= 1
        first_raw = await page(0)
        first = jsonapi.read(first_raw)
        if budget.take(first_raw):
            return True, [first_raw]
        if first.next_offset is None or not first.resources:
            return False, [first_raw]
        step = first.next_offset if 0 < first.next_offset <= limit else limit
        total = first.total if first.total is not None and first.total >= 0 else None
        if total is None:  # no usable count: walk page by page while the server says "more"
            return await self._walk(page, step, room, budget, [first_raw])
        offsets = range(step, min(total, room), step)
        wanted = offsets[: max(0, budget.requests)]
        budget.requests -= len(wanted)
        gate = asyncio.Semaphore(PARALLEL_PAGES)

        async def gated(offset: int) -> object:
            async with gate:
                return await page(offset)

        received = await asyncio.gather(*(gated(o) for o in wanted))
        trimmed = any([budget.take(raw) for raw in received])  # every page, in order
        return trimmed or total > room or len(wanted) < len(offsets), [first_raw, *received]

    @staticmethod
    async def _walk(
        page: Callable[[int], Awaitable[object]],
        step: int,
        room: int,
        budget: _Budget,
        pages: list[object],
    ) -> tuple[bool, list[object]]:
        """Pages one after another while the server says there is more and the budget lasts."""
        for offset in range(step, room, step):
            if budget.spent:
                return True, pages
            budget.requests -= 1
            raw = await page(offset)
            pages.append(raw)
            document = jsonapi.read(raw)
            if budget.take(raw):
                return True, pages
            if document.next_offset is None or not document.resources:
                return False, pages
        return True, pages  # the server still said "more" at the end of the room

    async def _get(self, path: str, params: dict[str, Any], missing: str = "") -> object:
        # The client's auth flow renews a service-account token on a 401 and sends again.
        reply = await http.fetch(self._http, "GET", path, source=SOURCE, params=params)
        if reply.status == 200:
            document = await http.decode_json(reply, SOURCE)
            if not isinstance(document, dict) or "data" not in document:
                # Read as an empty list it would say "no such contact": a lie. Say what it is.
                raise BadReply(
                    "Ctrl-Hub sent a reply of an unexpected shape.",
                    source=SOURCE,
                    detail=reply.describe(),
                )
            return document
        raise await self._failure(reply, missing)

    async def _failure(self, reply: http.Reply, missing: str) -> ViewerError:
        """A non-200 reply as one typed error, with the JSON:API errors as its detail."""
        try:
            said = http.server_text(
                jsonapi.errors_sentence(jsonapi.read(await http.decode_json(reply, SOURCE)).errors)
            )
        except ViewerError:
            said = ""
        detail = " · ".join(p for p in (reply.describe(), said) if p)
        if reply.status == 401 and self.settings.auth == "service":
            return AuthFailed(
                "Ctrl-Hub refused the service account's token.", source=SOURCE, detail=detail
            )
        if reply.status == 401:
            failure = AuthFailed(
                "The Ctrl-Hub session has expired or the token is wrong; sign in again.",
                source=SOURCE,
                detail=detail,
            )
            failure.needs_sign_in = True
            return failure
        if reply.status == 403:
            return AuthFailed(
                "This Ctrl-Hub account may not see that organisation's customers.",
                source=SOURCE,
                detail=detail,
            )
        if reply.status == 404 and missing:
            return NotFound(
                f"Ctrl-Hub has no {missing} with that id.", source=SOURCE, detail=detail
            )
        if reply.status == 404:
            return AuthFailed(
                "Ctrl-Hub does not know this organisation id; check the profile.",
                source=SOURCE,
                detail=detail,
            )
        if reply.status == 429:
            return Unavailable(
                "Ctrl-Hub is limiting requests right now; try again in a moment.",
                source=SOURCE,
                detail=detail,
            )
        if reply.status >= 500 or reply.status in http.RETRY_STATUSES:
            outage = http.server_failure(reply, SOURCE)
            outage.detail = detail
            return outage
        return ViewerError(
            f"Ctrl-Hub refused the request: {said or f'HTTP {reply.status}'}.",
            source=SOURCE,
            detail=detail,
        )


@dataclass(frozen=True)
class WhoAmI:
    name: str  # already made safe to show
    organisations: frozenset[str] | None  # lower-case ids; None when who-am-I lists none


@dataclass
class _Budget:
    """What one lookup may still fetch. Both numbers only go down, so no total, offset or
    oversized page a server sends can make the program ask for more."""

    rows: int
    requests: int

    @property
    def spent(self) -> bool:
        return self.rows <= 0 or self.requests <= 0

    def take(self, page: object) -> bool:
        """Count a page's rows against the budget, cutting off what does not fit (the
        page as saved then holds only what is shown). True when rows were cut off."""
        if not isinstance(page, dict):
            return False
        data = page.get("data")
        rows = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        kept = rows[: max(0, self.rows)]
        if len(kept) < len(rows):
            page["data"] = kept
        self.rows -= len(kept)
        return len(kept) < len(rows)


def _result(
    customer: Customer,
    rows: list[Interaction],
    channels: Iterable[str],
    warnings: list[str],
    raw: dict[str, Any] | None = None,
) -> SourceResult:
    wanted = set(channels)
    if wanted:
        rows = [r for r in rows if r.channel in wanted]
        raw = None  # a filtered answer is not the customer: not saved
    return SourceResult(
        SOURCE, customer, rows, ctrlhub_parse.count_channels(rows), warnings, raw=raw or {}
    )
