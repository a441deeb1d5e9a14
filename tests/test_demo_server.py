"""The demo server, over a real loopback socket."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from viewer.demo import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CAPILLARY_USERNAME,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_TOKEN,
    DemoServer,
    customer_list_text,
    demo_customers,
    demo_interaction_ids,
)

INTERACTION = "/v2/customers/interaction"
DETAILS = "/v2/customers/lookup/customerDetails"


def basic_auth(username: str, password: str) -> str:
    hashed = hashlib.md5(password.encode()).hexdigest()
    return "Basic " + base64.b64encode(f"{username}:{hashed}".encode()).decode()


GOOD_AUTH = {"Authorization": basic_auth(DEMO_CAPILLARY_USERNAME, DEMO_CAPILLARY_PASSWORD)}


@pytest.fixture(scope="module")
def server():
    with DemoServer() as s:
        yield s


@pytest.fixture(scope="module")
def cap(server):
    with httpx.Client(base_url=server.url, headers=GOOD_AUTH, timeout=30) as client:
        yield client


def interactions(
    cap: httpx.Client, name: str, value: str, prefix: str = "", **params
) -> httpx.Response:
    return cap.get(
        prefix + INTERACTION,
        params={"identifierName": name, "identifierValue": value, "network": "capillary", **params},
    )


def nested_channels(body: dict) -> list[dict]:
    networks = body["response"]["customer"]["interactions"]["network"]
    found = networks[0]["interaction"]
    return found if isinstance(found, list) else [found]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# --- vendor samples (seeds/004_…), verbatim ----------------------------------------------------

FLAT_SAMPLE_MESSAGES = {
    "viber": [
        (1746038123052, "AAAAAAACCCCCCC", 1241780, "FAILED", "26-05-2025 15:52:02"),
        (1746038123393, "test-hello", 1241780, "FAILED", "26-05-2025 16:17:07"),
        (
            1746038178479,
            "Hii,This is the message in viber.",
            1242049,
            "FAILED",
            "28-05-2025 13:52:07",
        ),
    ],
    "phone": [
        (
            1740767431623,
            "Sample message Akash Vibertest",
            -1,
            "GTW_NOT_FOUND",
            "07-03-2025 13:48:50",
        ),
        (
            1740767429676,
            "Sample message Akash Vibertest",
            -1,
            "GTW_NOT_FOUND",
            "07-03-2025 12:57:06",
        ),
        (
            1740767429770,
            "Sample message Akash Vibertest",
            -1,
            "GTW_NOT_FOUND",
            "07-03-2025 13:01:12",
        ),
        (
            1740767430545,
            "Sample message Akash Vibertest",
            -1,
            "GTW_NOT_FOUND",
            "07-03-2025 13:37:22",
        ),
    ],
}
FLAT_SAMPLE_MESSAGES["sms"] = FLAT_SAMPLE_MESSAGES["phone"]

NESTED_SAMPLE_MESSAGES = [
    {
        "id": 1743467374476,
        "sender": "",
        "subject": "Loyalty+ Release Notes - JFM'25 (Part 1\ufe0f\u20e3)",
        "status": "OPENED",
        "sent_time": "2025-04-14 14:23:20",
        "delivered_time": "2025-04-14 14:23:20",
        "campaign_id": "267560",
    },
    {
        "id": 1743467660038,
        "sender": "",
        "subject": "Loyalty+ Release Notes - JFM'25 (Part 2\ufe0f\u20e3)",
        "status": "DELIVERED",
        "sent_time": "2025-04-16 15:32:10",
        "delivered_time": "2025-04-16 15:32:20",
        "campaign_id": "267560",
    },
]


def test_flat_sample_customer_matches_vendor_sample(cap):
    r = interactions(cap, "mobile", "917385022695")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert [i["name"] for i in body["interaction"]] == [
        "survey",
        "line",
        "viber",
        "email",
        "whatsapp",
        "missed_call",
        "phone",
        "sms",
        "zalo",
    ]
    assert body["warnings"] == []
    by_name = {i["name"]: i for i in body["interaction"]}
    assert by_name["missed_call"] == {"count": 0, "name": "missed_call", "usedStatus": False}
    assert by_name["survey"] == {"count": 0, "name": "survey", "surveys": []}
    for name in ("line", "email", "whatsapp", "zalo"):
        assert by_name[name] == {"count": 0, "name": name, "messageList": []}
    for name, expected in FLAT_SAMPLE_MESSAGES.items():
        assert by_name[name]["count"] == len(expected)
        assert by_name[name]["messageList"] == [
            {
                "id": i,
                "receiver": "917385022695",
                "subject": s,
                "campaignId": c,
                "status": st,
                "sentDate": d,
                "userId": 432796209,
            }
            for i, s, c, st, d in expected
        ]


def test_nested_sample_customer_matches_vendor_sample(cap):
    r = interactions(cap, "mobile", "919148574269", prefix="/shape/nested")
    assert r.status_code == 200
    body = r.json()
    assert body["response"]["status"] == {"success": "true", "code": 200, "message": "Success"}
    customer = body["response"]["customer"]
    assert customer["id"] == "565039505"
    assert customer["mobile"] == "919148574269"
    assert customer["external_id"] == ""
    assert customer["item_status"] == {
        "success": "true",
        "code": 1000,
        "message": "Customer successfully retrieved",
    }
    channels = nested_channels(body)
    assert [c["type"] for c in channels] == [
        "survey",
        "missed_call",
        "whatsapp",
        "zalo",
        "line",
        "phone",
        "sms",
        "email",
    ]
    for c in channels[:-1]:
        assert c == {
            "last_interaction_time": "null",
            "used_status": False,
            "count": 0,
            "type": c["type"],
        }
    email = channels[-1]
    assert (email["count"], email["last_interaction_time"], email["used_status"]) == (
        2,
        "null",
        False,
    )
    messages = email["messages"]["message"]
    assert [
        {k: v for k, v in m.items() if k != "reciever"} for m in messages
    ] == NESTED_SAMPLE_MESSAGES
    assert {m["reciever"] for m in messages} == {customer["email"]}


def test_sample_times_convert_between_shapes(cap):
    # Nested times are naive tenant-zone (Asia/Kolkata); flat deliveredTime is UTC.
    body = interactions(cap, "mobile", "919148574269").json()
    email = next(i for i in body["interaction"] if i["name"] == "email")
    first = email["messageList"][0]
    assert first["sentDate"] == "14-04-2025 14:23:20"
    assert first["deliveredTime"] == "2025-04-14T08:53:20Z"
    assert first["campaignId"] == 267560


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": basic_auth(DEMO_CAPILLARY_USERNAME, "wrong")},
        # The plain password, not its MD5: the real API refuses it, so must the demo.
        {
            "Authorization": "Basic "
            + base64.b64encode(
                f"{DEMO_CAPILLARY_USERNAME}:{DEMO_CAPILLARY_PASSWORD}".encode()
            ).decode()
        },
        {"Authorization": "Bearer " + DEMO_CTRLHUB_TOKEN},
    ],
)
def test_capillary_refuses_bad_credentials(server, headers):
    for path in (INTERACTION, "/shape/nested" + INTERACTION, DETAILS):
        r = httpx.get(
            server.url + path,
            headers=headers,
            params={"identifierName": "mobile", "identifierValue": "919845012345"},
        )
        assert r.status_code == 401
        assert r.json() == {
            "errors": [{"status": False, "code": 401, "message": "Invalid username or password"}]
        }


def test_capillary_accepts_md5_basic_auth(cap):
    assert interactions(cap, "mobile", "919845012345").status_code == 200


# --- shapes ---------------------------------------------------------------------------------------


def test_shape_switch(cap):
    flat = interactions(cap, "mobile", "919845012345").json()
    assert set(flat) == {"name", "interaction", "warnings"}
    assert flat["name"] == "Priya Sharma"
    nested = interactions(cap, "mobile", "919845012345", prefix="/shape/nested").json()
    assert set(nested) == {"response"}
    # The query parameter wins over the path prefix, both ways.
    assert set(
        interactions(cap, "mobile", "919845012345", prefix="/shape/nested", demoShape="flat").json()
    ) == set(flat)
    assert set(interactions(cap, "mobile", "919845012345", demoShape="nested").json()) == {
        "response"
    }
    assert set(interactions(cap, "mobile", "919845012345", prefix="/shape/flat").json()) == set(
        flat
    )
    # Same data in both shapes.
    flat_counts = {i["name"]: i["count"] for i in flat["interaction"]}
    nested_counts = {c["type"]: c["count"] for c in nested_channels(nested)}
    assert flat_counts == nested_counts


def test_flat_message_fields(cap):
    body = interactions(cap, "mobile", "919845012345").json()
    messages = [m for i in body["interaction"] for m in i.get("messageList", [])]
    assert messages
    for m in messages:
        assert isinstance(m["id"], int) and isinstance(m["campaignId"], int)
        time.strptime(m["sentDate"], "%d-%m-%Y %H:%M:%S")
        if "deliveredTime" in m:
            time.strptime(m["deliveredTime"], "%Y-%m-%dT%H:%M:%SZ")
        assert m["userId"] == 381204117


def test_nested_one_message_channel_is_a_bare_object(cap):
    body = interactions(cap, "mobile", "919845012345", prefix="/shape/nested").json()
    viber = next(c for c in nested_channels(body) if c["type"] == "viber")
    assert viber["count"] == 1
    assert isinstance(viber["messages"]["message"], dict)
    assert isinstance(viber["messages"]["message"]["campaign_id"], str)
    survey = next(c for c in nested_channels(body) if c["type"] == "survey")
    assert isinstance(survey["surveys"]["survey"], dict)
    # A network with a single interaction (one type asked for) is a bare object too.
    only = interactions(cap, "mobile", "919845012345", prefix="/shape/nested", type="email").json()
    interaction = only["response"]["customer"]["interactions"]["network"][0]["interaction"]
    assert isinstance(interaction, dict) and interaction["type"] == "email"


def test_type_filter_repeated_or_comma_separated(cap):
    url = (
        INTERACTION
        + "?identifierName=mobile&identifierValue=919845012345&type=email,sms&type=viber"
    )
    names = [i["name"] for i in cap.get(url).json()["interaction"]]
    assert sorted(names) == ["email", "sms", "viber"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("mobile", "+91 98450-12345"),
        ("email", "PRIYA.Sharma@Example.COM"),
        ("external_id", "CRM-100234"),
    ],
)
def test_identifiers(cap, name, value):
    assert interactions(cap, name, value).json()["name"] == "Priya Sharma"


def test_not_found_flat(cap):
    r = interactions(cap, "mobile", "910000000000")
    assert r.status_code == 400
    assert r.json() == {
        "errors": [
            {
                "status": False,
                "code": 1012,
                "message": "Cannot find customer for provided mobile/external-id/e-mail/id",
            }
        ]
    }


def test_not_found_nested(cap):
    r = interactions(cap, "email", "nobody@example.com", prefix="/shape/nested")
    assert r.status_code == 200
    response = r.json()["response"]
    assert response["status"]["success"] == "false" and response["status"]["code"] == 500
    assert response["customer"]["item_status"]["success"] == "false"
    assert response["customer"]["item_status"]["code"] == 1012


def test_ctrlhub_only_customer_is_not_in_capillary(cap):
    assert interactions(cap, "mobile", "447700900456").status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"identifierName": "phone", "identifierValue": "919845012345"},
        {"identifierValue": "919845012345"},
        {"identifierName": "mobile", "identifierValue": ""},
    ],
)
def test_bad_identifier_is_400(cap, params):
    r = cap.get(INTERACTION, params=params)
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["status"] is False and error["code"] == 8003


def test_count_larger_than_list(cap):
    body = interactions(cap, "mobile", "447700900234").json()
    email = next(i for i in body["interaction"] if i["name"] == "email")
    assert (email["count"], len(email["messageList"])) == (130, 100)


def test_warning_unknown_channel_and_status(cap):
    chloe = interactions(cap, "mobile", "33612345678").json()
    assert chloe["warnings"] and chloe["warnings"][0]["status"] is False
    assert 8000 <= chloe["warnings"][0]["code"] < 9000
    soren = interactions(cap, "mobile", "4520123456").json()
    rcs = next(i for i in soren["interaction"] if i["name"] == "rcs")
    assert rcs["count"] == len(rcs["messageList"]) > 0
    jose = interactions(cap, "mobile", "34612345678").json()
    statuses = {m["status"] for i in jose["interaction"] for m in i.get("messageList", [])}
    assert "QUEUED_FOR_RETRY" in statuses


def test_generated_data_covers_the_vocabulary(cap):
    channels, statuses, subjects = set(), set(), []
    for c in demo_customers():
        if not c.in_capillary or c.external_id == "BULK-100K":
            continue
        for i in interactions(cap, "mobile", c.mobile).json()["interaction"]:
            if i["count"]:
                channels.add(i["name"])
            for m in i.get("messageList", []):
                statuses.add(m["status"])
                subjects.append(m["subject"])
    assert {
        "email",
        "sms",
        "whatsapp",
        "viber",
        "line",
        "zalo",
        "phone",
        "missed_call",
        "survey",
        "rcs",
    } <= channels
    assert {
        "DELIVERED",
        "NOT-DELIVERED",
        "SOFT_BOUNCED",
        "HARD_BOUNCED",
        "OPENED",
        "CLICKED",
        "FAILED",
        "GTW_NOT_FOUND",
        "SENT",
        "IN_GTW",
        "BLOCKED",
        "DND_BLOCKED",
        "MARKED_SPAM",
    } <= statuses
    assert any("******" in s for s in subjects)
    assert any(not s.isascii() for s in subjects)


def test_empty_customer(cap):
    body = interactions(cap, "mobile", "61491570156").json()
    assert body["interaction"] and all(i["count"] == 0 for i in body["interaction"])


# --- customer card --------------------------------------------------------------------------


def test_customer_details(cap):
    for name, value in (
        ("mobile", "919845012345"),
        ("email", "priya.sharma@EXAMPLE.com"),
        ("externalId", "CRM-100234"),
    ):
        r = cap.get(
            DETAILS, params={"source": "ALL", "identifierName": name, "identifierValue": value}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        profile = body["customers"][0]["profiles"][0]
        assert (profile["firstName"], profile["lastName"]) == ("Priya", "Sharma")
        assert {"type": "externalId", "value": "CRM-100234"} in profile["identifiers"]
        assert body["customers"][0]["loyaltyProgramDetails"][0]["currentSlab"]
    # The same through the nested prefix: the card has one shape only.
    r = cap.get(
        "/shape/nested" + DETAILS,
        params={"source": "ALL", "identifierName": "mobile", "identifierValue": "919148574269"},
    )
    assert r.json()["customers"][0]["profiles"][0]["firstName"] == "Kavya"


def test_customer_details_errors(cap):
    r = cap.get(
        DETAILS, params={"source": "ALL", "identifierName": "mobile", "identifierValue": "1"}
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == 1012
    # This endpoint spells it externalId; external_id is refused.
    r = cap.get(
        DETAILS,
        params={"source": "ALL", "identifierName": "external_id", "identifierValue": "CRM-100234"},
    )
    assert r.status_code == 400


# --- the 100k customer ------------------------------------------------------------------------


def test_bulk_customer(cap):
    started = time.perf_counter()
    r = interactions(cap, "external_id", "BULK-100K")
    elapsed = time.perf_counter() - started
    assert r.status_code == 200
    body = r.json()
    assert sum(len(i.get("messageList", [])) for i in body["interaction"]) == 100_000
    assert sum(i["count"] for i in body["interaction"] if "messageList" in i) == 100_000
    # Built on first request (includes generation); the brief is "a couple of seconds",
    # with slack for a loaded test machine.
    assert elapsed < 3.0, f"first 100k reply took {elapsed:.2f}s"
    started = time.perf_counter()
    again = interactions(cap, "mobile", "919999900000")
    assert time.perf_counter() - started < 1.0  # cached bytes
    assert again.content == r.content
    nested = interactions(cap, "mobile", "919999900000", prefix="/shape/nested").json()
    assert (
        sum(len(as_list(c.get("messages", {}).get("message", []))) for c in nested_channels(nested))
        == 100_000
    )


# --- server plumbing ------------------------------------------------------------------------


def test_request_count_and_log():
    with DemoServer() as s:
        assert s.url.startswith("http://127.0.0.1:")
        assert s.request_count == 0
        with httpx.Client(base_url=s.url, headers=GOOD_AUTH) as client:
            client.get(INTERACTION, params={"identifierName": "mobile", "identifierValue": "1"})
            client.get("/nothing/here")
        assert s.request_count == 2
        assert s.requests[0] == ("GET", INTERACTION + "?identifierName=mobile&identifierValue=1")
        assert s.requests[1] == ("GET", "/nothing/here")
    s.stop()  # idempotent
    with pytest.raises(httpx.TransportError):
        httpx.get(s.url + INTERACTION, timeout=2)


def test_unknown_route_and_method(server):
    assert httpx.get(server.url + "/v9/nope").status_code == 404
    assert httpx.post(server.url + INTERACTION, headers=GOOD_AUTH).status_code == 405


def test_stop_without_start():
    s = DemoServer()
    s.stop()
    s.stop()


def _fingerprint_script() -> str:
    # Fetch every small customer in both shapes plus the Ctrl-Hub listings; hash it all.
    return r"""
