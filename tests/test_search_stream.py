"""The search stream without Qt: each source's answer arrives as its own state, the saved
copy paints first, failures are named per source, and a newer search silences an older one.
Against the demo server's fault injection on a real loopback socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import pytest

from tests.conftest import CTRLHUB_MOBILE
from viewer import search
from viewer.cache import OfflineStore
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN
from viewer.domain import AuthFailed, IdentifierKind, NotFound, Query, Source
from viewer.lookup import LookupService
from viewer.search import SourceState
from viewer.sources import http
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings

pytestmark = pytest.mark.asyncio
OLIVER = Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE)  # in both systems


def service(
    url: str,
    *,
    capillary: str = "",
    ctrlhub: str = "",
    store=None,
    password=DEMO_CAPILLARY_PASSWORD,
):
    """Both sources against the demo server; `capillary`/`ctrlhub` name a fault for that one."""
    cap_url = f"{url}/fault/{capillary}" if capillary else url
    ch_url = f"{url}/fault/{ctrlhub}" if ctrlhub else url
    return LookupService(
        [
            CapillaryClient(CapillarySettings(cap_url, "demo", password, "Asia/Kolkata")),
            CtrlHubClient(CtrlHubSettings(ch_url, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN)),
        ],
        store,
        "office",
        deadline_s=8,
    )


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(http, "BACKOFF_BASE_S", 0.01)


async def seen_before(url: str, tmp_path) -> OfflineStore:
    """A store in which Oliver was looked up (and saved) before the test's search."""
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    seeding = service(url, store=store)
    await seeding.lookup(OLIVER)
    while seeding._saving:
        await asyncio.sleep(0.02)
    await seeding.aclose()
    return store


async def collect(stream):
    """Every state with the moment it arrived."""
    start = time.perf_counter()
    return [(time.perf_counter() - start, state) async for state in stream]


async def test_sources_answering_close_together_are_painted_once(demo_server, monkeypatch):
    """Each paint lays out the whole window, so a source answering within SETTLE_S of
    another comes in the same state: one paint with both, not one paint each."""
    monkeypatch.setattr(search, "SETTLE_S", 1.5)  # generous: a busy CI machine is slow
    svc = service(demo_server.url, ctrlhub="delay/0.3")
    try:
        states = await collect(svc.search(OLIVER))
    finally:
        await svc.aclose()
    with_rows = [state for _, state in states if state.result is not None]
    assert len(with_rows) == 1 and with_rows[0].final
    assert {status.state for status in with_rows[0].sources} == {SourceState.LIVE}


async def test_the_fast_source_is_shown_while_the_slow_one_is_still_loading(demo_server):
    svc = service(demo_server.url, ctrlhub="delay/2")
    try:
        states = await collect(svc.search(OLIVER))
    finally:
        await svc.aclose()
    first_rows = next((t, s) for t, s in states if s.result is not None)
    took, state = first_rows
    assert took < 1.0, f"Capillary's rows waited {took:.2f} s for Ctrl-Hub"
    assert state.status_of(Source.CAPILLARY).state is SourceState.LIVE
    assert state.status_of(Source.CTRLHUB).state is SourceState.WAITING
    assert {i.source for i in state.result.interactions} == {Source.CAPILLARY}
    assert not state.final
    last_took, last = states[-1]
    assert last.final and last_took >= 2.0
    assert {i.source for i in last.result.interactions} == {Source.CAPILLARY, Source.CTRLHUB}
    assert states[0][1].waiting == (Source.CAPILLARY, Source.CTRLHUB)  # the first state: both asked


async def test_both_sources_failing_are_each_named(demo_server, quick_retries):
    svc = service(demo_server.url, ctrlhub="503", password="wrong-password-XYZ")
    try:
        states = await collect(svc.search(OLIVER))
    finally:
        await svc.aclose()
    final = states[-1][1]
    assert final.final and final.result is None
    assert isinstance(final.failure, AuthFailed)  # the most telling one leads
    failed = {s.source: s for s in final.failed}
    assert set(failed) == {Source.CAPILLARY, Source.CTRLHUB}
    assert "password" in failed[Source.CAPILLARY].sentence
    assert "503" in failed[Source.CTRLHUB].sentence


async def test_a_saved_customer_paints_first_then_each_live_answer_replaces_its_part(
    demo_server, tmp_path
):
    store = await seen_before(demo_server.url, tmp_path)

    svc = service(demo_server.url, ctrlhub="delay/1.5", capillary="delay/0.5", store=store)
    try:
        states = await collect(svc.search(OLIVER))
    finally:
        await svc.aclose()
    shown = [s for _, s in states if s.result is not None]
    assert shown[0].result.from_cache
    assert all(st.state is SourceState.SAVED and st.refreshing for st in shown[0].sources)
    middle = shown[1]  # Capillary live, Ctrl-Hub still its saved rows
    assert middle.status_of(Source.CAPILLARY).state is SourceState.LIVE
    assert middle.status_of(Source.CTRLHUB).state is SourceState.SAVED
    assert middle.status_of(Source.CTRLHUB).refreshing
    assert {i.source for i in middle.result.interactions} == {Source.CAPILLARY, Source.CTRLHUB}
    assert shown[-1].final and not shown[-1].result.from_cache
    assert all(st.state is SourceState.LIVE for st in shown[-1].sources)


