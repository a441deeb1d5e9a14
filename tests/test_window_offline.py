"""The window with saved data: instant repaint, refresh, offline banner, offline switch."""

from __future__ import annotations

import os

import pytest

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE, capillary_client, ctrlhub_client, until
from tests.test_main_window import search, search_and_wait
from viewer.cache import OfflineStore
from viewer.demo import DemoServer
from viewer.lookup import LookupService
from viewer.ui.main_window import MainWindow


@pytest.fixture
def server():
    with DemoServer() as own:  # this test's own server: it gets stopped
        yield own


@pytest.fixture
def window(qtbot, qloop, server, tmp_path):
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    service = LookupService(
        [capillary_client(server.url), ctrlhub_client(server.url)], store, "office"
    )
    win = MainWindow(service, profile_label="office")
    qtbot.addWidget(win)
    win.show()
    shown = []
    win.result_shown.connect(
        lambda _took: shown.append((win.result.from_cache, win.message_bar.text.text()))
    )
    win.shown = shown
    yield win
    qloop.run_until_complete(win.shutdown())
    store.close()


async def saved_once(window, text):
    await search_and_wait(window, text)
    await until(lambda: not window.service._saving, what="the save")


def test_a_customer_seen_before_paints_from_saved_data_then_refreshes(window, qloop, server):
    async def scenario():
        await saved_once(window, CTRLHUB_MOBILE)
        window.select_channel("phone")
        window.select_row(2)
        chosen = window.selected_interaction().key
        window.shown.clear()
        for source in window.service.sources:  # a real network is slower than this loopback
            source._http.base_url = f"{server.url}/fault/delay/1.0"
        await search_and_wait(window, CTRLHUB_MOBILE)
        return chosen

    chosen = qloop.run_until_complete(scenario())
    # Saved copy first, then each source's live answer as it comes (Ctrl-Hub's part stays
    # its saved rows until Ctrl-Hub answers), ending live.
    (first_cached, first_note), (second_cached, _) = window.shown[0], window.shown[-1]
    assert first_cached is True and "Saved a moment ago — refreshing…" in first_note
    assert second_cached is False and not window.result.from_cache
    assert window.tabs.tabData(window.tabs.currentIndex()) == "phone"  # the tab stayed
    assert window.selected_interaction().key == chosen  # and the selected row


def test_server_down_keeps_the_saved_data_with_the_reason(window, qloop, server):
    qloop.run_until_complete(saved_once(window, TYPICAL_MOBILE))
    rows = window.model.rowCount()
    server.stop()
    qloop.run_until_complete(search_and_wait(window, TYPICAL_MOBILE))
    assert window.result.from_cache and window.model.rowCount() == rows
    text = window.message_bar.text.text()
    assert text.startswith("Offline — showing data saved a moment ago.") and "Cannot reach" in text


def test_working_offline_sends_nothing(window, qloop, server):
    qloop.run_until_complete(saved_once(window, TYPICAL_MOBILE))
    window.set_offline(True)
    before = server.request_count
    qloop.run_until_complete(search_and_wait(window, TYPICAL_MOBILE))
    assert window.result.from_cache and "Working offline" in window.message_bar.text.text()
    qloop.run_until_complete(search_and_wait(window, "919999999999"))
    assert "not in the saved data" in window.message_bar.text.text()
    assert server.request_count == before
    assert window.offline_label.isVisible()


def test_recent_customers_open_with_one_click(window, qloop, server):
    async def scenario():
        await saved_once(window, TYPICAL_MOBILE)
        await saved_once(window, CTRLHUB_MOBILE)
        await until(lambda: len(window.recent_entries) == 2, what="the recent list")

    qloop.run_until_complete(scenario())
    actions = window.search_bar.recent_menu.actions()
    assert actions[0].text().startswith("Oliver Smith") and actions[1].text().startswith(
        "Priya Sharma"
    )
    server.stop()
    search(window, "")  # clear nothing; now open Priya from the list, offline
    generation = window.searches.generation
    actions[1].trigger()
    qloop.run_until_complete(
        until(lambda: window.searches.generation > generation and window.searches.task.done())
    )
    assert window.result.customer.name == "Priya Sharma" and window.result.from_cache
