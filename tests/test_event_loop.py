"""The window's asyncio loop (viewer/ui/event_loop.py): a cancelled callback's Qt timer goes
at once. Under plain qasync, every read timeout of every reply stayed behind as a running
timer and came due 30 s later: hundreds at once after a large lookup, freezing the window."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QAbstractEventDispatcher

from tests.conftest import capillary_client
from viewer.domain import IdentifierKind, Query

TYPICAL = "919845012345"


def qt_timers_of(loop) -> int:
    """Timers Qt itself holds for the loop's callbacks (its dispatcher, not our count)."""
    return len(QAbstractEventDispatcher.instance().registeredTimers(loop._timers))


def test_a_cancelled_callback_never_runs_and_leaves_no_timer(qloop):
    ran: list[int] = []

    async def scenario() -> tuple[int, int]:
        handles = [qloop.call_later(30, ran.append, n) for n in range(500)]
        started = qt_timers_of(qloop)
        for handle in handles:
            handle.cancel()
        await asyncio.sleep(0.05)
        return started, qt_timers_of(qloop)

    started, left = qloop.run_until_complete(scenario())
    assert started >= 500
    assert left == 0 and qloop.timers_waiting() == 0
    assert ran == []


def test_callbacks_still_run_in_order_and_once(qloop):
    ran: list[str] = []

    async def scenario() -> None:
        qloop.call_later(0.05, ran.append, "later")
        for name in ("a", "b", "c"):
            qloop.call_soon(ran.append, name)
        cancelled = qloop.call_soon(ran.append, "cancelled")
        cancelled.cancel()
        cancelled.cancel()  # twice is harmless
        fired = qloop.call_soon(ran.append, "d")
        await asyncio.sleep(0.1)
        fired.cancel()  # after it ran: harmless too

    qloop.run_until_complete(scenario())
    assert ran == ["a", "b", "c", "d", "later"]
    assert qloop.timers_waiting() == 0


def test_cancelling_a_callback_that_ran_stops_no_other(qloop):
    """Qt hands a freed timer id out again (after 128 others, in Qt 6.11). A late cancel() of a
    callback that already ran must not stop the callback that has its old id by then
    (asyncio: cancelling a callback that ran has no effect)."""
    ran: list[str] = []

    async def scenario() -> None:
        early = qloop.call_soon(ran.append, "early")
        await asyncio.sleep(0.01)
        assert ran == ["early"]
        assert early._timer_id == 0  # it keeps no id of a timer it no longer has
        victim = qloop.call_later(0.05, ran.append, "victim")
        early._timer_id = victim._timer_id  # as if it still held it, and Qt had reused it
        early.cancel()
        await asyncio.sleep(0.1)

    qloop.run_until_complete(scenario())
    assert ran == ["early", "victim"]


def test_nothing_runs_once_the_loop_is_closed(qapp, qloop):
    ran: list[str] = []
    qloop.run_until_complete(asyncio.sleep(0))
    qloop.call_later(0.01, ran.append, "due before the close")
    qloop.close()
    qloop.call_soon(ran.append, "scheduled after the close")
    for _ in range(5):
        qapp.processEvents()
        time.sleep(0.01)
    assert ran == []


def test_a_lookup_leaves_no_timer_running(demo_server, qloop):
    """Every read of a reply runs under a 30 s timeout that is cancelled when the read is done.
    Before, a typical customer's lookup left 11–13 of those timers running."""

    async def scenario() -> int:
        client = capillary_client(demo_server.url)
        try:
            result = await client.lookup(Query(IdentifierKind.MOBILE, TYPICAL))
        finally:
            await client.aclose()
        assert result.interactions
        await asyncio.sleep(0)  # the loop's own callbacks of the finished lookup
        return qt_timers_of(qloop)

    assert qloop.run_until_complete(scenario()) == 0