async def test_a_failing_source_shows_its_saved_rows_with_its_sentence(
    demo_server, tmp_path, quick_retries
):
    store = await seen_before(demo_server.url, tmp_path)

    svc = service(demo_server.url, ctrlhub="500", store=store)
    try:
        final = (await collect(svc.search(OLIVER)))[-1][1]
    finally:
        await svc.aclose()
    ctrlhub = final.status_of(Source.CTRLHUB)
    assert ctrlhub.state is SourceState.SAVED and ctrlhub.error is not None and ctrlhub.saved_at
    assert ctrlhub in final.failed
    assert any(i.source is Source.CTRLHUB for i in final.result.interactions)
    assert any("showing the data saved" in w for w in final.result.warnings)


async def test_a_newer_search_silences_the_older_one(demo_server):
    svc = service(demo_server.url, ctrlhub="delay/1")
    try:
        older = svc.search(OLIVER)
        first = await older.__anext__()  # asked, nothing yet
        newer = await collect(svc.search(Query(IdentifierKind.MOBILE, "919845012345")))
        rest = [s async for s in older]
    finally:
        await svc.aclose()
    assert first.waiting
    assert rest == [], "a late answer to the older search reached the screen"
    assert newer[-1][1].final and newer[-1][1].result.customer.name == "Priya Sharma"


async def test_unknown_customer_is_one_final_sentence(demo_server):
    svc = service(demo_server.url)
    try:
        final = (await collect(svc.search(Query(IdentifierKind.MOBILE, "911111111111"))))[-1][1]
    finally:
        await svc.aclose()
    assert final.final and final.result is None and isinstance(final.failure, NotFound)
    assert {s.state for s in final.sources} == {SourceState.NOT_FOUND}


async def test_working_offline_answers_from_saved_data_and_sends_nothing(demo_server, tmp_path):
    store = await seen_before(demo_server.url, tmp_path)
    before = demo_server.request_count
    svc = service(demo_server.url, store=store)
    svc.offline = True
    try:
        states = await collect(svc.search(OLIVER))
    finally:
        await svc.aclose()
    assert demo_server.request_count == before
    assert len(states) == 1 and states[0][1].final and states[0][1].result.from_cache


async def test_every_source_is_asked_before_the_first_state(demo_server, monkeypatch):
    """The first state greys the customer on screen, and the window repaints all of itself
    for it (10–20 ms): each source's request is under way before that, so the repaint
    happens while the request travels instead of before it."""
    svc = service(demo_server.url)
    asked: list[Source] = []
    for client in svc.sources:

        async def observed(*args, _lookup=client.lookup, _source=client.source, **kwargs):
            asked.append(_source)
            return await _lookup(*args, **kwargs)

        monkeypatch.setattr(client, "lookup", observed)
    stream = svc.search(OLIVER)
    try:
        first = await anext(stream)
        assert not first.final and first.result is None
        assert sorted(asked) == sorted([Source.CAPILLARY, Source.CTRLHUB])
    finally:
        await stream.aclose()
        await svc.aclose()


async def test_a_source_that_answers_before_the_first_state_is_in_the_answer(
    demo_server, monkeypatch
):
    """A source can answer while the stream lets the requests go out (or while a state is
    painted): its answer is taken like any other, not lost."""
    svc = service(demo_server.url)
    capillary = next(c for c in svc.sources if c.source is Source.CAPILLARY)
    answer = await capillary.lookup(OLIVER, ())

    async def at_once(*_args, **_kwargs):
        return answer  # no wait at all: done within its task's first step

    monkeypatch.setattr(capillary, "lookup", at_once)
    try:
        states = [state async for state in svc.search(OLIVER)]
    finally:
        await svc.aclose()
    final = states[-1]
    assert final.final and final.result is not None
    assert final.status_of(Source.CAPILLARY).state is SourceState.LIVE
    assert {i.source for i in final.result.interactions} == {Source.CAPILLARY, Source.CTRLHUB}


async def test_the_requests_have_left_when_the_first_state_is_painted(demo_server):
    """Proof on the wire: the window is busy (greying, painting) from the first state on, and
    the server already has the requests, on connections kept from an earlier lookup."""
    svc = service(demo_server.url)
    try:
        await svc.lookup(OLIVER)  # the connections a later search reuses
        before = demo_server.request_count
        async with contextlib.aclosing(svc.search(OLIVER)) as stream:
            await anext(stream)
            time.sleep(0.3)  # the window painting, this loop blocked: the server is not
            assert demo_server.request_count >= before + 2  # Capillary's two, Ctrl-Hub's first
    finally:
        await svc.aclose()


async def test_an_answer_that_arrives_while_a_state_is_painted_is_not_lost(demo_server):
    """The stream is suspended at each state while the window paints it; a source that
    answers meanwhile is taken when the stream goes on."""
    svc = service(demo_server.url, ctrlhub="delay/0.6")
    states = []
    try:
        async with contextlib.aclosing(svc.search(OLIVER)) as stream:
            async for state in stream:
                states.append(state)
                await asyncio.sleep(0.3)  # a slow paint: Capillary answers during the first
    finally:
        await svc.aclose()
    final = states[-1]
    assert final.final and final.result is not None
    assert final.status_of(Source.CAPILLARY).state is SourceState.LIVE
    assert final.status_of(Source.CTRLHUB).state is SourceState.LIVE
    assert {i.source for i in final.result.interactions} == {Source.CAPILLARY, Source.CTRLHUB}
