"""A search typed while the window opens its connection (the window is on screen before
the saved data and the sources are ready, and after a profile switch) waits for it and then
runs, instead of failing with "No connection is set up"."""

from __future__ import annotations

import pytest

from tests.conftest import until
from tests.test_main_window import search
from viewer.ui.connection_controller import ConnectionController
from viewer.ui.main_window import MainWindow
from viewer.wiring import demo_profile


@pytest.fixture
def window(qtbot, qloop):
    win = MainWindow(None)
    qtbot.addWidget(win)
    win.show()
    yield win
    qloop.run_until_complete(win.shutdown())


def test_a_search_typed_while_the_profile_opens_runs_once_it_is_open(window, qloop, demo_server):
    controller = ConnectionController(window, lambda: demo_profile(demo_server.url))
    try:
        controller.use(demo_profile(demo_server.url))
        search(window, "+44 7700 900123")  # Enter before the sources are built
        assert window.service is None and window.searches.waiting is not None
        assert "Opening the connection" in window.statusBar().currentMessage()
        assert window.search_bar.busy.isVisibleTo(window)  # the spinner says it is under way
        assert "No connection" not in window.message_bar.text.text()
        qloop.run_until_complete(  # one run of the loop: the opening, then the search
            until(lambda: window.card.name.text() == "Oliver Smith", what="the waiting search")
        )
        assert window.searches.waiting is None
    finally:
        qloop.run_until_complete(controller.shutdown())


def test_when_no_connection_can_be_opened_the_waiting_search_says_so(window, qloop):
    window.set_connecting(True)  # as the start of the program does
    search(window, "+44 7700 900123")
    assert "No connection" not in window.message_bar.text.text()
    window.set_connecting(False)  # the start found no profile: the welcome page
    assert "No connection is set up" in window.message_bar.text.text()
    assert not window.search_bar.busy.isVisibleTo(window)
    assert window.searches.waiting is None
