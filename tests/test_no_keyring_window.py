"""Where no password store (keyring) runs — a bare Linux box, a container, Xvfb — the window
says so in a sentence an agent understands, and the demo still says whom to look up."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from tests.conftest import until
from viewer import credentials
from viewer.app import make_window, show_start_messages
from viewer.ui.main_window import MainWindow
from viewer.wiring import demo_profile, open_store


@pytest.fixture
def no_keyring(isolated_settings, monkeypatch):
    keyring.set_keyring(fail.Keyring())  # isolated_settings puts the previous one back
    monkeypatch.setattr(credentials, "_notice_given", False)  # said once per run


def test_the_demo_hint_shows_next_to_the_no_keyring_notice(qtbot, qloop, demo_server, no_keyring):
    store = open_store()  # in memory, with its notice, as run_gui opens it
    assert store.path is None
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    try:
        show_start_messages(window, demo_profile(demo_server.url), "", store.take_notices())
        said = window.message_bar.text.text()
        assert window.message_bar.isVisible()
        assert "kept for this session only" in said  # the saved-data notice
        assert "919845012345 (Priya Sharma)" in said  # and whom to try in the demo
    finally:
        qloop.run_until_complete(window.shutdown())
        store.close()


def test_make_window_opens_the_demo_with_its_hint(qtbot, qloop, demo_server):
    window = make_window(demo_profile(demo_server.url))
    qtbot.addWidget(window)
    try:
        assert window.message_bar.severity == "info"
        assert "919845012345 (Priya Sharma)" in window.message_bar.text.text()
    finally:
        qloop.run_until_complete(window.shutdown())


def test_the_welcome_page_explains_a_missing_keyring_in_words(qtbot, qloop, no_keyring):
    from viewer.app import DemoOnDemand
    from viewer.ui.connection_controller import ConnectionController

    window = MainWindow(None)
    qtbot.addWidget(window)
    demo = DemoOnDemand()  # never started: the test stays on the welcome page
    controller = ConnectionController(window, demo)
    controller.use(None)
    window.show()
    notice = controller.welcome.notice
    try:
        qloop.run_until_complete(until(notice.isVisible, what="the keyring notice"))
        assert notice.text().startswith(
            "No password store (keyring) is available on this system: passwords and tokens"
        )
        assert "keyring.backends" not in notice.text() and "fail" not in notice.text()
    finally:
        qloop.run_until_complete(window.shutdown())
        demo.stop()
