"""The detail pane keeps its rows and fills them again for the next message (a step through
the list with J/K no longer makes every row anew). What the agent sees must be exactly the
message selected: its fields and no others, its ids behind Copy id, its values behind Reveal,
and nothing of the message before, not even in a hidden row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QToolButton, QVBoxLayout, QWidget

from viewer.present import Field
from viewer.ui.detail_pane import DetailPane

FIRST = [
    Field("Channel", "SMS"),
    Field("Receiver", "•••111", copy="first-receiver-id"),
    Field("Subject", "First subject, about the first parcel"),
    Field("Notes", "First notes\nsecond line of the first notes", long=True),
    Field("Campaign", "first-campaign", copy="first-campaign-id"),
    Field("Sender", "first sender"),
]
FIRST_REAL = [None, "+44 7700 900111", None, None, None, "Firstname Sender"]
SECOND = [
    Field("Channel", "E-mail", copy="second-channel-id"),
    Field("Receiver", "s•••@example.com"),
]
SECOND_REAL = [None, "second@example.com"]


@pytest.fixture
def pane(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(500, 700)
    pane.show()
    return pane


def shown_rows(pane: DetailPane) -> list[tuple[str, str]]:
    """(field name, value) of each row the agent can see, top to bottom."""
    rows = []
    for row in range(pane.form.rowCount()):
        label = pane.form.itemAt(row, pane.form.ItemRole.LabelRole).widget()
        if label.isVisibleTo(pane):
            rows.append((label.text(), label.buddy().text()))
    return rows


def visible_buttons(pane: DetailPane, text: str) -> list[QToolButton]:
    return [b for b in pane.findChildren(QToolButton) if b.text() == text and b.isVisibleTo(pane)]


def test_a_shorter_message_after_a_longer_one_shows_only_its_own_fields(pane, qtbot):
    pane.show_fields("First", FIRST, "{}", reveal=FIRST_REAL)
    assert len(shown_rows(pane)) == len(FIRST)

    pane.show_fields("Second", SECOND, "{}", reveal=SECOND_REAL)

    assert shown_rows(pane) == [("Channel", "E-mail"), ("Receiver", "s•••@example.com")]
    assert pane.values() == {"Channel": "E-mail", "Receiver": "s•••@example.com"}
    copy = visible_buttons(pane, "Copy id")
    assert [b.accessibleName() for b in copy] == ["Channel: copy id"]
    copy[0].click()
    assert QGuiApplication.clipboard().text() == "second-channel-id"
    assert [b.accessibleName() for b in pane.reveal_buttons()] == ["Reveal Receiver"]
    # The rows the first message needed and the second does not: hidden, and empty.
    everything = " ".join(
        [label.text() + label.toolTip() for label in pane.findChildren(QLabel)]
        + [b.toolTip() + b.accessibleName() for b in pane.findChildren(QToolButton)]
    )
    for gone in ("first", "First", "900111", "Subject", "Notes", "Campaign", "Sender"):
        assert gone not in everything, gone


def test_reveal_after_the_pane_was_filled_again_shows_the_new_value(pane, qtbot):
    pane.show_fields("First", FIRST, "{}", reveal=FIRST_REAL)
    first_reveal = {b.accessibleName(): b for b in pane.reveal_buttons()}
    first_reveal["Reveal Receiver"].click()
    assert pane.values()["Receiver"] == "+44 7700 900111"

    # Another message while the first's value is revealed: its row shows the new value,
    # masked, and its Reveal shows the new value (the same button, filled again).
    pane.show_fields("Second", SECOND, "{}", reveal=SECOND_REAL)
    assert pane.values()["Receiver"] == "s•••@example.com"
    revealed: list[str] = []
    pane.revealed.connect(revealed.append)
    pane.reveal_buttons()[0].click()
    assert pane.values()["Receiver"] == "second@example.com"
    assert revealed == ["Receiver"]

    pane.end_reveal()
    assert pane.values()["Receiver"] == "s•••@example.com"


def test_a_cleared_pane_keeps_no_value(pane):
    pane.show_fields("First", FIRST, "{}", reveal=FIRST_REAL)
    pane.clear()
    assert shown_rows(pane) == []
    assert pane.values() == {}
    assert not [label.text() for label in pane.findChildren(QLabel) if "first" in label.text()]


def tab_stops(window: QWidget, start: QWidget) -> list[QWidget]:
    """The widgets Tab visits from `start` on, once round the window."""
    stops, widget = [], start.nextInFocusChain()
    while widget is not start:
        if widget.isVisibleTo(window) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def test_tab_goes_through_the_fields_in_order_whatever_was_made_meanwhile(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    pane = DetailPane()
    layout.addWidget(pane)
    window.resize(500, 900)
    window.show()
    pane.show_fields("First", FIRST[:2], "{}")
    # The window makes a widget (as the card makes an attention entry for each customer),
    # then a message with more fields needs rows the pane had not made yet.
    layout.insertWidget(0, QToolButton(text="chip"))
    more = [*FIRST, Field("Extra", "extra value", copy="extra-id")]
    pane.show_fields("More", more, "{}", reveal=[*FIRST_REAL, None])

    stops = tab_stops(window, pane.fields)
    expected = []
    for row in range(pane.form.rowCount()):
        host = pane.form.itemAt(row, pane.form.ItemRole.FieldRole).widget()
        label = pane.form.itemAt(row, pane.form.ItemRole.LabelRole).widget()
        expected.append(label.buddy())
        expected += [b for b in host.findChildren(QToolButton) if b.isVisibleTo(window)]
    assert len(expected) == len(more) + 3 + 2  # a value per field, 3 Copy id, 2 Reveal
    assert stops[: len(expected)] == expected  # right after the fields' area, in order


def test_laid_out_at_its_preferred_width_each_value_keeps_its_whole_height(pane, qtbot):
    """Qt's form keeps its height for its preferred width apart from the one for the last
    other width, but one table of row heights for both: laid out at exactly its preferred
    width after a height was asked for a wider one, it gave each row that wider width's
    height, and the wrapped values were cut short. The pane's scroll area asks just so (a
    narrow pane in masked mode); here the form's widget is taken out of it, to ask alike."""
    address = "Flat 4, 240 Victoria Terrace, Sheffield, South Yorkshire, S15 2QJ, England. " * 3
    fields = [Field("Channel", "SMS"), Field("Account", address), Field("Property", address)]
    pane.show_fields("An address", fields, "{}", reveal=[None, address.upper(), None])
    host = pane.fields.takeWidget()
    qtbot.addWidget(host)
    host.show()
    preferred = host.layout().sizeHint().width()
    host.resize(preferred + 200, host.heightForWidth(preferred + 200))
    host.heightForWidth(preferred)  # the width it is about to get...
    host.heightForWidth(preferred + 120)  # ... and another (with or without a scroll bar)
    host.resize(preferred, host.heightForWidth(preferred))
    values = [label.buddy() for label in host.findChildren(QLabel) if label.buddy() is not None]
    assert len(values) == len(fields)
    assert [v.height() for v in values] == [v.heightForWidth(v.width()) for v in values]
    assert max(v.height() for v in values) > 3 * values[0].height()  # wrapped onto lines
