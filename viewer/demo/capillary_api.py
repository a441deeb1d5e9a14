"""The fake Capillary v2 endpoints: customer interactions and the customer card.

Every route accepts an optional `/shape/nested` or `/shape/flat` prefix, so a client whose
base URL ends in `/shape/nested` gets the older nested (XML-converted) shape everywhere;
the query parameter `demoShape=nested|flat` wins over the prefix. Default: flat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import threading
from datetime import UTC, datetime

from . import auth_api
from .capillary_data import (
    MISSED_CALL,
    SURVEY,
    CapillaryCustomer,
    Channel,
    Message,
    Survey,
    find_person,
)
from .capillary_data import customer as load_customer
from .data import DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_USERNAME, TENANT_TZ, Person
from .routing import Request, Response, Route, bytes_response, encode_json, route

CONTENT_TYPE = "application/json;charset=UTF-8"
PREFIX = r"(?:/shape/(?P<shape>nested|flat))?"
SHAPES = ("flat", "nested")
NETWORKS = ("capillary", "facebook", "twitter", "foursquare")
INTERACTION_IDENTIFIERS = ("mobile", "email", "external_id")
DETAILS_IDENTIFIERS = {"mobile": "mobile", "email": "email", "externalId": "external_id"}

NOT_FOUND_CODE = 1012
NOT_FOUND_MESSAGE = "Cannot find customer for provided mobile/external-id/e-mail/id"
BAD_PARAMETER_CODE = 8003


def expected_authorization() -> str:
    # The real API wants the password MD5-hashed (hex) before the Basic encoding.
    hashed = hashlib.md5(DEMO_CAPILLARY_PASSWORD.encode()).hexdigest()
    token = base64.b64encode(f"{DEMO_CAPILLARY_USERNAME}:{hashed}".encode()).decode()
    return f"Basic {token}"


def _authorized(request: Request) -> bool:
    oauth = request.header("X-CAP-API-OAUTH-TOKEN")
    if oauth is not None:
        return auth_api.valid(oauth.strip(), "capillary")
    scheme, _, credentials = (request.header("Authorization") or "").strip().partition(" ")
    expected = expected_authorization().partition(" ")[2]
    return scheme.lower() == "basic" and hmac.compare_digest(
        credentials.strip().encode(), expected.encode()
    )


def _reply(status: int, payload: object) -> Response:
    return bytes_response(status, encode_json(payload), CONTENT_TYPE)


def _error(status: int, code: int, message: str) -> Response:
    return _reply(status, {"errors": [{"status": False, "code": code, "message": message}]})


def _unauthorized() -> Response:
    return _error(401, 401, "Invalid username or password")


def _shape(request: Request) -> str:
    asked = (request.arg("demoShape") or "").strip().lower()
    return asked if asked in SHAPES else request.params.get("shape", "flat")


def _types(request: Request) -> set[str] | None:
    """`type` may be repeated and/or comma-separated; None means every channel."""
    words = {w.strip().lower() for v in request.query.get("type", []) for w in v.split(",")}
    words.discard("")
    return words or None


# --- GET /v2/customers/interaction ------------------------------------------------------------

# Unfiltered replies, encoded, per (person, shape, network): the 100k customer is rendered once.
_reply_cache: dict[tuple[str, str, str], bytes] = {}
_render_lock = threading.Lock()


def interaction(request: Request) -> Response:
    if not _authorized(request):
        return _unauthorized()
    shape = _shape(request)
    name = (request.arg("identifierName") or "").strip()
    value = request.arg("identifierValue") or ""
    if name not in INTERACTION_IDENTIFIERS:
        return _error(
            400,
            BAD_PARAMETER_CODE,
            f"Invalid identifierName '{name}': expected mobile, email or external_id",
        )
    if not value.strip():
        return _error(400, BAD_PARAMETER_CODE, "identifierValue is required")
    network = (request.arg("network") or "capillary").strip().lower()
    if network not in NETWORKS:
        return _error(400, BAD_PARAMETER_CODE, f"Invalid network '{network}'")
    person = find_person(name, value)
    if person is None:
        return _not_found(shape, name, value)
    types = _types(request)
    if types is not None:
        return bytes_response(200, _render(person, shape, network, types), CONTENT_TYPE)
    key = (person.key, shape, network)
    with _render_lock:
        body = _reply_cache.get(key)
        if body is None:
            body = _reply_cache[key] = _render(person, shape, network, None)
    return bytes_response(200, body, CONTENT_TYPE)


def _render(person: Person, shape: str, network: str, types: set[str] | None) -> bytes:
    c = load_customer(person)
    # Only the "capillary" network has anything in the demo; other networks are empty.
    channels = (
        [ch for ch in c.channels if types is None or ch.name in types]
        if network == "capillary"
        else []
    )
    if shape == "nested":
        return encode_json(_nested(c, network, channels))
    return encode_json(_flat(c, channels))


def _not_found(shape: str, name: str, value: str) -> Response:
    if shape == "flat":
        return _error(400, NOT_FOUND_CODE, NOT_FOUND_MESSAGE)
    # The nested shape reports per-item failure inside an HTTP 200.
    echo = {"mobile": "", "email": "", "external_id": ""}
    echo[name] = value
    return _reply(
        200,
        {
            "response": {
                "status": {
                    "success": "false",
                    "code": 500,
                    "message": "All requests have failed due to errors",
                },
                "customer": {
                    **echo,
                    "item_status": {
                        "success": "false",
                        "code": NOT_FOUND_CODE,
                        "message": NOT_FOUND_MESSAGE,
                    },
                },
            }
        },
    )


# Flat shape ----------------------------------------------------------------------------------


def _flat(c: CapillaryCustomer, channels: list[Channel]) -> dict:
    return {
        "name": c.person.name,
        "interaction": [_flat_channel(ch) for ch in channels],
        "warnings": list(c.warnings),
    }


def _flat_channel(ch: Channel) -> dict:
    # Key order follows the vendor sample.
    if ch.name == MISSED_CALL:
        return {"count": ch.count, "name": ch.name, "usedStatus": ch.used_status}
    if ch.name == SURVEY:
        return {
            "count": ch.count,
            "name": ch.name,
            "surveys": [_survey(s, None) for s in ch.surveys],
        }
    return {
        "count": ch.count,
        "name": ch.name,
        "messageList": [_flat_message(m) for m in ch.messages],
    }


def _flat_message(m: Message) -> dict:
    d = {
        "id": m.id,
        "receiver": m.receiver,
        "subject": m.subject,
        "campaignId": m.campaign_id,
        "status": m.status,
        "sentDate": _flat_sent(m.sent),
    }
    if m.delivered is not None:  # the sample omits the key for undelivered messages
        d["deliveredTime"] = _utc_z(m.delivered)
    d["userId"] = m.user_id
    return d


def _survey(s: Survey, missing_score: object) -> dict:
    return {
        "name": s.name,
        "nps_score": s.nps_score if s.nps_score is not None else missing_score,
        "sent_by": s.sent_by,
        "response_url": s.response_url,
        "sent_time": _naive_local(s.sent),
        "completion_time": _naive_local(s.completed) if s.completed else "",
    }


def _naive_local(t: datetime) -> str:
    """ "YYYY-MM-DD HH:MM:SS" in the tenant zone (times carry no microseconds)."""
    # isoformat + slicing is several times faster than strftime: 100k messages go through here.
    return t.astimezone(TENANT_TZ).isoformat(" ")[:19]


def _flat_sent(t: datetime) -> str:
    """ "DD-MM-YYYY HH:mm:ss" in the tenant zone."""
    s = _naive_local(t)
    return f"{s[8:10]}-{s[5:7]}-{s[:4]}{s[10:]}"


def _utc_z(t: datetime) -> str:
    """ "YYYY-MM-DDTHH:mm:ssZ" in UTC."""
    return t.astimezone(UTC).isoformat()[:19] + "Z"


# Nested shape --------------------------------------------------------------------------------


def _one_or_list(items: list) -> list | dict:
    """The vendor's XML-to-JSON converter turns a list of one into a bare object."""
    return items[0] if len(items) == 1 else items


