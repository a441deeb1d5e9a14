"""The Ctrl-Hub client against the demo server over a real loopback socket."""

from __future__ import annotations

import logging

import pytest
import pytest_asyncio

from tests.conftest import (
    CTRLHUB_INTERACTION,
    CTRLHUB_MOBILE,
    CTRLHUB_ONLY_MOBILE,
    PAGED_EMAIL,
    UNKNOWN_MOBILE,
    ctrlhub_client,
)
from viewer.domain import (
    AuthFailed,
    BadInput,
    IdentifierKind,
    NotConfigured,
    NotFound,
    Query,
    Source,
)
from viewer.sources import ctrlhub


@pytest_asyncio.fixture
async def client(demo_server):
    made = ctrlhub_client(demo_server.url)
    yield made
    await made.aclose()


@pytest.mark.asyncio
async def test_lookup_by_mobile_finds_the_contacts_interactions(client):
    result = await client.lookup(Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE))
    assert result.customer.name == "Oliver Smith"
    assert result.customer.source_ids["ctrlhub"]
    assert result.interactions and all(i.source is Source.CTRLHUB for i in result.interactions)
    assert {i.channel for i in result.interactions} <= {"email", "sms", "phone", "letter", "visit"}
    assert all(i.counterpart == "Mr Oliver Smith" for i in result.interactions)  # from included


@pytest.mark.asyncio
async def test_paging_is_followed(client, demo_server, monkeypatch):
    monkeypatch.setattr(ctrlhub, "PAGE_SIZE", 40)
    before = len(demo_server.requests)
    result = await client.lookup(Query(IdentifierKind.EMAIL, PAGED_EMAIL))
    assert len(result.interactions) == 150
    assert len({i.id for i in result.interactions}) == 150
    pages = [p for _m, p in demo_server.requests[before:] if "/customers/interactions?" in p]
    assert len(pages) == 4 and any("offset=120" in p for p in pages)


@pytest.mark.asyncio
async def test_the_row_cap_says_more_are_available(client, monkeypatch):
    monkeypatch.setattr(ctrlhub, "MAX_ROWS", 60)
    result = await client.lookup(Query(IdentifierKind.EMAIL, PAGED_EMAIL))
    assert len(result.interactions) == 60
    assert any("more interactions are available" in w for w in result.warnings)


@pytest.mark.asyncio
async def test_detail_resolves_every_relationship(client):
    detail = await client.interaction_detail(CTRLHUB_INTERACTION)
    names = {role: r.name for role, r in detail.related.items() if r}
    assert names["contact"] == "Mr Oliver Smith"
    assert names["organisation"] == "Northfield Homes"
    assert names["property"].endswith("S18 9ZN")
    assert all(names.values())
    assert detail.document["data"]["id"] == CTRLHUB_INTERACTION


@pytest.mark.asyncio
async def test_a_pasted_interaction_id_opens_it_with_its_contacts_history(client):
    result = await client.lookup(Query(IdentifierKind.INTERACTION_ID, CTRLHUB_INTERACTION))
    assert result.opened.interaction.id == CTRLHUB_INTERACTION
    assert result.customer.name == "Oliver Smith" and result.customer.mobile == CTRLHUB_MOBILE
    assert len(result.interactions) > 1


@pytest.mark.asyncio
async def test_unknown_ids_and_customers_are_not_found(client):
    with pytest.raises(NotFound, match="no interaction"):
        await client.interaction_detail("00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFound, match="no contact"):
        await client.lookup(Query(IdentifierKind.MOBILE, UNKNOWN_MOBILE))


@pytest.mark.asyncio
async def test_a_bad_uuid_is_refused_before_sending(client, demo_server):
    before = demo_server.request_count
    with pytest.raises(BadInput):
        await client.interaction_detail("../../whoami")
    assert demo_server.request_count == before


def test_a_bad_organisation_id_is_a_setup_error(demo_server):
    with pytest.raises(NotConfigured, match="organisation id"):
        ctrlhub_client(demo_server.url, org="my-org")


@pytest.mark.asyncio
async def test_a_wrong_token_is_an_auth_failure_without_the_token(demo_server, caplog):
    caplog.set_level(logging.DEBUG)
    bad = ctrlhub_client(demo_server.url, token="expired-token-XYZ")
    try:
        with pytest.raises(AuthFailed) as caught:
            await bad.lookup(Query(IdentifierKind.MOBILE, CTRLHUB_ONLY_MOBILE))
    finally:
        await bad.aclose()
    assert "sign in again" in caught.value.message
    assert "expired-token-XYZ" not in f"{caught.value} {caught.value.detail} {caplog.text}"


@pytest.mark.asyncio
async def test_an_unknown_organisation_is_explained(demo_server):
    other = ctrlhub_client(demo_server.url, org="11111111-1111-4111-8111-111111111111")
    try:
        with pytest.raises(AuthFailed, match="organisation"):
            await other.lookup(Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE))
    finally:
        await other.aclose()


@pytest.mark.asyncio
async def test_test_connection_asks_iam_whoami_and_names_a_member(client, demo_server):
    before = demo_server.request_count
    said = await client.test_connection()
    assert said.endswith("; this organisation's customers can be read.")
    assert "signed in as" in said and "does not belong" not in said
    asked = [p for _m, p in demo_server.requests[before:]]
    assert any(p.startswith("/v3/iam/whoami") for p in asked)
    assert not any(p.startswith("/v3/whoami") for p in asked)
