"""The fake Ctrl-Hub v3 endpoints (JSON:API): contacts, interactions, who am I.

Filtering contacts by e-mail/telephone and interactions by contact is *unconfirmed* on the
real service (see API-NOTES.md); the demo offers it, and lists the filter keys it accepts in
`meta.features.params.filter.options`, as real replies do.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import uuid

from . import auth_api
from .ctrlhub_data import INTERACTION, REL_TYPES, Store, store
from .data import (
    DEMO_CTRLHUB_CLIENT_ID,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_TOKEN,
    DEMO_CTRLHUB_USER,
    digits,
)
from .routing import Request, Response, Route, json_response, route

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.api+json"
JSONAPI = {"version": "1.0"}
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
INCLUDES = ("account", "author", "contact", "organisation", "property", "representative")
INTERACTION_FILTERS = ("account", "author", "contact", "direction", "method", "property", "status")
CONTACT_FILTERS = ("email", "first_name", "last_name", "telephone")
CONTACT_INCLUDES = ("account",)
SORTS = ("date_time", "-date_time")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ORG = r"/v3/orgs/(?P<org>[^/]+)"


class ApiError(Exception):
    """Raised inside handlers; `_guarded` turns it into a JSON:API error document."""

    def __init__(
        self, status: int, title: str, detail: str | None = None, parameter: str | None = None
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.parameter = status, title, detail, parameter


def error_response(
    status: int, title: str, detail: str | None = None, parameter: str | None = None
) -> Response:
    """Every Ctrl-Hub error reply is built here. A 5xx carries X-Trace-Id, as the real one does."""
    err: dict = {"status": str(status), "title": title}
    if detail:
        err["detail"] = detail
    if parameter:
        err["source"] = {"parameter": parameter}
    headers = {"X-Trace-Id": uuid.uuid4().hex} if status >= 500 else None
    return json_response(status, {"errors": [err], "jsonapi": JSONAPI}, CONTENT_TYPE, headers)


def _document(payload: dict) -> Response:
    return json_response(200, {**payload, "jsonapi": JSONAPI}, CONTENT_TYPE)


def _signed_in(request: Request) -> bool:
    """The pasted demo token, a session from the login flow, or a service-account bearer."""
    token = (request.header("X-Session-Token") or "").strip()
    if token:
        return hmac.compare_digest(token.encode(), DEMO_CTRLHUB_TOKEN.encode()) or auth_api.valid(
            token, "ctrlhub_session"
        )
    scheme, _, bearer = (request.header("Authorization") or "").strip().partition(" ")
    return scheme.lower() == "bearer" and auth_api.valid(bearer.strip(), "ctrlhub_service")


def _guarded(handler):
    """Auth, org check and error mapping shared by every Ctrl-Hub route."""

    def wrapped(request: Request) -> Response:
        if not _signed_in(request):
            return error_response(401, "Unauthorized", "Session token missing or expired")
        org = request.params.get("org")
        if org is not None and org.lower() != DEMO_CTRLHUB_ORG:
            return error_response(404, "Not Found", f"Organisation {org} not found")
        try:
            return handler(request, store())
        except ApiError as e:
            return error_response(e.status, e.title, e.detail, e.parameter)
        except Exception:
            log.exception("demo Ctrl-Hub handler failed for %s", request.path)
            return error_response(500, "Internal Server Error")

    return wrapped


# --- query helpers ------------------------------------------------------------------------------


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "Bad Request", f"{name} must be an integer", name) from None


def _page(request: Request) -> tuple[int, int]:
    limit = _int_param(request, "limit", DEFAULT_LIMIT)
    offset = _int_param(request, "offset", 0)
    if limit < 1:
        raise ApiError(400, "Bad Request", "limit must be at least 1", "limit")
    if offset < 0:
        raise ApiError(400, "Bad Request", "offset must not be negative", "offset")
    return offset, min(limit, MAX_LIMIT)  # larger limits are clamped, not refused


def _pagination(offset: int, limit: int, total: int) -> dict:
    return {
        "current_page": offset // limit + 1,
        "counts": {"resources": total, "pages": math.ceil(total / limit)},
        "requested": {"offset": offset, "limit": limit},
        "offsets": {
            "previous": max(0, offset - limit) if offset > 0 else None,
            "next": offset + limit if offset + limit < total else None,
        },
    }


def _filters(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for key, values in request.query.items():
        m = re.fullmatch(r"filter\[([^\]]*)\]", key)
        if m is None:
            continue
        if m.group(1) not in allowed:
            raise ApiError(
                400,
                "Bad Request",
                f"Unknown filter '{m.group(1)}'; accepted: " + ", ".join(allowed),
                key,
            )
        found[m.group(1)] = values[0]
    return found


def _includes(request: Request, allowed: tuple[str, ...]) -> list[str]:
    names = [n.strip() for n in (request.arg("include") or "").split(",") if n.strip()]
    for n in names:
        if n not in allowed:
            raise ApiError(
                400,
                "Bad Request",
                f"Unknown include '{n}'; accepted: " + ", ".join(allowed),
                "include",
            )
    return names


def _included(s: Store, resources: list[dict], names: list[str]) -> list[dict]:
    """Each related resource once, in order of first appearance."""
    seen: dict[tuple[str, str], dict] = {}
    for resource in resources:
        for name in names:
            rel = resource.get("relationships", {}).get(name, {}).get("data")
            for ref in rel if isinstance(rel, list) else [rel] if rel else []:
                key = (ref["type"], ref["id"])
                if key not in seen and (found := s.get(*key)) is not None:
                    seen[key] = found
    return list(seen.values())


def _list_document(
    s: Store,
    request: Request,
    items: list[dict],
    filters: tuple[str, ...],
    includes: list[str],
    extra_features: dict | None = None,
) -> Response:
    offset, limit = _page(request)
    page = items[offset : offset + limit]
    features = {"params": {"filter": {"options": list(filters)}, **(extra_features or {})}}
    payload: dict = {"data": page}
    if includes:
        payload["included"] = _included(s, page, includes)
    payload["meta"] = {"pagination": _pagination(offset, limit, len(items)), "features": features}
    return _document(payload)


# --- handlers -----------------------------------------------------------------------------------


def list_contacts(request: Request, s: Store) -> Response:
    f = _filters(request, CONTACT_FILTERS)
    includes = _includes(request, CONTACT_INCLUDES)
    items = s.contacts
    if "email" in f:
        items = [c for c in items if c["attributes"]["email"].lower() == f["email"].strip().lower()]
    if "telephone" in f:  # digits only: "+44 7700 900123" matches 447700900123
        wanted = digits(f["telephone"])
        items = [c for c in items if wanted and digits(c["attributes"]["telephone"]) == wanted]
    for key in ("first_name", "last_name"):
        if key in f:
            items = [c for c in items if c["attributes"][key].lower() == f[key].strip().lower()]
    return _list_document(s, request, items, CONTACT_FILTERS, includes)


def list_interactions(request: Request, s: Store) -> Response:
    f = _filters(request, INTERACTION_FILTERS)
    includes = _includes(request, INCLUDES)
    sort = request.arg("sort") or "date_time"
    if sort not in SORTS:
        raise ApiError(
            400, "Bad Request", f"Unknown sort '{sort}'; accepted: " + ", ".join(SORTS), "sort"
        )
    items = s.interactions
    for key, value in f.items():
        value = value.strip().lower()
        if key in REL_TYPES:
            items = [
                i for i in items if (ref := i["relationships"][key]["data"]) and ref["id"] == value
            ]
        else:
            items = [i for i in items if str(i["attributes"][key]).lower() == value]
    # Ties broken on id so that pages never overlap or skip.
    items = sorted(
        items, key=lambda i: (i["attributes"]["date_time"], i["id"]), reverse=sort.startswith("-")
    )
    return _list_document(
        s,
        request,
        items,
        INTERACTION_FILTERS,
        includes,
        {"sort": {"options": list(SORTS)}, "include": {"options": list(INCLUDES)}},
    )


def get_interaction(request: Request, s: Store) -> Response:
    ident = request.params["id"]
    if not UUID_RE.fullmatch(ident):
        raise ApiError(
            400, "Bad Request", f"'{ident}' is not a valid UUID", "customer_interaction_id"
        )
    includes = _includes(request, INCLUDES)
    found = s.get(INTERACTION, ident.lower())
    if found is None:
        raise ApiError(404, "Not Found", f"Customer interaction {ident} not found")
    payload: dict = {"data": found}
    if includes:
        payload["included"] = _included(s, [found], includes)
    return _document(payload)


def whoami(request: Request, s: Store) -> Response:
    """GET /v3/iam/whoami: whom the credentials belong to (the signed-in agent, the service
    account, or the staff member behind the pasted demo token), with `identities[]` naming
    the organisations they belong to, as Ctrl-Hub's own SDKs read it."""
    token = (request.header("X-Session-Token") or "").strip()
    if auth_api.valid(token, "ctrlhub_session"):
        user = _user(
            "agent",
            {
                "email": DEMO_CTRLHUB_USER,
                "profile": {"personal": {"first_name": "Demo", "last_name": "Agent"}},
            },
        )
    elif (request.header("Authorization") or "").lower().startswith("bearer "):
        user = _user("service", {"email": f"{DEMO_CTRLHUB_CLIENT_ID}@service-accounts"})
    else:
        user = s.whoami
    return _document({"data": _with_identities(user)})


def _user(key: str, attributes: dict) -> dict:
    return {
        "type": "users",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-{key}")),
        "attributes": attributes,
    }


def _with_identities(user: dict) -> dict:
    """The user (a copy: the store is shared) as a member of the demo organisation."""
    identity = {
        "platform": "ctrl-hub",
        "id": user["id"],
        "meta": {"organisation_id": DEMO_CTRLHUB_ORG},
    }
    return {**user, "attributes": {**user.get("attributes", {}), "identities": [identity]}}


ROUTES: list[Route] = [
    route("GET", r"/v3/iam/whoami/?", _guarded(whoami)),  # there is no /v3/whoami
    route("GET", ORG + r"/customers/contacts/?", _guarded(list_contacts)),
    route("GET", ORG + r"/customers/interactions/?", _guarded(list_interactions)),
    route("GET", ORG + r"/customers/interactions/(?P<id>[^/]+)/?", _guarded(get_interaction)),
]