def _nested(c: CapillaryCustomer, network: str, channels: list[Channel]) -> dict:
    p = c.person
    return {
        "response": {
            "status": {"success": "true", "code": 200, "message": "Success"},
            "customer": {
                "id": str(p.capillary_id),
                "mobile": p.mobile,
                "email": p.email,
                "external_id": p.external_id,
                # The sample keeps "network" a list even with one entry; only the inner lists collapse.
                "interactions": {
                    "network": [
                        {
                            "name": network,
                            "interaction": _one_or_list([_nested_channel(ch) for ch in channels]),
                        }
                    ]
                },
                "item_status": {
                    "success": "true",
                    "code": 1000,
                    "message": "Customer successfully retrieved",
                },
            },
        }
    }


def _nested_channel(ch: Channel) -> dict:
    d: dict = {}
    if ch.name == SURVEY and ch.surveys:
        d["surveys"] = {"survey": _one_or_list([_survey(s, "") for s in ch.surveys])}
        scores = [s.nps_score for s in ch.surveys if s.nps_score is not None]
        d["latest_nps_score"] = scores[-1] if scores else "null"
    elif ch.messages:  # empty channels have no "messages" key at all, as in the sample
        d["messages"] = {"message": _one_or_list([_nested_message(m) for m in ch.messages])}
    last = ch.last_time()
    d.update(
        {
            "last_interaction_time": _naive_local(last) if last else "null",
            "used_status": ch.used_status,
            "count": ch.count,
            "type": ch.name,
        }
    )
    return d


