"""The suite's guard (conftest.py): a warning Qt prints is recorded against the test."""

from __future__ import annotations

from PySide6.QtCore import QTimer, qWarning

from tests import conftest


def test_a_qt_warning_is_recorded_for_the_running_test(qapp):
    # A real Qt-side warning: a timer cannot be started with a negative interval.
    QTimer().start(-1)
    qWarning("our own warning")
    recorded = list(conftest._qt_messages)
    conftest._qt_messages.clear()  # taken: this test is about the record, not the failure
    assert any("negative" in m.lower() for m in recorded), recorded
    assert any("our own warning" in m for m in recorded), recorded
