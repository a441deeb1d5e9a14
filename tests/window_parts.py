"""The whole window as run_gui builds it, on the demo data, and every dialog it opens: for the
tests that walk all of it (tests/test_translatable.py, tests/test_accessibility.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import replace

from PySide6.QtWidgets import QWidget

from tests.conftest import CTRLHUB_MOBILE, until
from tests.test_main_window import search_and_wait
from viewer.app import DemoOnDemand
from viewer.domain import Source
from viewer.ui.connection_controller import ConnectionController
from viewer.ui.main_window import MainWindow
from viewer.ui.saved_data_dialog import SavedDataDialog
from viewer.ui.screen_pop import ScreenPop
from viewer.ui.setup_dialog import SetupDialog
from viewer.ui.shortcuts import show_shortcuts
from viewer.ui.sign_in_dialog import SignInDialog
from viewer.wiring import open_store


@contextlib.contextmanager
def demo_window(qtbot, qloop) -> Iterator[tuple[MainWindow, ConnectionController]]:
    """The window with its connection menu, screen-pop setting and masked mode, on the demo
    profile (its own demo server), shown."""
    window = MainWindow(None)
    qtbot.addWidget(window)
    demo = DemoOnDemand()
    controller = ConnectionController(window, demo)
    pop = ScreenPop(window, controller)
    qloop.run_until_complete(asyncio.wait([controller.use_demo()]))
    window.show()
    try:
        yield window, controller
    finally:
        qloop.run_until_complete(pop.shutdown())
        qloop.run_until_complete(controller.shutdown())
        qloop.run_until_complete(window.shutdown())
        demo.stop()


def load_customer(window: MainWindow, qloop) -> None:
    """Oliver Smith (both systems), filtered to problems, a Ctrl-Hub row read in full."""

    async def scenario():
        await search_and_wait(window, CTRLHUB_MOBILE)
        window.view.filter_bar.set_status("problems")  # awaiting callback counts: Ctrl-Hub
        loaded: list[str] = []
        window.detail_shown.connect(loaded.append)
        row = next(
            r
            for r in range(window.model.rowCount())
            if window.model.interaction(r).source is Source.CTRLHUB
        )
        window.select_row(row)
        await until(lambda: loaded, what="the Ctrl-Hub detail")

    qloop.run_until_complete(scenario())


def every_dialog(
    window: MainWindow, controller: ConnectionController, qloop
) -> Iterator[tuple[str, QWidget]]:
    """Each dialog the window opens, shown in turn (closed when the next one comes), and the
    first-run welcome page."""
    profile = controller.profile
    assert profile is not None and profile.has_ctrlhub
    by_password = replace(profile, ctrlhub_auth="password", ctrlhub_username="agent@example.org")
    store = open_store()
    builders = [
        ("set-up dialog", lambda: SetupDialog(window)),
        ("edit dialog", lambda: SetupDialog(window, profile)),
        ("sign-in dialog (token)", lambda: SignInDialog(profile, window)),
        ("sign-in dialog (password)", lambda: SignInDialog(by_password, window)),
        ("saved data dialog", lambda: SavedDataDialog(store, window.service, "demo", window)),
        ("keyboard shortcuts", lambda: show_shortcuts(window)),
        ("access log", lambda: _access_log(window, qloop)),
    ]
    try:
        for name, build in builders:
            dialog = build()
            dialog.show()
            yield name, dialog
            dialog.close()
            dialog.deleteLater()
        window.show_page(controller.welcome)
        yield "welcome page", controller.welcome
        window.show_page(None)
    finally:
        store.close()


def _access_log(window: MainWindow, qloop) -> QWidget:
    qloop.run_until_complete(window.privacy.show_access_log())
    return window.privacy.dialog