def _nested_message(m: Message) -> dict:
    return {
        "id": m.id,
        "sender": "",
        "reciever": m.receiver,
        "subject": m.subject,
        "status": m.status,
        "sent_time": _naive_local(m.sent),
        "delivered_time": _naive_local(m.delivered) if m.delivered else "",
        # A string here (the sample's quirk); no campaign is an empty element in the XML.
        "campaign_id": str(m.campaign_id) if m.campaign_id != -1 else "",
    }


# --- GET /v2/customers/lookup/customerDetails -------------------------------------------------

SLABS = ["Blue", "Silver", "Gold", "Platinum"]


def customer_details(request: Request) -> Response:
    if not _authorized(request):
        return _unauthorized()
    name = (request.arg("identifierName") or "").strip()
    value = request.arg("identifierValue") or ""
    if name not in DETAILS_IDENTIFIERS:
        # Note the camelCase: this endpoint says externalId where /interaction says external_id.
        return _error(
            400,
            BAD_PARAMETER_CODE,
            f"Invalid identifierName '{name}': expected mobile, email or externalId",
        )
    person = find_person(DETAILS_IDENTIFIERS[name], value) if value.strip() else None
    if person is None:
        return _error(400, NOT_FOUND_CODE, NOT_FOUND_MESSAGE)
    return _reply(200, {"customers": [_details(person)], "warnings": []})


def _details(p: Person) -> dict:
    rng = random.Random(f"loyalty/{p.key}")
    identifiers = [{"type": "mobile", "value": p.mobile}, {"type": "email", "value": p.email}]
    if p.external_id:
        identifiers.append({"type": "externalId", "value": p.external_id})
    slab = rng.choice(SLABS)
    return {
        "id": p.capillary_id,
        "profiles": [
            {
                "firstName": p.first_name,
                "lastName": p.last_name,
                "identifiers": identifiers,
                "commChannels": [
                    {"type": "email", "value": p.email, "primary": True},
                    {"type": "mobile", "value": p.mobile, "primary": True},
                ],
            }
        ],
        "loyaltyInfo": {"loyaltyType": "loyalty"},
        "loyaltyProgramDetails": [
            {
                "programName": "DemoMart Rewards",
                "programId": 1873,
                "currentSlab": slab,
                "loyaltyPoints": rng.randrange(0, 25_000),
                "lifetimePoints": rng.randrange(25_000, 90_000),
                "tierExpiryDate": f"2027-0{rng.randint(1, 9)}-30T23:59:59Z",
            }
        ],
    }


ROUTES: list[Route] = [
    route("GET", PREFIX + r"/v2/customers/interaction/?", interaction),
    route("GET", PREFIX + r"/v2/customers/lookup/customerDetails/?", customer_details),
]
