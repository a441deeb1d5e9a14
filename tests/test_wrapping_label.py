"""A word-wrapped label remembers its height per width (viewer/ui/plain.py, WrappingLabel):
always the height Qt's own label gives for the same text, width, font and style, so no
line of a name, a message or a detail field is ever cut off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE, capillary_client
from tests.test_main_window import search_and_wait
from viewer.lookup import LookupService
from viewer.ui.accessible import readable_by_keyboard
from viewer.ui.main_window import MainWindow
from viewer.ui.plain import WrappingLabel, plain_label, set_plain

WIDTHS = (40, 120, 121, 300, 640, 1200)
TEXTS = (
    "",
    "Priya Sharma",
    "Mobile: +91 98450 12345   ·   E-mail: priya.sharma@example.com   ·   Points: 11,227",
    "x" * 600,  # one long word
    "Line one\nLine two, a little longer than the first\n\nLine four",
)


def twins(qtbot, selectable: bool) -> tuple[QLabel, QLabel]:
    """Ours and Qt's own, set up alike."""
    ours = plain_label(wrap=True)
    theirs = plain_label()
    theirs.setWordWrap(True)
    for label in (ours, theirs):
        qtbot.addWidget(label)
        if selectable:
            readable_by_keyboard(label)  # a text document inside: the costly kind
    return ours, theirs


def heights(label: QLabel) -> list[int]:
    return [label.heightForWidth(width) for width in WIDTHS]


@pytest.mark.parametrize("selectable", [True, False])
def test_every_text_and_width_gets_qts_own_height(qtbot, selectable):
    ours, theirs = twins(qtbot, selectable)
    assert isinstance(ours, WrappingLabel) and ours.wordWrap()
    for text in TEXTS:
        for label in (ours, theirs):
            set_plain(label, text, multiline=True)
        assert heights(ours) == heights(theirs), text
        assert heights(ours) == heights(theirs)  # asked again: remembered, the same


def test_whatever_shapes_the_text_it_is_measured_anew(qtbot):
    ours, theirs = twins(qtbot, selectable=True)
    for label in (ours, theirs):
        set_plain(label, TEXTS[2])
    short = heights(ours)
    for label in (ours, theirs):
        set_plain(label, TEXTS[2] * 3)  # the same width, a longer text: taller
    assert heights(ours) == heights(theirs) and heights(ours) != short
    for label in (ours, theirs):
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        label.setFont(font)
    assert heights(ours) == heights(theirs)
    for label in (ours, theirs):
        label.setStyleSheet("QLabel { padding: 12px; border: 3px solid; }")
    assert heights(ours) == heights(theirs)
    for label in (ours, theirs):
        label.setContentsMargins(9, 9, 9, 9)
    assert heights(ours) == heights(theirs)
    for change in (
        lambda label: label.setMargin(12),
        lambda label: label.setIndent(30),
        lambda label: label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
        lambda label: label.setMinimumWidth(320),
        lambda label: label.setMinimumHeight(90),
        lambda label: label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction),
        lambda label: label.clear(),  # Qt: no height for a width, unlike an empty text
        lambda label: label.setText(""),
    ):
        for label in (ours, theirs):
            change(label)
        assert heights(ours) == heights(theirs)


def test_after_customers_in_turn_the_cards_lines_have_their_whole_height(qtbot, qloop, demo_server):
    """The card's name and identifiers at a narrow width, after switching customers: each
    label is as tall as Qt's own label would be for its text and width."""
    window = MainWindow(LookupService([capillary_client(demo_server.url)]), profile_label="test")
    qtbot.addWidget(window)
    window.show()
    window.resize(900, 700)

    async def scenario() -> None:
        for mobile in (TYPICAL_MOBILE, CTRLHUB_MOBILE, TYPICAL_MOBILE):
            await search_and_wait(window, mobile)

    try:
        qloop.run_until_complete(scenario())
    finally:
        qloop.run_until_complete(window.shutdown())
    for label in (window.card.name, window.card.identifiers):
        fresh = QLabel(label.text())
        fresh.setTextFormat(Qt.TextFormat.PlainText)
        fresh.setWordWrap(True)
        fresh.setFont(label.font())
        fresh.setTextInteractionFlags(label.textInteractionFlags())
        assert label.text() and label.height() >= fresh.heightForWidth(label.width())
