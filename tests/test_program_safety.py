"""Uncaught errors are logged and shown, the window lives on; logs and diagnostics hold no
secret."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest
from PySide6.QtCore import QTimer

from tests.conftest import TYPICAL_MOBILE, capillary_client, until
from tests.test_main_window import search_and_wait
from viewer import app, logs
from viewer.lookup import LookupService
from viewer.profiles import Profile, save_profile
from viewer.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, qloop, demo_server, monkeypatch):
    win = MainWindow(LookupService([capillary_client(demo_server.url)]), profile_label="office")
    qtbot.addWidget(win)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    app.install_excepthook(win)
    yield win
    qloop.run_until_complete(win.shutdown())
    monkeypatch.setattr(app, "_error_bar", None)


def test_an_error_in_a_slot_is_shown_and_the_window_stays_usable(window, qloop, qtbot):
    def broken_slot():
        raise RuntimeError("a bug in a slot")

    with qtbot.capture_exceptions() as caught:
        QTimer.singleShot(0, broken_slot)
        qloop.run_until_complete(asyncio.sleep(0.05))
    for kind, value, tb in caught:  # pytest-qt intercepts; hand it to the program's hook
        sys.excepthook(kind, value, tb)
    assert "Something unexpected went wrong" in window.message_bar.text.text()
    qloop.run_until_complete(search_and_wait(window, TYPICAL_MOBILE))
    assert window.result.customer.name == "Priya Sharma"


def test_a_failing_background_task_is_reported(window, qloop):
    qloop.set_exception_handler(app._asyncio_failure)

    async def doomed():
        raise ValueError("background trouble")

    async def scenario():
        task = asyncio.ensure_future(doomed())
        await asyncio.sleep(0.05)
        del task  # never awaited: the loop's exception handler gets it when collected
        import gc

        gc.collect()
        await until(
            lambda: "Something unexpected" in window.message_bar.text.text(), what="the error bar"
        )

    qloop.run_until_complete(scenario())


def test_logs_and_diagnostics_hold_no_secret(window, qloop, demo_server, tmp_path):
    path = logs.setup_logging(logging.DEBUG)
    try:
        save_profile(
            Profile(name="office", capillary_url=demo_server.url, capillary_username="demo")
        )
        bad = MainWindow(
            LookupService([capillary_client(demo_server.url, password="wrong-password-XYZ")])
        )
        qloop.run_until_complete(search_and_wait(bad, TYPICAL_MOBILE))
        qloop.run_until_complete(bad.shutdown())
        logging.getLogger("viewer.test").warning(
            "token=wrong-password-XYZ Authorization: Basic abc"
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text()
        assert "wrong-password-XYZ" not in text and "Basic abc" not in text and "token=***" in text
        report = window.diagnostics()
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if isinstance(handler, logging.handlers.RotatingFileHandler | logs.RecentErrors):
                root.removeHandler(handler)
                handler.close()
    assert "Customer Interaction Viewer" in report and "Profiles: office" in report
    assert "Qt " in report and "Last errors:" in report and "wrong-password-XYZ" not in report
