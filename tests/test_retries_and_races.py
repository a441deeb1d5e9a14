"""Retries counted at the demo server, cancellation during backoff, racing searches, leaks."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE, capillary_client, until
from tests.hostile_server import HostileServer, Raw
from tests.test_main_window import search, search_and_wait
from viewer.demo import DemoServer
from viewer.demo.faults import Fault
from viewer.domain import AuthFailed, IdentifierKind, Query, Unavailable
from viewer.lookup import LookupService
from viewer.sources import http
from viewer.ui.main_window import MainWindow

TYPICAL = Query(IdentifierKind.MOBILE, TYPICAL_MOBILE)
INTERACTIONS = "/v2/customers/interaction"


def attempts(server: DemoServer, prefix: str) -> int:
    return sum(1 for _m, path in server.requests if path.startswith(prefix + INTERACTIONS))


@pytest.fixture
def server():
    with DemoServer() as own:
        yield own


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("spec", "tries"),
    [("503", http.MAX_ATTEMPTS), ("521", http.MAX_ATTEMPTS), ("401", 1), ("403", 1), ("404", 1)],
)
async def test_only_safe_failures_are_retried(server, monkeypatch, spec, tries):
    monkeypatch.setattr(http, "BACKOFF_BASE_S", 0.01)
    client = capillary_client(f"{server.url}/fault/{spec}")
    try:
        with pytest.raises((Unavailable, AuthFailed)):
            await client.lookup(TYPICAL)
    finally:
        await client.aclose()
    assert attempts(server, f"/fault/{spec}") == tries


@pytest.mark.asyncio
async def test_retry_after_is_honoured(server, monkeypatch):
    monkeypatch.setattr(http, "MAX_ATTEMPTS", 2)
    client = capillary_client(f"{server.url}/fault/429/1")
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable, match="limiting requests"):
            await client.lookup(TYPICAL)
    finally:
        await client.aclose()
    assert time.monotonic() - started >= 1.0  # waited the second the server asked for
    assert attempts(server, "/fault/429/1") == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["²", "¹.5", "-1", "1e9", "soon"])
async def test_a_retry_after_that_is_not_a_number_is_ignored(monkeypatch, value):
    """Headers are read as Latin-1, so a hostile server can send "²", which isdigit() calls a
    digit and float() refuses: the retry comes after the usual backoff, with a sentence."""
    monkeypatch.setattr(http, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(http, "BACKOFF_BASE_S", 0.01)
    limited = Raw(429, b"{}", [("Content-Type", "application/json"), ("Retry-After", value)])
    with HostileServer(lambda _seen: limited) as hostile:
        client = capillary_client(hostile.url)
        try:
            with pytest.raises(Unavailable, match="limiting requests"):
                await client.lookup(TYPICAL)
        finally:
            await client.aclose()
        assert hostile.count(INTERACTIONS) == 2


def test_a_new_search_during_backoff_cancels_it_at_once(qtbot, qloop, server):
    server.fault = Fault("429", 5)  # "come back in 5 s" for every request...
    window = MainWindow(LookupService([capillary_client(server.url)]))
    qtbot.addWidget(window)

    async def scenario():
        search(window, TYPICAL_MOBILE)
        slow = window.searches.task
        await until(lambda: server.request_count >= 1, what="the first (429) reply")
        server.fault = None  # ...then the server recovers, but the old search sleeps 5 s
        started = time.monotonic()
        await search_and_wait(window, CTRLHUB_MOBILE)
        return slow, time.monotonic() - started

    slow, took = qloop.run_until_complete(scenario())
    qloop.run_until_complete(window.shutdown())
    assert slow.cancelled() and took < 2.0
    assert window.result.query.value == CTRLHUB_MOBILE


def test_200_searches_in_quick_succession_end_with_the_last(qtbot, qloop, demo_server):
    window = MainWindow(LookupService([capillary_client(demo_server.url)]))
    qtbot.addWidget(window)
    customers = ["919845012345", "4915112345678", "34612345678", "84912345678", "447700900123"]

    async def scenario():
        for n in range(200):
            search(window, customers[n % len(customers)])
            await asyncio.sleep(0)  # let some of them get going before the next replaces them
        await until(lambda: window.searches.task.done(), what="the last search")

    qloop.run_until_complete(scenario())
    qloop.run_until_complete(window.shutdown())
    assert window.result.query.value == customers[199 % len(customers)]
    assert window.search_bar.busy.isHidden()


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.asyncio
async def test_1000_lookups_leak_no_sockets_or_tasks(demo_server):
    service = LookupService([capillary_client(demo_server.url)])
    try:
        # Warm up at the same load (20 at once): the connection pool grows to its working size.
        for _ in range(5):
            await asyncio.gather(*(service.lookup(TYPICAL) for _ in range(20)))
        files, tasks = _open_files(), len(asyncio.all_tasks())
        for _ in range(45):  # with the warm-up, 1,000 lookups
            await asyncio.gather(*(service.lookup(TYPICAL) for _ in range(20)))
        await asyncio.sleep(0.1)
        assert len(asyncio.all_tasks()) <= tasks
        assert _open_files() <= files + 2, "sockets grow with the number of lookups"
    finally:
        await service.aclose()
