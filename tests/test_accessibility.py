"""A screen reader can name every control, and the customer's details can be read and copied
with the keyboard alone.

The real window (demo data, a customer in both systems, a Ctrl-Hub row read, the custom
date range open) and every dialog it opens are walked offscreen: each button, field,
combo box, list, tab bar and check box must have an accessible name, or visible words
that say what it is — not a bare symbol such as ✕, ⟳ or ●.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)

from tests.window_parts import demo_window, every_dialog, load_customer

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabBar,
    QTabWidget,
    QPlainTextEdit,
)
KEYBOARD_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


@pytest.fixture
def parts(qtbot, qloop):
    with demo_window(qtbot, qloop) as built:
        yield built


def own_part_of_qt(widget: QWidget) -> bool:
    """Pieces Qt builds inside a named control and names itself: a combo box's or spin box's
    text field, a field's clear button, a table's header, a tab bar's scroll arrows."""
    parent = widget.parentWidget()
    return (
        isinstance(widget, QHeaderView)
        or isinstance(parent, QComboBox | QAbstractSpinBox | QLineEdit)
        or (isinstance(parent, QTabBar) and isinstance(widget, QAbstractButton))
    )


def words(text: str) -> str:
    """Visible text minus mnemonics, symbols and digits: "" for "✕", "⟳ 3" or "● "."""
    return "".join(ch for ch in text.replace("&", "") if ch.isalpha())


def name_of(widget: QWidget, root: QWidget) -> str:
    """What a screen reader would call `widget`: its accessible name; else a button's or
    group's own words; else the words of the form label whose buddy it is."""
    if widget.accessibleName().strip():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and words(widget.text()):
        return widget.text()
    if isinstance(widget, QGroupBox) and words(widget.title()):
        return widget.title()
    if isinstance(widget, QLineEdit | QAbstractSpinBox | QPlainTextEdit):
        for label in root.findChildren(QLabel):
            if label.buddy() is widget and words(label.text()):
                return label.text()
    return ""


def is_control(widget: QWidget) -> bool:
    if isinstance(widget, QGroupBox):
        return widget.isCheckable()  # a check box in its title
    return isinstance(widget, CONTROLS) and not own_part_of_qt(widget)


def unnamed(root: QWidget) -> list[str]:
    controls = [w for w in root.findChildren(QWidget) if is_control(w) and w.isVisibleTo(root)]
    assert controls, f"no controls found in {root}"
    return [
        f"{type(w).__name__} {w.objectName() or ''} text={getattr(w, 'text', lambda: '')()!r}"
        for w in controls
        if not name_of(w, root)
    ]


def test_every_control_of_the_window_has_a_name(parts, qloop):
    window, _controller = parts
    load_customer(window, qloop)
    copy_buttons = [b for b in window.detail.findChildren(QAbstractButton) if b.isVisibleTo(window)]
    assert len(copy_buttons) > 3  # the Ctrl-Hub detail's "Copy id" buttons are walked too
    assert not unnamed(window), "\n".join(unnamed(window))
    window.view.filter_bar.set_period("custom")  # the From and To date fields show
    window.message_bar.show_message("warning", ["A sentence."], "details", retry=lambda: None)
    assert not unnamed(window), "\n".join(unnamed(window))
    dismiss = next(b for b in window.message_bar.findChildren(QAbstractButton) if b.text() == "✕")
    assert dismiss.accessibleName() == "Dismiss message"
    assert window.masked.button.accessibleName() == "Masked mode"  # "○ Masked" on screen


def test_every_control_of_every_dialog_has_a_name(parts, qloop):
    window, controller = parts
    seen = []
    for name, dialog in every_dialog(window, controller, qloop):
        missing = unnamed(dialog)
        assert not missing, f"{name}:\n" + "\n".join(missing)
        seen.append(name)
    assert len(seen) == 8


def test_form_fields_are_read_by_their_labels(parts, qloop):
    """A combo box reads out its choice, not its label, unless it is named; a field put
    beside a QLabel widget is only named by it once it is the label's buddy."""
    window, controller = parts
    for name, dialog in every_dialog(window, controller, qloop):
        if name == "set-up dialog":
            assert dialog.cap_auth.accessibleName() == "Sign in with"
            assert dialog.ch_auth.accessibleName() == "Sign in by"
            assert dialog.cap_user_label.buddy() is dialog.cap_user
            dialog.cap_auth.setCurrentIndex(dialog.cap_auth.findData("oauth"))
            assert name_of(dialog.cap_user, dialog) == "Client key"
            assert dialog.cap_test.accessibleName() != dialog.ch_test.accessibleName()


def test_the_customer_card_and_detail_values_can_be_selected_by_keyboard(parts, qloop):
    window, _controller = parts
    load_customer(window, qloop)
    card = window.card
    detail_values = [
        label
        for label in window.detail.fields.widget().findChildren(QLabel)
        if label.buddy() is None and label.text() and label.isVisibleTo(window)
    ]
    assert len(detail_values) > 10
    for label in [card.name, card.identifiers, card.freshness, *detail_values]:
        flags = label.textInteractionFlags()
        assert flags & KEYBOARD_SELECTABLE == KEYBOARD_SELECTABLE, label.text()
        assert label.focusPolicy() & Qt.FocusPolicy.TabFocus, label.text()  # reached by Tab
    field_labels = [
        label for label in window.detail.fields.widget().findChildren(QLabel) if label.buddy()
    ]
    assert {label.text() for label in field_labels} >= {"Notes", "Status", "Interaction id"}
