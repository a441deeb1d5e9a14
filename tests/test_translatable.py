"""Every word the window itself says goes through the one catalogue (viewer/i18n.py), so a
translation can reach it; Qt's own words come from Qt's catalogue for the OS language.

A pseudo-translation shows each catalogue text as ⟦text⟧. The real window (connection
menu, screen-pop setting, masked mode) is built under it with the demo data loaded, a
customer in both systems searched, a Ctrl-Hub row read and a filter on; then every label,
button, action, menu, tab, placeholder, tooltip, accessible name, column header and combo
box choice on it must be pseudo-translated — apart from the customer data that
`customer_data` lists, and Qt's own words (QT_OWN).
"""

from __future__ import annotations

import html
import re
import struct

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QWidget,
)

from tests.window_parts import demo_window, every_dialog, load_customer
from viewer import i18n
from viewer.ui.connection_controller import ConnectionController
from viewer.ui.main_window import MainWindow
from viewer.ui.translations import install_translations

# Text outside ⟦…⟧ may hold no letters: digits, times, punctuation and symbols (✕, ●, ·)
# are not words to translate.
_BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")
_CUT_OFF = re.compile(r"⟦[^⟧]*…$")  # a long text elided to fit: its ⟧ was cut away
_TAG = re.compile(r"<[^>]*>")

# Qt's own words on Qt's own widgets (the tab bar's scroll arrows, dialog buttons), which
# Qt's catalogue translates (viewer/ui/translations.py): (context, source text).
QT_OWN = [
    ("QTabBar", "Scroll Left"),
    ("QTabBar", "Scroll Right"),
    *[("QPlatformTheme", button) for button in ("OK", "Cancel", "Save", "Close")],
]


def readable(text: str) -> str:
    """A tooltip as read: plain.tooltip() wraps every one as escaped rich text."""
    return html.unescape(_TAG.sub("", text)) if text.startswith("<p style=") else text


def untranslated_words(text: str) -> str:
    """The letters of `text` that no catalogue text covers ("" when all of it is covered).
    Innermost ⟦…⟧ first: a translated text may be formatted into another."""
    text = readable(text)
    if text in {QCoreApplication.translate(context, words) for context, words in QT_OWN}:
        return ""
    while (inner := _BRACKETED.sub("", text)) != text:
        text = inner
    text = _CUT_OFF.sub("", text)
    return "".join(ch for ch in text if ch.isalpha())


@pytest.fixture
def pseudo():
    i18n.install_pseudo()
    yield
    i18n.use_languages([])  # back to the environment's language (the source text here)


@pytest.fixture
def parts(pseudo, qtbot, qloop):
    """The window, built after the pseudo-translation is in (as a catalogue would be)."""
    with demo_window(qtbot, qloop) as built:
        yield built


def shown_texts(root: QWidget) -> list[tuple[str, str, QWidget | None]]:
    """(where, text, widget) for every piece of text a window or dialog shows or reads out."""
    found: list[tuple[str, str, QWidget | None]] = [("window title", root.windowTitle(), None)]

    def add(where: str, text: str, widget: QWidget | None = None) -> None:
        if text:
            found.append((where, text, widget))

    widgets = [w for w in root.findChildren(QWidget) if w.isVisibleTo(root)]
    for widget in widgets:
        kind = type(widget).__name__
        add(f"{kind} tooltip", widget.toolTip(), widget)
        add(f"{kind} accessible name", widget.accessibleName(), widget)
        if isinstance(widget, QLabel):
            add("label", widget.text(), widget)
        elif isinstance(widget, QAbstractButton):
            add(f"{kind} text", widget.text(), widget)
        elif isinstance(widget, QLineEdit):
            add("placeholder", widget.placeholderText(), widget)
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            for i in range(widget.count()):
                add("combo choice", widget.itemText(i), widget)
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add("tab", widget.tabText(i), widget)
                add("tab tooltip", widget.tabToolTip(i), widget)
    for menu in root.findChildren(QMenu):
        add("menu title", menu.title(), menu)
        for action in menu.actions():
            add("menu entry", action.text(), menu)
            add("menu entry tooltip", action.toolTip(), menu)
    for view in root.findChildren(QTableView):
        model = view.model()
        for column in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                header = model.headerData(column, Qt.Orientation.Horizontal, role)
                add("column header", header or "")
    if isinstance(root, QMainWindow):
        add("status bar", root.statusBar().currentMessage())
    return found


