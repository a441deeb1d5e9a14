"""Keyboard shortcuts, and the F1 (Ctrl+/) page that lists every one of them.

The page is read from the window itself — each QShortcut's keys and its whatsThis, each
menu action with a shortcut — plus the keys the list and the filter handle themselves, so
it cannot drift from what the keys really do. Add a window shortcut with `add_shortcut`
(or give your QShortcut a whatsThis) and it appears on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from viewer.i18n import N_, _
from viewer.ui.plain import plain_label

if TYPE_CHECKING:  # a type only: main_window imports this module
    from viewer.ui.main_window import MainWindow

# Keys handled inside a widget (ui/timeline_table.py, ui/filter_bar.py), not by a QShortcut.
WIDGET_KEYS: list[tuple[str, str]] = [
    (N_("J / ↓"), N_("Next row (in the list)")),
    (N_("K / ↑"), N_("Previous row (in the list)")),
    (N_("Shift+↑ / Shift+↓, Ctrl+A"), N_("Select several rows / every row (in the list)")),
    (N_("Enter"), N_("Read the selected row: focus moves to the detail pane")),
    (N_("Tab / Shift+Tab"), N_("Leave the list for the next / previous part of the window")),
    (N_("Ctrl+C"), N_("Copy the selected rows as text (in the list)")),
    (N_("Ctrl+Shift+C"), N_("Copy the selected rows as JSON (in the list)")),
]


def add_shortcut(
    parent: QWidget, keys: str | QKeySequence | Qt.Key, what: str, slot: Callable[[], object]
) -> QShortcut:
    """A window-wide shortcut that the F1 page lists with `what`."""
    shortcut = QShortcut(QKeySequence(keys), parent)
    shortcut.setWhatsThis(what)
    shortcut.activated.connect(slot)
    return shortcut


def every_shortcut(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every shortcut the window has, in a stable order."""
    found: dict[str, str] = {}
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and shortcut.isEnabled():
            found.setdefault(keys, shortcut.whatsThis() or _("(no description)"))
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                found.setdefault(keys, action.text().replace("&", "").rstrip("…"))
    in_widgets = [(_(keys), _(what)) for keys, what in WIDGET_KEYS]
    return sorted(found.items(), key=lambda pair: (len(pair[0]) > 3, pair[0])) + in_widgets


class ShortcutsDialog(QDialog):
    """Non-modal: it may stay open beside the window while the agent tries the keys."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.setAccessibleName(_("Keyboard shortcuts"))
        self.entries = every_shortcut(window)
        host = QWidget()
        form = QFormLayout(host)
        for keys, what in self.entries:
            key_label = plain_label(keys)
            font = key_label.font()
            font.setBold(True)
            key_label.setFont(font)
            description = plain_label(what)
            description.setWordWrap(True)
            form.addRow(key_label, description)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)

    def texts(self) -> list[str]:
        return [f"{keys}: {what}" for keys, what in self.entries]


def show_shortcuts(window: MainWindow) -> ShortcutsDialog:
    """Open (or bring forward) the shortcuts page; opened anew it lists the keys of now."""
    dialog = window.shortcuts_dialog
    if dialog is None or not dialog.isVisible():
        if dialog is not None:
            dialog.deleteLater()
        dialog = ShortcutsDialog(window)
        window.shortcuts_dialog = dialog
        dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def install_window_keys(window: MainWindow) -> None:
    """The main window's own shortcuts (ui/main_window.py calls this once)."""
    bar, filters = window.search_bar, window.view.filter_bar

    def select_search_text() -> None:
        bar.field.setFocus()
        bar.field.selectAll()

    def escape() -> None:
        if window.searches.searching and not filters.has_focus():
            window.cancel_search()
        else:
            filters.clear()

    add_shortcut(
        window, "Ctrl+L", _("Go to the search field, its text selected"), select_search_text
    )
    add_shortcut(window, Qt.Key.Key_F5, _("Search again (retry)"), window.repeat_last_search)
    add_shortcut(
        window,
        "Ctrl+F",
        _("Filter the timeline: words, dates, status, source, direction"),
        filters.focus,
    )
    add_shortcut(
        window,
        Qt.Key.Key_Escape,
        _("Stop a running search; otherwise (and in the filter bar) clear the filter"),
        escape,
    )
    add_shortcut(
        window, Qt.Key.Key_F1, _("Show every keyboard shortcut"), lambda: show_shortcuts(window)
    )
    add_shortcut(
        window, "Ctrl+/", _("Show every keyboard shortcut"), lambda: show_shortcuts(window)
    )
