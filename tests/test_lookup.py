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


async def test_a_failing_source_keeps_its_sentence_not_the_reply_it_failed_on(demo_server):
    """A source's failure is kept by the search and shown; the frames it was raised through
    hold the reply being read (half a 100k reply here, cut mid-JSON). Kept with it, they made
    a cycle that the window's collector, off during searches and frozen after large ones,
    never freed: memory grew by the reply with every failing search."""
    import gc

    from viewer.domain import BadReply

    service = LookupService([capillary_client(f"{demo_server.url}/fault/malformed")])
    bulk = Query(IdentifierKind.EXTERNAL_ID, "BULK-100K")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        state = await service.final_state(bulk)
        await service.aclose()
        assert isinstance(state.failure, BadReply)  # said as before
        del state  # the search is over and replaced: what it kept must go with it
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        ours = [
            o
            for o in gc.garbage
            if type(o).__name__ == "frame" and "/viewer/" in o.f_code.co_filename
        ]
        assert ours == []  # no frame of ours (nor its locals) left to the collector
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
