"""The demo's sign-in endpoints: Capillary OAuth, Ctrl-Hub login flow and service account.

Tokens it hands out live TOKEN_TTL_S seconds (short, so the client's renewal is really
exercised); `expire_all()` ends every one at once, as a server restart would, for tests.
The credentials are the DEMO_* constants: anything else is refused as the real APIs would.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from .data import (
    DEMO_CAPILLARY_OAUTH_KEY,
    DEMO_CAPILLARY_OAUTH_SECRET,
    DEMO_CTRLHUB_CLIENT_ID,
    DEMO_CTRLHUB_CLIENT_SECRET,
    DEMO_CTRLHUB_PASSWORD,
    DEMO_CTRLHUB_TOKEN,
    DEMO_CTRLHUB_USER,
)
from .routing import Request, Response, Route, json_response, route

TOKEN_TTL_S = 60  # Capillary OAuth and Ctrl-Hub service-account tokens
SESSION_TTL_S = 8 * 3600  # Ctrl-Hub sessions from the password sign-in

_lock = threading.Lock()
_issued: dict[str, tuple[str, float]] = {}  # token → (kind, monotonic expiry)
_flows: set[str] = set()
token_requests = {"capillary": 0, "ctrlhub_service": 0, "ctrlhub_login": 0, "ctrlhub_logout": 0}


def _issue(kind: str, ttl: float) -> str:
    token = f"{kind}-{secrets.token_urlsafe(24)}"
    with _lock:
        _issued[token] = (kind, time.monotonic() + ttl)
    return token


def valid(token: str, kind: str) -> bool:
    with _lock:
        found = _issued.get(token)
    return bool(found and found[0] == kind and time.monotonic() < found[1])


def expire_all() -> None:
    with _lock:
        _issued.clear()


def _same(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def _json_body(request: Request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def capillary_token(request: Request) -> Response:
    body = _json_body(request)
    with _lock:
        token_requests["capillary"] += 1
    if not (
        _same(body.get("key"), DEMO_CAPILLARY_OAUTH_KEY)
        and _same(body.get("secret"), DEMO_CAPILLARY_OAUTH_SECRET)
    ):
        return json_response(
            401, {"errors": [{"status": False, "code": 401, "message": "Invalid key or secret"}]}
        )
    return json_response(
        200, {"data": {"accessToken": _issue("capillary", TOKEN_TTL_S), "ttlSeconds": TOKEN_TTL_S}}
    )


def ctrlhub_login_flow(_request: Request) -> Response:
    flow = secrets.token_hex(8)
    with _lock:
        _flows.add(flow)
    return json_response(200, {"id": flow, "type": "api", "ui": {"method": "POST", "nodes": []}})


def ctrlhub_login(request: Request) -> Response:
    flow = request.arg("flow") or ""
    body = _json_body(request)
    with _lock:
        token_requests["ctrlhub_login"] += 1
        known_flow = flow in _flows
        _flows.discard(flow)
    if not known_flow:
        return json_response(
            410,
            {"error": {"id": "self_service_flow_expired", "message": "The sign-in flow expired"}},
        )
    if not (
        _same(body.get("identifier"), DEMO_CTRLHUB_USER)
        and _same(body.get("password"), DEMO_CTRLHUB_PASSWORD)
    ):
        return json_response(
            400, {"ui": {"messages": [{"text": "The provided credentials are invalid."}]}}
        )
    expires = datetime.now(UTC) + timedelta(seconds=SESSION_TTL_S)
    return json_response(
        200,
        {
            "session_token": _issue("ctrlhub_session", SESSION_TTL_S),
            "session": {
                "active": True,
                "expires_at": expires.isoformat().replace("+00:00", "Z"),
                "identity": {"traits": {"email": DEMO_CTRLHUB_USER}},
            },
        },
    )


def ctrlhub_logout(request: Request) -> Response:
    """Ory Kratos' API logout: the session token in a JSON body; 204 and the session ends."""
    token = _json_body(request).get("session_token")
    with _lock:
        token_requests["ctrlhub_logout"] += 1
        # The demo's pasted token never ends (other tests use it); signing it out is accepted.
        known = isinstance(token, str) and (
            _issued.pop(token, None) is not None or _same(token, DEMO_CTRLHUB_TOKEN)
        )
    if not known and not (isinstance(token, str) and token):
        return json_response(400, {"error": {"code": 400, "message": "session_token is required"}})
    if not known:
        return json_response(403, {"error": {"code": 403, "message": "The session is not active"}})
    return Response(204, {}, b"")


def ctrlhub_service_token(request: Request) -> Response:
    form = {k: v[0] for k, v in parse_qs((request.body or b"").decode("utf-8", "replace")).items()}
    with _lock:
        token_requests["ctrlhub_service"] += 1
    if form.get("grant_type") != "client_credentials" or not (
        _same(form.get("client_id"), DEMO_CTRLHUB_CLIENT_ID)
        and _same(form.get("client_secret"), DEMO_CTRLHUB_CLIENT_SECRET)
    ):
        return json_response(
            401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        )
    return json_response(
        200,
        {
            "access_token": _issue("ctrlhub_service", TOKEN_TTL_S),
            "token_type": "bearer",
            "expires_in": TOKEN_TTL_S,
        },
    )


ROUTES: list[Route] = [
    route("POST", r"(?:/shape/(?:nested|flat))?/v3/oauth/token/generate/?", capillary_token),
    route("GET", r"/self-service/login/api/?", ctrlhub_login_flow),
    route("POST", r"/self-service/login/?", ctrlhub_login),
    route("POST", r"/oauth2/token/?", ctrlhub_service_token),
    route("DELETE", r"/self-service/logout/api/?", ctrlhub_logout),
]