import hashlib, httpx, sys
from viewer.demo import DemoServer, demo_customers, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN
from viewer.demo.capillary_api import expected_authorization
GOOD_AUTH = {"Authorization": expected_authorization()}
h = hashlib.sha256()
with DemoServer() as s, httpx.Client(base_url=s.url, headers=GOOD_AUTH) as c:
    for cust in demo_customers():
        if cust.external_id == "BULK-100K":
            continue
        for prefix in ("", "/shape/nested"):
            r = c.get(prefix + "/v2/customers/interaction",
                      params={"identifierName": "mobile", "identifierValue": cust.mobile})
            h.update(r.content)
    base = f"/v3/orgs/{DEMO_CTRLHUB_ORG}/customers/"
    ch = {"X-Session-Token": DEMO_CTRLHUB_TOKEN}
    for what in ("contacts", "interactions"):
        offset = 0
        while offset is not None:
            r = c.get(base + what, headers=ch, params={"limit": 100, "offset": offset,
                                                       "include": "contact,author" if what == "interactions" else None})
            h.update(r.content)
            offset = r.json()["meta"]["pagination"]["offsets"]["next"]
print(h.hexdigest())
"""


def test_data_is_deterministic_across_processes():
    # Separate processes with different hash seeds: nothing may depend on set/dict hashing,
    # the clock, or which customer was built first.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _fingerprint_script()],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_two_servers_serve_identical_bytes(server):
    with DemoServer() as other:
        a = httpx.get(
            server.url + INTERACTION,
            headers=GOOD_AUTH,
            params={"identifierName": "mobile", "identifierValue": "447700900123"},
        )
        b = httpx.get(
            other.url + INTERACTION,
            headers=GOOD_AUTH,
            params={"identifierName": "mobile", "identifierValue": "447700900123"},
        )
        assert a.content == b.content


# --- listing ------------------------------------------------------------------------------------


def test_demo_customers_and_list_text():
    customers = demo_customers()
    assert len(customers) >= 20
    mobiles = [c.mobile for c in customers]
    assert len(set(mobiles)) == len(mobiles) and all(m.isdigit() for m in mobiles)
    assert {"919148574269", "917385022695", "919999900000"} <= set(mobiles)
    assert any(c.in_capillary and not c.in_ctrlhub for c in customers)
    assert any(c.in_ctrlhub and not c.in_capillary for c in customers)
    text = customer_list_text()
    for c in customers:
        assert c.name in text and c.mobile in text
    assert DEMO_CAPILLARY_USERNAME in text and DEMO_CTRLHUB_ORG in text
    ids = demo_interaction_ids()
    assert ids and all(len(v) == 36 for v in ids.values())
    json.dumps(ids)


# --- Ctrl-Hub -------------------------------------------------------------------------------------

ORG_PATH = f"/v3/orgs/{DEMO_CTRLHUB_ORG}/customers"
JSONAPI_TYPE = "application/vnd.api+json"


@pytest.fixture(scope="module")
def hub(server):
    with httpx.Client(
        base_url=server.url, headers={"X-Session-Token": DEMO_CTRLHUB_TOKEN}, timeout=30
    ) as client:
        yield client


def contact_for(hub: httpx.Client, **filters) -> dict:
    r = hub.get(ORG_PATH + "/contacts", params={f"filter[{k}]": v for k, v in filters.items()})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert len(data) == 1, data
    return data[0]


def all_interactions(
    hub: httpx.Client, contact_id: str, limit: int, include: str = ""
) -> list[dict]:
    """Page through with offsets.next, checking the pagination block on the way."""
    pages, offset = [], 0
    while offset is not None:
        r = hub.get(
            ORG_PATH + "/interactions",
            params={
                "filter[contact]": contact_id,
                "sort": "-date_time",
                "limit": limit,
                "offset": offset,
                **({"include": include} if include else {}),
            },
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == JSONAPI_TYPE
        doc = r.json()
        assert doc["jsonapi"] == {"version": "1.0"}
        pagination = doc["meta"]["pagination"]
        assert pagination["requested"] == {"offset": offset, "limit": min(limit, 100)}
        assert pagination["current_page"] == offset // min(limit, 100) + 1
        assert "contact" in doc["meta"]["features"]["params"]["filter"]["options"]
        pages.append(doc["data"])
        if include:
            keys = [(i["type"], i["id"]) for i in doc["included"]]
            assert len(keys) == len(set(keys))  # each related resource once
        offset = pagination["offsets"]["next"]
        assert len(pages) < 50
    return [i for page in pages for i in page]


def test_ctrlhub_token_checked(server):
    for headers in (
        {},
        {"X-Session-Token": "nope"},
        {"Authorization": "Bearer " + DEMO_CTRLHUB_TOKEN},
    ):
        for path in ("/v3/iam/whoami", ORG_PATH + "/contacts", ORG_PATH + "/interactions"):
            r = httpx.get(server.url + path, headers=headers)
            assert r.status_code == 401
            assert r.json()["errors"] == [
                {
                    "status": "401",
                    "title": "Unauthorized",
                    "detail": "Session token missing or expired",
                }
            ]


def test_whoami(hub):
    doc = hub.get("/v3/iam/whoami").json()
    assert doc["data"]["type"] == "users"
    assert doc["data"]["attributes"]["email"]
    assert doc["data"]["attributes"]["profile"]["personal"]["first_name"]
    identities = doc["data"]["attributes"]["identities"]
    assert [i["meta"]["organisation_id"] for i in identities] == [DEMO_CTRLHUB_ORG]
    # As on the real service, there is no /v3/whoami.
    assert hub.get("/v3/whoami").status_code == 404


def test_wrong_org_is_404(hub):
    r = hub.get("/v3/orgs/00000000-0000-4000-8000-000000000000/customers/interactions")
    assert r.status_code == 404
    assert r.json()["errors"][0]["status"] == "404"


def test_contacts_filter_by_email_and_telephone(hub):
    by_phone = contact_for(hub, telephone="447700900123")
    assert by_phone["type"] == "contacts"
    assert by_phone["attributes"]["telephone"] == "+44 7700 900123"
    assert by_phone == contact_for(hub, telephone="+44 7700 900123")
    assert by_phone == contact_for(hub, email="OLIVER.smith@example.com")
    assert (
        contact_for(hub, email="siobhan.oconnor@example.com")["attributes"]["first_name"]
        == "Siobhán"
    )
    none = hub.get(ORG_PATH + "/contacts", params={"filter[email]": "nobody@example.com"}).json()
    assert none["data"] == [] and none["meta"]["pagination"]["counts"]["resources"] == 0
    # Capillary-only customers are not in Ctrl-Hub.
    assert (
        hub.get(ORG_PATH + "/contacts", params={"filter[telephone]": "8613812345678"}).json()[
            "data"
        ]
        == []
    )
    r = hub.get(ORG_PATH + "/contacts", params={"filter[shoe_size]": "9"})
    assert r.status_code == 400 and r.json()["errors"][0]["source"] == {
        "parameter": "filter[shoe_size]"
    }


def test_interactions_page_through_offsets(hub):
    amelia = contact_for(hub, telephone="447700900234")
    items = all_interactions(hub, amelia["id"], limit=40, include="author,contact,property")
    assert len(items) == 150
    assert len({i["id"] for i in items}) == 150
    times = [i["attributes"]["date_time"] for i in items]
    assert times == sorted(times, reverse=True)
    assert {i["relationships"]["contact"]["data"]["id"] for i in items} == {amelia["id"]}
    # Default limit 20; more than 100 is clamped to 100.
    first = hub.get(ORG_PATH + "/interactions", params={"filter[contact]": amelia["id"]}).json()
    assert len(first["data"]) == 20
    assert first["meta"]["pagination"]["counts"] == {"resources": 150, "pages": 8}
    assert first["meta"]["pagination"]["offsets"] == {"previous": None, "next": 20}
    assert len(all_interactions(hub, amelia["id"], limit=500)) == 150
    last = hub.get(
        ORG_PATH + "/interactions", params={"filter[contact]": amelia["id"], "offset": 140}
    ).json()
    assert len(last["data"]) == 10 and last["meta"]["pagination"]["offsets"] == {
        "previous": 120,
        "next": None,
    }


def test_interaction_vocabulary_and_nulls(hub):
    items = []
    offset = 0
    while offset is not None:
        doc = hub.get(ORG_PATH + "/interactions", params={"limit": 100, "offset": offset}).json()
        items += doc["data"]
        offset = doc["meta"]["pagination"]["offsets"]["next"]
    assert len(items) >= 300
    attrs = [i["attributes"] for i in items]
    assert {a["method"] for a in attrs} == {"email", "sms", "telephone", "letter", "visit"}
    assert {a["direction"] for a in attrs} == {"inbound", "outbound"}
    assert {"scheduled", "completed"} <= {a["status"] for a in attrs}
    assert all(a["date_time"].endswith("Z") for a in attrs)
    assert any(a["notes"] and "\n\n" in a["notes"] for a in attrs)
    for rel in ("author", "organisation", "representative", "account", "contact", "property"):
        values = [i["relationships"][rel]["data"] for i in items]
        assert None in values and any(values), rel


def test_interaction_detail_with_includes(hub):
    ident = demo_interaction_ids()["447700900123"]
    r = hub.get(
        f"{ORG_PATH}/interactions/{ident}",
        params={"include": "account,author,contact,organisation,property,representative"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == JSONAPI_TYPE
    doc = r.json()
    assert doc["data"]["id"] == ident and doc["data"]["type"] == "customer-interactions"
    included = {(i["type"], i["id"]): i for i in doc["included"]}
    for rel, ref in ((k, v["data"]) for k, v in doc["data"]["relationships"].items()):
        if ref is not None:
            assert (ref["type"], ref["id"]) in included, rel
    contact = included[("contacts", doc["data"]["relationships"]["contact"]["data"]["id"])]
    assert contact["attributes"]["last_name"] == "Smith"
    prop = [i for i in doc["included"] if i["type"] == "properties"]
    for p in prop:
        assert p["attributes"]["address"]["description"] and p["attributes"]["uprn"]
    # Without include: no included[].
    assert "included" not in hub.get(f"{ORG_PATH}/interactions/{ident}").json()
    # Only what was asked for.
    only = hub.get(f"{ORG_PATH}/interactions/{ident}", params={"include": "contact"}).json()
    assert {i["type"] for i in only["included"]} == {"contacts"}


def test_every_example_interaction_resolves(hub):
    ids = demo_interaction_ids()
    customers = {c.mobile: c for c in demo_customers()}
    assert set(ids) <= {m for m, c in customers.items() if c.in_ctrlhub}
    for ident in ids.values():
        assert hub.get(f"{ORG_PATH}/interactions/{ident}").status_code == 200


def test_ctrlhub_errors(hub):
    r = hub.get(f"{ORG_PATH}/interactions/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404
    assert r.headers["content-type"] == JSONAPI_TYPE
    err = r.json()["errors"][0]
    assert (err["status"], err["title"]) == ("404", "Not Found") and err["detail"]
    r = hub.get(f"{ORG_PATH}/interactions/not-a-uuid")
    assert r.status_code == 400 and r.json()["errors"][0]["status"] == "400"
    ident = demo_interaction_ids()["447700900123"]
    r = hub.get(f"{ORG_PATH}/interactions/{ident}", params={"include": "contact,shoes"})
    assert r.status_code == 400 and r.json()["errors"][0]["source"] == {"parameter": "include"}
    for params in ({"limit": "x"}, {"offset": "-1"}, {"sort": "notes"}, {"limit": "0"}):
        assert hub.get(ORG_PATH + "/interactions", params=params).status_code == 400, params
    assert "X-Trace-Id" not in r.headers


def test_5xx_errors_carry_a_trace_id():
    from viewer.demo.ctrlhub_api import error_response

    assert "X-Trace-Id" in error_response(500, "Internal Server Error").headers
    assert "X-Trace-Id" in error_response(503, "Service Unavailable").headers
    assert "X-Trace-Id" not in error_response(404, "Not Found").headers
