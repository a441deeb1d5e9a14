"""Work that competes with the window for the GIL waits for the answer to be on screen:
the offline save starts once the search stream's final state was taken (the window takes it
after the paint), `NextPaint` tells when a widget has painted, and the garbage collector
leaves the GUI thread alone while a search runs. A real widget on the offscreen platform,
the demo server on loopback, a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
import weakref

from PySide6.QtWidgets import QLabel

from tests.conftest import CTRLHUB_INTERACTION, CTRLHUB_MOBILE
from viewer.cache import OfflineStore
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN
from viewer.domain import IdentifierKind, Query, Source
from viewer.lookup import LookupService
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings
from viewer.ui import next_paint
from viewer.ui.gc_guard import GuiThreadGarbageCollector, collections_deferred
from viewer.ui.next_paint import NextPaint

OLIVER = Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE)


def ctrlhub_service_saving_in(folder, demo_server) -> tuple[OfflineStore, LookupService]:
    store = OfflineStore.open(folder / "saved", os.urandom(32))
    client = CtrlHubClient(CtrlHubSettings(demo_server.url, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN))
    return store, LookupService([client], store, "office")


def test_the_answer_is_saved_once_its_final_state_was_taken(demo_server, tmp_path, qloop):
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    service = LookupService(
        [
            CapillaryClient(CapillarySettings(demo_server.url, "demo", DEMO_CAPILLARY_PASSWORD)),
            CtrlHubClient(CtrlHubSettings(demo_server.url, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN)),
        ],
        store,
        "office",
    )
    saves: list[str] = []
    real_save_later = service.save_later
    service.save_later = lambda *args: (saves.append("asked"), real_save_later(*args))[1]

    async def scenario() -> list[str]:
        asked_before_taken = []
        async with contextlib.aclosing(service.search(OLIVER)) as states:
            async for state in states:
                if state.final:
                    asked_before_taken = list(saves)
                    await asyncio.sleep(0.2)  # the window painting: nothing is saved meanwhile
                    assert not saves and store.load_lookup("office", OLIVER, False) is None
        await service.aclose()  # waits for the save
        return asked_before_taken

    assert qloop.run_until_complete(scenario()) == []
    assert saves == ["asked"]
    assert store.load_lookup("office", OLIVER, False) is not None  # viewable offline now
    store.close()


def test_next_paint_waits_for_the_widget_to_paint(qloop):
    label = QLabel("Priya Sharma")
    label.show()

    async def scenario() -> tuple[float, float]:
        await asyncio.sleep(0.05)  # shown and painted once
        painter = NextPaint(label)
        armed = painter.arm()
        label.setText("Oliver Smith")  # a change: Qt paints it on a later turn of the loop
        start = time.monotonic()
        await painter.wait(armed, most_s=5)
        painted = time.monotonic() - start
        start = time.monotonic()
        await painter.wait(most_s=0.2)  # nothing changes: no paint, so the time limit
        return painted, time.monotonic() - start

    async def armed_but_never_awaited() -> bool:
        painter = NextPaint(label)
        painter.arm()  # as by a task cancelled before its first step
        label.setText("Priya Sharma")
        await asyncio.sleep(0.2)
        return painter.watching

    painted, unchanged = qloop.run_until_complete(scenario())
    assert not qloop.run_until_complete(armed_but_never_awaited())  # let go at the paint
    assert painted < 1 and 0.15 < unchanged < 1
    label.hide()
    started = time.monotonic()
    qloop.run_until_complete(NextPaint(label).wait(most_s=5))  # hidden: nothing to wait for
    assert time.monotonic() - started < 0.5
    assert next_paint.MOST_S <= 0.5  # what a widget that never paints can delay


def test_no_collection_on_the_gui_thread_while_a_search_runs():
    class Node:
        pass

    def cycle() -> weakref.ref:
        node = Node()
        node.me = node  # only the cyclic collector frees this
        return weakref.ref(node)

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        with collections_deferred():
            garbage = cycle()
            young = [[] for _ in range(1_000)]  # past the youngest generation's threshold
            GuiThreadGarbageCollector.collect_due()
            assert garbage() is not None  # left for later: a search is running
        GuiThreadGarbageCollector.collect_due()
        assert garbage() is None  # collected once it is over
        assert len(young) == 1_000
    finally:
        if was_enabled:
            gc.enable()


def test_clearing_saved_data_waits_for_the_answer_on_screen_to_be_saved(
    demo_server, tmp_path, qloop
):
    """Pressing "Clear saved data" while the window paints an answer: the answer's save is
    due once the paint is over, so the clear waits for it instead of being undone by it."""
    store, service = ctrlhub_service_saving_in(tmp_path, demo_server)

    async def scenario() -> None:
        async with contextlib.aclosing(service.search(OLIVER)) as states:
            async for state in states:
                if state.final:
                    clearing = asyncio.ensure_future(service.clear_saved())
                    await asyncio.sleep(0.2)  # the window painting
                    assert not clearing.done()  # it waits for the save it would undo
        await clearing
        await service.aclose()

    qloop.run_until_complete(scenario())
    assert store.load_lookup("office", OLIVER, False) is None
    assert store.recent("office") == []
    store.close()


def test_a_search_in_flight_when_saved_data_is_cleared_keeps_nothing(demo_server, tmp_path, qloop):
    """Pressing "Clear saved data" while a search is still asking: its answer arrives after
    the clear, and is shown, but this computer keeps nothing of it."""
    store, service = ctrlhub_service_saving_in(tmp_path, demo_server)

    async def scenario() -> str:
        shown = ""
        async with contextlib.aclosing(service.search(OLIVER)) as states:
            cleared = False
            async for state in states:
                if not cleared:
                    assert not state.final  # still asking
                    await service.clear_saved()
                    cleared = True
                if state.final and state.result is not None:
                    shown = state.result.customer.name or ""
        await service.aclose()  # would wait for a save, if there were one
        return shown

    assert qloop.run_until_complete(scenario())  # the answer was shown
    assert store.load_lookup("office", OLIVER, False) is None
    assert store.recent("office") == []
    store.close()


def test_a_detail_in_flight_when_saved_data_is_cleared_is_not_kept(demo_server, tmp_path, qloop):
    store, service = ctrlhub_service_saving_in(tmp_path, demo_server)

    async def scenario() -> str:
        fetching = asyncio.ensure_future(
            service.interaction_detail(Source.CTRLHUB, CTRLHUB_INTERACTION)
        )
        await asyncio.sleep(0)  # asked; the reply is still on its way
        assert not fetching.done()
        await service.clear_saved()
        detail = await fetching
        await service.aclose()
        return detail.interaction.id

    assert qloop.run_until_complete(scenario()) == CTRLHUB_INTERACTION  # shown
    assert store.load_detail("office", CTRLHUB_INTERACTION) is None
    store.close()