def customer_data(window: MainWindow, controller: ConnectionController) -> set[QWidget]:
    """Widgets whose text is the customer's or the tenant's, never the program's words."""
    detail = window.detail
    values = {
        detail.form.itemAt(r, detail.form.ItemRole.FieldRole) for r in range(detail.form.rowCount())
    }
    data: set[QWidget] = {window.card.name, controller.switcher, controller.profiles_menu}
    for item in values:
        if item is not None and item.widget() is not None:
            data.add(item.widget())
            data.update(item.widget().findChildren(QLabel))
    return data


def missed(texts: list[tuple[str, str, QWidget | None]], data: set) -> list[str]:
    return [
        f"{where}: {text!r}"
        for where, text, widget in texts
        if widget not in data and untranslated_words(text)
    ]


def test_every_word_of_the_window_goes_through_the_catalogue(parts, qloop):
    window, controller = parts
    load_customer(window, qloop)
    assert window.card.name.text() == "Oliver Smith"  # data: never translated
    texts = shown_texts(window)
    assert len(texts) > 150  # the walk did see the window

    left = missed(texts, customer_data(window, controller))
    assert not left, "not through the catalogue:\n" + "\n".join(left)
    # The walk saw the parts that are built from data and words together.
    assert any(where == "tab" and text.startswith("⟦All") for where, text, _w in texts)
    assert window.card.identifiers.text().startswith("⟦⟦Mobile⟧: ")
    assert "⟦" in window.view.filter_bar.summary.text()
    assert window.detail.values()  # the Ctrl-Hub detail's fields were on screen
    assert window.statusBar().currentMessage().startswith("⟦")


def test_every_word_of_every_dialog_goes_through_the_catalogue(parts, qloop):
    window, controller = parts
    seen = []
    for name, dialog in every_dialog(window, controller, qloop):
        texts = shown_texts(dialog)
        # The access log lists records (data); the shortcut page's keys are Qt's names.
        data = set(dialog.findChildren(QPlainTextEdit))
        if name == "keyboard shortcuts":
            data |= {label for label in dialog.findChildren(QLabel) if label.font().bold()}
        left = missed(texts, data)
        assert not left, f"{name}, not through the catalogue:\n" + "\n".join(left)
        seen.append((name, len(texts)))
    assert len(seen) == 8 and all(count > 1 for _name, count in seen), seen


def test_without_a_catalogue_the_source_text_is_shown(qtbot, qloop):
    with demo_window(qtbot, qloop) as (window, _controller):
        assert window.view.filter_bar.clear_button.text() == "Clear"
        assert window.windowTitle() == "Customer Interaction Viewer — demo"


def test_qt_own_buttons_follow_the_os_language(qapp):
    """German system: Qt's own Cancel (dialog button boxes, message boxes) reads Abbrechen."""
    try:
        assert install_translations(qapp, QLocale(QLocale.Language.German, QLocale.Country.Germany))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Abbrechen"
    finally:
        install_translations(qapp, QLocale.c())
    english = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert english.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    assert i18n._("Clear") == "Clear"  # no catalogue ships yet: the source text


def write_catalogue(folder, language: str, messages: dict[str, str]) -> None:
    """A GNU .mo file (what msgfmt writes) for `language` under `folder`."""
    entries = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **messages}.items())
    ids = [key.encode() for key, _value in entries]
    texts = [value.encode() for _key, value in entries]
    header = 7 * 4
    ids_at = header + 16 * len(entries)
    id_blob, text_blob, id_table, text_table = b"", b"", [], []
    for raw in ids:
        id_table.append((len(raw), ids_at + len(id_blob)))
        id_blob += raw + b"\0"
    texts_at = ids_at + len(id_blob)
    for raw in texts:
        text_table.append((len(raw), texts_at + len(text_blob)))
        text_blob += raw + b"\0"
    table_at = header
    body = struct.pack(
        "<7I", 0x950412DE, 0, len(entries), table_at, table_at + 8 * len(entries), 0, 0
    )
    body += b"".join(struct.pack("<2I", *pair) for pair in id_table + text_table)
    target = folder / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    target.parent.mkdir(parents=True)
    target.write_bytes(body + id_blob + text_blob)


def test_a_catalogue_in_the_locale_folder_is_used_for_the_os_language(tmp_path, monkeypatch):
    """What shipping a translation takes: a .mo in viewer/locale/<language>/LC_MESSAGES/."""
    write_catalogue(tmp_path, "de", {"Clear": "Leeren"})
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    try:
        i18n.use_languages(["de-DE", "de"])  # QLocale.uiLanguages() of a German system
        assert i18n._("Clear") == "Leeren"
        assert i18n._("Search") == "Search"  # not translated yet: the source text
    finally:
        i18n.use_languages([])
    assert i18n._("Clear") == "Clear"
