"""Ctrl-Hub against a hostile server (issue 10, items 4 and 15).

Item 4: paging arithmetic never trusts `meta.pagination`. Whatever totals and offsets a
server sends, a lookup asks for at most MAX_ROWS / PAGE_SIZE pages (plus one per contact),
never a page of 0 rows or fewer, never an offset past MAX_ROWS, and keeps at most MAX_ROWS
rows, saying that more are available.

Item 15: "test connection" asks GET /v3/iam/whoami for information only; success is
whether the organisation's customers can be read, and the sentence says whether the user
belongs to the configured organisation.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable

import pytest
import pytest_asyncio

from tests.conftest import ctrlhub_client
from tests.hostile_server import HostileServer, Raw, Seen, json_reply
from viewer.connections import check_connections
from viewer.demo import DEMO_CTRLHUB_ORG
from viewer.domain import IdentifierKind, Query, ViewerError
from viewer.profiles import Profile
from viewer.sources import ctrlhub

ORG = DEMO_CTRLHUB_ORG
OTHER_ORG = "11111111-1111-4111-8111-111111111111"
EMAIL = "oliver.smith@example.com"
# The most interaction pages one lookup of `contacts` contacts may ask for.
PAGE_BOUND = math.ceil(ctrlhub.MAX_ROWS / ctrlhub.PAGE_SIZE)

# A page's meta for (offset, limit) -> (total, next offset); None leaves the member out.
Pagination = Callable[[int, int], tuple[object, object]]


def contact_id(n: int) -> str:
    return str(uuid.UUID(int=n + 1, version=4))


def interaction(contact: str, n: int) -> dict:
    return {
        "type": "customer-interactions",
        "id": f"{contact}-{n}",
        "attributes": {
            "method": "email",
            "direction": "inbound",
            "date_time": "2026-03-01T09:00:00Z",
            "notes": f"Message {n}",
        },
        "relationships": {"contact": {"data": {"type": "contacts", "id": contact}}},
    }


class ScriptedHub:
    """A Ctrl-Hub whose contacts are `contacts` and whose interaction pages a test scripts:
    `rows(contact, offset, limit)` gives the row numbers, `pagination(offset, limit)` the
    total and next offset the page claims."""

    def __init__(
        self, contacts: int, rows: Callable[[int, int, int], range], pagination: Pagination
    ):
        self.contacts = [contact_id(n) for n in range(contacts)]
        self.rows, self.pagination = rows, pagination

    def __call__(self, seen: Seen) -> Raw:
        if seen.path.endswith("/customers/contacts"):
            data = [
                {
                    "type": "contacts",
                    "id": c,
                    "attributes": {"first_name": "Oliver", "last_name": "Smith", "email": EMAIL},
                }
                for c in self.contacts
            ]
            return json_reply(
                {"data": data, "meta": {"pagination": {"counts": {"resources": len(data)}}}}
            )
        if seen.path.endswith("/customers/interactions"):
            offset, limit = int(seen.query["offset"]), int(seen.query["limit"])
            if limit <= 0 or offset < 0:
                return json_reply({"errors": [{"status": "400", "title": "Bad Request"}]}, 400)
            contact = seen.query["filter[contact]"]
            total, following = self.pagination(offset, limit)
            pagination: dict = {"counts": {}, "offsets": {"next": following}}
            if total is not None:
                pagination["counts"] = {"resources": total, "pages": total}
            data = [
                interaction(contact, n)
                for n in self.rows(self.contacts.index(contact), offset, limit)
            ]
            return json_reply({"data": data, "meta": {"pagination": pagination}})
        return json_reply({"errors": [{"status": "404", "title": "Not Found"}]}, 404)


def endless(_contact: int, offset: int, limit: int) -> range:
    return range(offset, offset + limit)  # a contact with more interactions than any cap


def page_requests(server: HostileServer) -> list[Seen]:
    return [s for s in server.seen if s.path.endswith("/customers/interactions")]


def assert_paging_stayed_in_budget(server: HostileServer, contacts: int) -> None:
    pages = page_requests(server)
    assert len(pages) <= PAGE_BOUND + contacts, f"{len(pages)} page requests"
    assert all(int(p.query["limit"]) >= 1 for p in pages)
    assert all(0 <= int(p.query["offset"]) < ctrlhub.MAX_ROWS for p in pages)


async def lookup(server: HostileServer):
    client = ctrlhub_client(server.url)
    try:
        return await client.lookup(Query(IdentifierKind.EMAIL, EMAIL))
    finally:
        await client.aclose()


# -- item 4: paging -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_first_contact_filling_the_cap_never_asks_for_zero_rows():
    """Was: the second contact's first request had limit=0, then `range() arg 3 must not be zero`."""

    def honest(offset: int, limit: int) -> tuple[object, object]:
        return 2000, offset + limit if offset + limit < 2000 else None

    hub = ScriptedHub(
        2, lambda c, o, n: range(o, min(o + n, 2000)) if c == 0 else range(0, 10), honest
    )
    with HostileServer(hub) as server:
        result = await lookup(server)
        assert len(result.interactions) == ctrlhub.MAX_ROWS
        assert result.warnings == [
            "Ctrl-Hub: more interactions are available; showing the newest 2,000 "
            "(1 other matching contact was not read: the lookup's limit was reached)."
        ]
        assert_paging_stayed_in_budget(server, contacts=2)
        assert len(page_requests(server)) == 20
        assert not any(p.query["filter[contact]"] == hub.contacts[1] for p in page_requests(server))


