"""The window with both sources: Ctrl-Hub rows in the tabs, their full detail, failures."""

from __future__ import annotations

import pytest

from tests.conftest import (
    CTRLHUB_INTERACTION,
    CTRLHUB_MOBILE,
    CTRLHUB_ONLY_MOBILE,
    capillary_client,
    ctrlhub_client,
    until,
)
from tests.test_main_window import search_and_wait
from viewer.domain import Source
from viewer.lookup import LookupService
from viewer.ui.main_window import MainWindow


def make_window(qtbot, sources):
    win = MainWindow(LookupService(sources), profile_label="test")
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def window(qtbot, qloop, demo_server):
    win = make_window(qtbot, [capillary_client(demo_server.url), ctrlhub_client(demo_server.url)])
    yield win
    qloop.run_until_complete(win.shutdown())


def rows(window):
    return [window.model.interaction(r) for r in range(window.model.rowCount())]


def test_both_sources_share_the_channel_tabs(window, qloop):
    qloop.run_until_complete(search_and_wait(window, CTRLHUB_MOBILE))
    everything = rows(window)
    assert {i.source for i in everything} == {Source.CAPILLARY, Source.CTRLHUB}
    times = [i.occurred_at for i in everything]
    assert times == sorted(times, reverse=True)  # one timeline, newest first
    window.select_channel("phone")  # Ctrl-Hub "telephone" lands in Phone
    phone = rows(window)
    assert phone and all(i.channel == "phone" for i in phone)
    assert Source.CTRLHUB in {i.source for i in phone}
    tab = next(t for t in window.tab_titles() if t.startswith("Phone"))
    assert tab == f"Phone ({len(phone)})"


def test_a_ctrlhub_row_shows_names_not_uuids(window, qloop):
    async def scenario():
        await search_and_wait(window, CTRLHUB_MOBILE)
        window.select_channel("phone")
        row = next(r for r, i in enumerate(rows(window)) if i.id == CTRLHUB_INTERACTION)
        loaded = []
        window.detail_shown.connect(loaded.append)
        window.select_row(row)
        await until(lambda: loaded, what="the interaction detail")

    qloop.run_until_complete(scenario())
    shown = window.detail.values()
    assert shown["Contact"] == "Mr Oliver Smith"
    assert shown["Organisation"] == "Northfield Homes"
    assert shown["Logged by"] and "-" not in shown["Logged by"][:9]
    assert shown["Notes"] == "Called to confirm the boiler service appointment."
    assert shown["Contacted"] == "yes"
    assert not any(
        len(v) == 36 and v.count("-") == 4 for k, v in shown.items() if k != "Interaction id"
    )
    assert '"customer-interactions"' in window.detail.raw.toPlainText()


def test_one_source_down_still_shows_the_other(qtbot, qloop, demo_server):
    win = make_window(
        qtbot, [capillary_client(demo_server.url), ctrlhub_client(demo_server.url, token="expired")]
    )
    try:
        qloop.run_until_complete(search_and_wait(win, CTRLHUB_MOBILE))
        assert rows(win) and {i.source for i in rows(win)} == {Source.CAPILLARY}
        assert win.message_bar.severity == "warning"
        assert (
            "Ctrl-Hub" in win.message_bar.text.text()
            and "sign in again" in win.message_bar.text.text()
        )
    finally:
        qloop.run_until_complete(win.shutdown())


def test_a_customer_only_in_ctrlhub(window, qloop):
    qloop.run_until_complete(search_and_wait(window, CTRLHUB_ONLY_MOBILE))
    assert window.card.name.text() == "Olumide Adeyemi"
    assert {i.source for i in rows(window)} == {Source.CTRLHUB}
    assert "Capillary has no customer" in window.message_bar.text.text()


def test_pasting_an_interaction_id_opens_it(window, qloop):
    qloop.run_until_complete(search_and_wait(window, CTRLHUB_INTERACTION.upper()))
    assert window.selected_interaction().id == CTRLHUB_INTERACTION
    assert window.detail.values()["Contact"] == "Mr Oliver Smith"  # shown at once, no refetch
    assert window.card.name.text() == "Oliver Smith"
    assert len(rows(window)) > 1  # the contact's other interactions fill the list
