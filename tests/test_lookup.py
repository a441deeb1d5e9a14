"""The lookup service: sources asked at once, answers merged, failures reported."""

from __future__ import annotations

import pytest

from tests.conftest import TYPICAL_MOBILE, UNKNOWN_MOBILE, capillary_client
from viewer.domain import AuthFailed, IdentifierKind, NotConfigured, NotFound, Query
from viewer.lookup import LookupService

pytestmark = pytest.mark.asyncio
TYPICAL = Query(IdentifierKind.MOBILE, TYPICAL_MOBILE)


async def test_one_source_failing_still_shows_the_other(demo_server):
    from tests.conftest import ctrlhub_client

    service = LookupService(
        [capillary_client(demo_server.url), ctrlhub_client(demo_server.url, "bad-token")]
    )
    try:
        result = await service.lookup(TYPICAL)
    finally:
        await service.aclose()
    assert result.interactions
    assert [type(e) for e in result.errors] == [AuthFailed]


async def test_all_failing_raises_the_most_telling(demo_server):
    service = LookupService([capillary_client(demo_server.url, "bad")])
    try:
        with pytest.raises(AuthFailed):
            await service.lookup(TYPICAL)
        with pytest.raises(NotFound):
            await LookupService([capillary_client(demo_server.url)]).lookup(
                Query(IdentifierKind.MOBILE, UNKNOWN_MOBILE)
            )
    finally:
        await service.aclose()


async def test_progress_is_reported(demo_server):
    seen = []
    service = LookupService([capillary_client(demo_server.url)])
    try:
        await service.lookup(
            TYPICAL, progress=lambda source, state: seen.append((source.value, state))
        )
    finally:
        await service.aclose()
    assert seen == [("capillary", "asking"), ("capillary", "done")]


async def test_newest_first_and_counts_in_tab_order(demo_server):
    service = LookupService([capillary_client(demo_server.url)])
    try:
        result = await service.lookup(TYPICAL)
    finally:
        await service.aclose()
    times = [i.occurred_at for i in result.interactions if i.occurred_at]
    assert times == sorted(times, reverse=True)
    assert list(result.counts)[:2] == ["email", "sms"]


async def test_nothing_configured():
    with pytest.raises(NotConfigured):
        await LookupService([]).lookup(TYPICAL)