HOSTILE_PAGINATION: dict[str, Pagination] = {
    "negative total": lambda o, n: (-15094, o + n),
    "absurd total": lambda o, n: (10**30, o + n),
    "no total, next never ends": lambda o, n: (None, o + n),
    "next goes backwards": lambda o, n: (None, max(0, o - n)),
    "next far past the end": lambda o, n: (None, 10**12),
    "next is one row on": lambda o, n: (10**9, o + 1),
    "total as text": lambda o, n: ("999999", o + n),
    "total true, next as text": lambda o, n: (True, str(o + n)),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("claim", HOSTILE_PAGINATION, ids=list(HOSTILE_PAGINATION))
async def test_hostile_page_totals_and_offsets_cannot_widen_the_walk(claim):
    with HostileServer(ScriptedHub(1, endless, HOSTILE_PAGINATION[claim])) as server:
        result = await lookup(server)
        assert_paging_stayed_in_budget(server, contacts=1)
    assert 0 < len(result.interactions) <= ctrlhub.MAX_ROWS
    if claim == "total true, next as text":  # no readable "next": that page was the last
        assert len(page_requests(server)) == 1 and result.warnings == []
    else:
        assert any("more interactions are available" in w for w in result.warnings)


@pytest.mark.asyncio
async def test_every_contact_answering_with_an_endless_walk_still_costs_one_budget():
    """Five contacts whose pages never end share one budget of rows and requests."""
    hub = ScriptedHub(ctrlhub.MAX_CONTACTS, endless, HOSTILE_PAGINATION["negative total"])
    with HostileServer(hub) as server:
        result = await lookup(server)
        assert_paging_stayed_in_budget(server, contacts=ctrlhub.MAX_CONTACTS)
        assert len(page_requests(server)) == PAGE_BOUND
    assert len(result.interactions) == ctrlhub.MAX_ROWS
    assert "4 other matching contacts were not read" in result.warnings[0]


@pytest.mark.asyncio
async def test_a_server_ignoring_the_page_size_cannot_push_past_the_row_cap():
    """Was: 5,000 rows on one page left the next contact a negative budget, so a negative
    `limit` and a negative range step from offset 10**9: hundreds of thousands of requests."""

    def rows(contact: int, offset: int, limit: int) -> range:
        return range(5000) if contact == 0 else range(offset, offset + limit)

    def pagination(offset: int, limit: int) -> tuple[object, object]:
        return (5000, None) if offset == 0 and limit == 100 else (-1, 10**9)

    with HostileServer(ScriptedHub(2, rows, pagination)) as server:
        result = await lookup(server)
        assert_paging_stayed_in_budget(server, contacts=2)
        assert len(page_requests(server)) == 1
    assert len(result.interactions) == ctrlhub.MAX_ROWS
    assert "more interactions are available" in result.warnings[0]
    saved_rows = sum(len(page["data"]) for page in result.raw["pages"])
    assert saved_rows == ctrlhub.MAX_ROWS  # the saved copy holds what was shown, no more


@pytest.mark.asyncio
async def test_offsets_are_our_own_even_when_next_points_backwards():
    """After an honest first page, every page says the next one starts at 0 again: the
    walk neither loops nor skips, and every row comes once."""

    def rows(_c: int, offset: int, limit: int) -> range:
        return range(offset, min(offset + limit, 250))

    with HostileServer(ScriptedHub(1, rows, lambda o, n: (250, 0 if o else n))) as server:
        result = await lookup(server)
        offsets = sorted(int(p.query["offset"]) for p in page_requests(server))
    assert offsets == [0, 100, 200]
    assert len(result.interactions) == 250 and result.warnings == []


@pytest.mark.asyncio
async def test_a_server_that_clamps_the_page_size_is_followed_at_its_own_size():
    """Asked for 100, the server sends 40 and says the next page starts at 40."""

    def rows(_c: int, offset: int, limit: int) -> range:
        return range(offset, min(offset + 40, 150))

    def pagination(offset: int, _limit: int) -> tuple[object, object]:
        return 150, offset + 40 if offset + 40 < 150 else None

    with HostileServer(ScriptedHub(1, rows, pagination)) as server:
        result = await lookup(server)
        offsets = sorted(int(p.query["offset"]) for p in page_requests(server))
    assert offsets == [0, 40, 80, 120]
    assert len(result.interactions) == 150 and result.warnings == []


@pytest.mark.asyncio
async def test_a_count_too_long_to_read_is_a_sentence():
    """A 5,000-digit `counts.resources` cannot even be parsed (Python's int limit)."""
    huge = b"9" * 5000

    def reply(seen: Seen) -> Raw:
        if seen.path.endswith("/customers/contacts"):
            return json_reply(
                {"data": [{"type": "contacts", "id": contact_id(0), "attributes": {}}]}
            )
        return Raw(
            200,
            b'{"data": [], "meta": {"pagination": {"counts": {"resources": ' + huge + b"}, "
            b'"offsets": {"next": 100}}}}',
        )

    with HostileServer(reply) as server:
        with pytest.raises(ViewerError) as caught:
            await lookup(server)
        assert len(page_requests(server)) == 1
    assert caught.value.message == "The server's reply could not be read (it is not valid JSON)."


# -- item 15: test connection -------------------------------------------------------------


def whoami_reply(organisations: list[str] | None, name: str = "Jane") -> Raw:
    attributes: dict = {
        "email": "jane@example.com",
        "profile": {"personal": {"first_name": name, "last_name": "Doe"}},
    }
    if organisations is not None:
        attributes["identities"] = [
            {"platform": "ctrl-hub", "id": "u1", "meta": {"organisation_id": org}}
            for org in organisations
        ]
    return json_reply({"data": {"type": "users", "id": "u1", "attributes": attributes}})


def hub_with(whoami: Raw, contacts: Raw) -> Callable[[Seen], Raw]:
    def reply(seen: Seen) -> Raw:
        if seen.path == "/v3/iam/whoami":
            return whoami
        if seen.path == f"/v3/orgs/{ORG}/customers/contacts":
            return contacts
        return json_reply({"errors": [{"status": "404", "title": "Not Found"}]}, 404)

    return reply


READABLE = json_reply({"data": [], "meta": {"pagination": {"counts": {"resources": 0}}}})
NOT_FOUND = json_reply({"errors": [{"status": "404", "title": "Not Found"}]}, 404)
FORBIDDEN = json_reply({"errors": [{"status": "403", "title": "Forbidden"}]}, 403)


@pytest_asyncio.fixture
async def test_profile():
    async def run(server: HostileServer):
        profile = Profile(
            "hostile",
            ctrlhub_url=server.url,
            ctrlhub_org=ORG,
            memory_secrets={"ctrlhub_token": "tok-SECRET-123"},
        )
        [check] = await check_connections(profile)
        return check

    return run


@pytest.mark.asyncio
async def test_no_whoami_but_readable_contacts_is_a_working_connection(test_profile):
    with HostileServer(hub_with(NOT_FOUND, READABLE)) as server:
        check = await test_profile(server)
        asked = [s.path for s in server.seen]
    assert check.ok, check.message
    assert check.message == (
        f"Ctrl-Hub answers at {server.url} and this organisation's customers can be "
        "read; who is signed in is unknown (Ctrl-Hub's who-am-I answered HTTP 404)."
    )
    assert "/v3/iam/whoami" in asked and "/v3/whoami" not in asked


@pytest.mark.asyncio
async def test_a_member_of_the_organisation_is_named(test_profile):
    with HostileServer(hub_with(whoami_reply([OTHER_ORG, ORG.upper()]), READABLE)) as server:
        check = await test_profile(server)
    assert check.ok
    assert check.message.endswith(
        "signed in as Jane Doe <jane@example.com>; this organisation's customers can be read."
    )


@pytest.mark.asyncio
async def test_a_user_outside_the_organisation_who_can_still_read_it_is_told_both(test_profile):
    with HostileServer(hub_with(whoami_reply([OTHER_ORG]), READABLE)) as server:
        check = await test_profile(server)
    assert check.ok
    assert check.message.endswith(
        f"signed in as Jane Doe <jane@example.com>, who does not belong to "
        f"organisation {ORG} (they belong to 1 other organisation), according "
        "to Ctrl-Hub's who-am-I; this organisation's customers can be read all "
        "the same."
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "refusal, said",
    [
        (FORBIDDEN, "may not see that organisation's customers"),
        (NOT_FOUND, "does not know this organisation id"),
    ],
)
async def test_a_user_outside_the_organisation_who_cannot_read_it_fails_saying_why(
    test_profile, refusal, said
):
    with HostileServer(hub_with(whoami_reply([]), refusal)) as server:
        check = await test_profile(server)
    assert not check.ok
    assert check.message.startswith(
        "Signed in to Ctrl-Hub as Jane Doe <jane@example.com>, who does not "
        f"belong to organisation {ORG} (nor to any other). "
    )
    assert said in check.message


@pytest.mark.asyncio
async def test_a_hostile_whoami_name_is_shown_visible_and_bounded(test_profile):
    name = "\u202eevil\u0007" + "x" * 1_000_000
    with HostileServer(hub_with(whoami_reply(None, name=name), READABLE)) as server:
        check = await test_profile(server)
    assert check.ok
    assert "\u202e" not in check.message and "\u0007" not in check.message
    assert len(check.message) < 400


@pytest.mark.asyncio
async def test_an_unreadable_whoami_reply_does_not_fail_the_test(test_profile):
    garbage = Raw(200, b'{"data": ')
    with HostileServer(hub_with(garbage, READABLE)) as server:
        check = await test_profile(server)
    assert check.ok
    assert check.message.endswith(
        "who is signed in is unknown (Ctrl-Hub's who-am-I reply could not be read)."
    )
