"""First run to first lookup by clicking only; signing in again; switching and deleting."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.conftest import CTRLHUB_MOBILE, TEST_SECRETS, until
from tests.test_main_window import search_and_wait
from viewer import profiles
from viewer.app import DemoOnDemand
from viewer.demo import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_PASSWORD,
    DEMO_CTRLHUB_USER,
    auth_api,
)
from viewer.domain import Source
from viewer.ui.connection_controller import ConnectionController
from viewer.ui.main_window import MainWindow


@pytest.fixture
def app_window(qtbot, qloop):
    window = MainWindow(None)
    qtbot.addWidget(window)
    demo = DemoOnDemand()
    controller = ConnectionController(window, demo)
    controller.use(None)
    window.show()
    yield window, controller
    qloop.run_until_complete(window.shutdown())
    demo.stop()


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def fill_setup(dialog, url: str) -> None:
    QTest.keyClicks(dialog.name, "Office")
    dialog.cap_url.setCurrentText(url)
    QTest.keyClicks(dialog.cap_user, "demo")
    QTest.keyClicks(dialog.cap_secret, DEMO_CAPILLARY_PASSWORD)
    dialog.cap_zone.setCurrentText("Asia/Kolkata")
    dialog.ch_url.setCurrentText(url)
    dialog.ch_auth_url.setText(url)
    QTest.keyClicks(dialog.ch_org, DEMO_CTRLHUB_ORG)
    dialog.ch_auth.setCurrentIndex(dialog.ch_auth.findData("password"))
    QTest.keyClicks(dialog.ch_email, DEMO_CTRLHUB_USER)
    QTest.keyClicks(dialog.ch_password, DEMO_CTRLHUB_PASSWORD)


def test_first_run_to_a_real_lookup_by_clicking(
    app_window, qloop, demo_server, isolated_settings, tmp_path
):
    window, controller = app_window
    assert window.pages.currentWidget() is controller.welcome
    click(controller.welcome.set_up)
    dialog = controller.dialog
    assert dialog.isVisible() and not dialog.isModal()
    fill_setup(dialog, demo_server.url)

    async def scenario():
        click(dialog.cap_test)
        click(dialog.ch_test)
        await until(
            lambda: (
                dialog.cap_result.text().startswith(("✓", "✗"))
                and dialog.ch_result.text().startswith(("✓", "✗"))
            ),
            what="both tests",
        )
        assert dialog.cap_result.text().startswith("✓"), dialog.cap_result.text()
        assert dialog.ch_result.text().startswith("✓") and "Demo Agent" in dialog.ch_result.text()
        assert profiles.load_config().profiles == {}  # testing saved nothing
        click(dialog.save_button)
        await until(lambda: not dialog.isVisible(), what="the dialog to save and close")
        await search_and_wait(window, CTRLHUB_MOBILE)

    qloop.run_until_complete(scenario())
    assert window.pages.currentIndex() == 0  # the customer view replaced the welcome page
    assert {i.source for i in window.result.interactions} == {Source.CAPILLARY, Source.CTRLHUB}
    stored = isolated_settings.entries
    assert stored[("customer-viewer", "Office:capillary_password")] == DEMO_CAPILLARY_PASSWORD
    assert ("customer-viewer", "Office:ctrlhub_token") in stored
    assert not any("ctrlhub_password" in key for _service, key in stored)  # used once, not kept
    config = (tmp_path / "config" / "config.toml").read_text()
    assert "Office" in config and DEMO_CTRLHUB_PASSWORD not in config
    assert not any(s in config for s in TEST_SECRETS)
    assert controller.switcher.currentText() == "Office"


def test_an_ended_session_asks_to_sign_in_and_repeats_the_search(app_window, qloop, demo_server):
    window, controller = app_window
    click(controller.welcome.set_up)
    fill_setup(controller.dialog, demo_server.url)

    async def scenario():
        click(controller.dialog.save_button)
        await until(lambda: not controller.dialog.isVisible(), what="save")
        await search_and_wait(window, CTRLHUB_MOBILE)
        shown = window.result
        auth_api.expire_all()  # the Ctrl-Hub session ends server-side
        await search_and_wait(window, CTRLHUB_MOBILE)
        assert window.result is not shown  # Capillary still answered...
        assert window.message_bar.action_button.isVisible()  # ...and Ctrl-Hub asks to sign in
        click(window.message_bar.action_button)
        sign_in = controller.dialog
        assert sign_in.email.text() == DEMO_CTRLHUB_USER
        QTest.keyClicks(sign_in.secret, DEMO_CTRLHUB_PASSWORD)
        before = window.searches.generation
        QTest.keyClick(sign_in.secret, Qt.Key.Key_Return)
        await until(
            lambda: window.searches.generation > before and window.searches.task.done(),
            what="the repeated search",
        )

    qloop.run_until_complete(scenario())
    assert {i.source for i in window.result.interactions} == {Source.CAPILLARY, Source.CTRLHUB}
    assert not window.message_bar.action_button.isVisible()


def test_switching_to_the_demo_and_deleting_a_profile(
    app_window, qloop, demo_server, isolated_settings
):
    window, controller = app_window
    click(controller.welcome.set_up)
    fill_setup(controller.dialog, demo_server.url)

    async def scenario():
        click(controller.dialog.save_button)
        await until(lambda: not controller.dialog.isVisible(), what="save")
        await search_and_wait(window, CTRLHUB_MOBILE)

    qloop.run_until_complete(scenario())
    controller.use_demo()
    assert window.result is None and window.model.rowCount() == 0  # nothing of "Office" stays
    assert controller.switcher.currentText() == "demo"
    controller.use_named("Office")
    qloop.run_until_complete(controller.delete("Office"))
    assert profiles.load_config().profiles == {}
    assert not any(key.startswith("Office:") for _s, key in isolated_settings.entries)
    assert window.pages.currentWidget() is controller.welcome


def test_deleting_a_profile_right_after_its_answer_leaves_none_of_it_saved(
    qtbot, qloop, demo_server, isolated_settings
):
    """Deleted at the moment its answer is painted: the search's save (100,000 messages,
    due once the list has painted) lands before the profile's saved data is cleared."""
    from tests.conftest import BULK_EXTERNAL_ID
    from tests.test_main_window import search
    from viewer.domain import IdentifierKind, Query
    from viewer.wiring import open_store

    store = open_store()
    window = MainWindow(None)
    qtbot.addWidget(window)
    demo = DemoOnDemand()
    controller = ConnectionController(window, demo, store)
    controller.use(None)
    window.show()
    click(controller.welcome.set_up)
    fill_setup(controller.dialog, demo_server.url)
    deleting = []

    def delete_at_the_answer(_seconds: float) -> None:
        if window.searches.shown is not None and window.searches.shown.final and not deleting:
            deleting.append(controller.delete("Office"))

    window.searches.result_shown.connect(delete_at_the_answer)

    async def scenario():
        click(controller.dialog.save_button)
        await until(lambda: not controller.dialog.isVisible(), what="save")
        service = window.service
        assert service is not None and service.store is store
        search(window, BULK_EXTERNAL_ID)
        await until(lambda: bool(deleting) and deleting[0].done(), what="the deletion")
        await service.settle()  # a save started too late would land now

    try:
        qloop.run_until_complete(scenario())
        assert profiles.load_config().profiles == {}
        bulk = Query(IdentifierKind.EXTERNAL_ID, BULK_EXTERNAL_ID)
        assert store.load_lookup("Office", bulk) is None  # not saved back after the clear
        assert store.recent("Office") == []
    finally:
        qloop.run_until_complete(window.shutdown())
        demo.stop()
        store.close()
