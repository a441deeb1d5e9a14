"""The Capillary client against the demo server over a real loopback socket."""

from __future__ import annotations

import logging
import socket

import pytest

from tests import seeds
from tests.conftest import (
    BULK_EXTERNAL_ID,
    FLAT_SAMPLE_MOBILE,
    NESTED_SAMPLE_MOBILE,
    TYPICAL_MOBILE,
    UNKNOWN_MOBILE,
    capillary_client,
)
from viewer.domain import AuthFailed, IdentifierKind, NotFound, Query, Unavailable
from viewer.sources.capillary import basic_auth_value


def mobile(value: str) -> Query:
    return Query(IdentifierKind.MOBILE, value)


def test_basic_auth_hashes_the_password_before_base64():
    # `echo -n "demo:$(echo -n demo-password | md5sum | cut -d' ' -f1)" | base64`
    assert basic_auth_value("demo", "demo-password") == (
        "Basic ZGVtbzo0YjRkOTUyOTE0OGQ4ZDk0NDBkN2UyMGM3ODI4N2Y2OQ=="
    )


@pytest.mark.asyncio
async def test_flat_shape_matches_the_vendor_sample(demo_server):
    client = capillary_client(demo_server.url)
    try:
        result = await client.lookup(mobile(FLAT_SAMPLE_MOBILE))
    finally:
        await client.aclose()
    sample = seeds.capillary_flat()
    expected = {
        (entry["name"], str(m["id"]), m["subject"], m["status"])
        for entry in sample["interaction"]
        for m in entry.get("messageList", [])
    }
    got = {(i.channel, i.id, i.subject, i.status) for i in result.interactions}
    assert got == expected
    assert result.customer.name == "Akash Vibertest"  # from customerDetails


@pytest.mark.asyncio
async def test_nested_shape_through_the_profile_url(demo_server):
    client = capillary_client(demo_server.url + "/shape/nested")
    try:
        result = await client.lookup(mobile(NESTED_SAMPLE_MOBILE))
    finally:
        await client.aclose()
    assert [i.subject for i in result.interactions] == [
        "Loyalty+ Release Notes - JFM'25 (Part 1️⃣)",
        "Loyalty+ Release Notes - JFM'25 (Part 2️⃣)",
    ]
    assert result.customer.source_ids["capillary"] == "565039505"


@pytest.mark.parametrize("shape", ["", "/shape/nested"])
@pytest.mark.asyncio
async def test_both_shapes_give_the_same_messages(demo_server, shape):
    client = capillary_client(demo_server.url + shape)
    try:
        result = await client.lookup(mobile(TYPICAL_MOBILE))
    finally:
        await client.aclose()
    assert len(result.interactions) > 10
    assert {i.channel for i in result.interactions} >= {"email", "sms"}


@pytest.mark.parametrize("shape", ["", "/shape/nested"])
@pytest.mark.asyncio
async def test_unknown_customer_is_not_found(demo_server, shape):
    client = capillary_client(demo_server.url + shape)
    try:
        with pytest.raises(NotFound) as caught:
            await client.lookup(mobile(UNKNOWN_MOBILE))
    finally:
        await client.aclose()
    assert caught.value.exit_code == 3


@pytest.mark.asyncio
async def test_wrong_password_is_an_auth_failure_without_the_secret(demo_server, caplog):
    caplog.set_level(logging.DEBUG)
    client = capillary_client(demo_server.url, password="wrong-password-XYZ")
    try:
        with pytest.raises(AuthFailed) as caught:
            await client.lookup(mobile(TYPICAL_MOBILE))
    finally:
        await client.aclose()
    error = caught.value
    shown = f"{error} {error.detail} {caplog.text}"
    assert "wrong-password-XYZ" not in shown
    assert basic_auth_value("demo", "wrong-password-XYZ").split()[1] not in shown
    client_logs = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("viewer.demo")
    )
    assert "/v2/customers/interaction" in client_logs
    assert TYPICAL_MOBILE not in client_logs  # query values are masked in logs too


@pytest.mark.asyncio
async def test_unreachable_server_is_unavailable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = capillary_client(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(Unavailable) as caught:
            await client.lookup(mobile(TYPICAL_MOBILE))
    finally:
        await client.aclose()
    assert "Cannot reach 127.0.0.1" in caught.value.message


@pytest.mark.asyncio
async def test_one_channel_is_asked_with_type(demo_server):
    client = capillary_client(demo_server.url)
    try:
        result = await client.lookup(mobile(TYPICAL_MOBILE), ["sms"])
    finally:
        await client.aclose()
    assert {i.channel for i in result.interactions} == {"sms"}
    assert any("type=sms" in path for _method, path in demo_server.requests)


@pytest.mark.asyncio
async def test_the_100k_customer(demo_server):
    client = capillary_client(demo_server.url)
    try:
        result = await client.lookup(Query(IdentifierKind.EXTERNAL_ID, BULK_EXTERNAL_ID))
    finally:
        await client.aclose()
    messages = [i for i in result.interactions if i.channel != "survey"]
    assert len(messages) == 100_000
