"""Colours follow the OS's light or dark scheme: the real window, a customer loaded, is
painted dark in the dark (no light islands), every coloured word and badge stays readable
(WCAG contrast 4.5:1 for text) in both, and a switch re-colours the open window.

The tests ask for the scheme the way the OS would tell the program where the platform lets
them (Qt 6.8+ setColorScheme); the offscreen platform reports no scheme, so there the
palette module is told which one (what tools/screenshot.py --dark does too)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from tests.conftest import CTRLHUB_MOBILE, capillary_client, ctrlhub_client
from tests.test_main_window import search_and_wait
from viewer.lookup import LookupService
from viewer.ui import palette
from viewer.ui.interactions_model import STATUS, ToneRole
from viewer.ui.main_window import MainWindow

UI = Path(__file__).resolve().parents[1] / "viewer" / "ui"
TEXT = 4.5  # WCAG AA contrast for normal text


@pytest.fixture
def scheme(qapp):
    """scheme(dark): switch the application to the dark or the light scheme."""
    hints = qapp.styleHints()

    def switch(dark: bool) -> None:
        wanted = Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light
        hints.setColorScheme(wanted)  # a real desktop tells the program, which follows
        qapp.processEvents()
        palette.install(qapp, dark=None if hints.colorScheme() == wanted else dark)
        qapp.processEvents()

    yield switch
    hints.unsetColorScheme()
    palette.install(qapp, dark=False)  # the platform's own palette and style again
    palette.install(qapp)


@pytest.fixture
def window(qtbot, qloop, demo_server):
    service = LookupService(
        [capillary_client(demo_server.url), ctrlhub_client(demo_server.url)], None, "test"
    )
    win = MainWindow(service, profile_label="test")
    qtbot.addWidget(win)
    win.resize(1360, 820)
    win.show()
    yield win
    qloop.run_until_complete(win.shutdown())


# -- what is on the screen ----------------------------------------------------------------


def dominant(image: QImage, area: QRect | None = None, skip: set[str] = frozenset()) -> QColor:
    """The colour most pixels of `area` have (a background, a badge's fill); a large area
    is sampled on a grid."""
    area = area or image.rect()
    step = max(1, int((area.width() * area.height() / 20_000) ** 0.5))
    counts = Counter(
        image.pixelColor(x, y).name()
        for y in range(area.top(), area.bottom() + 1, step)
        for x in range(area.left(), area.right() + 1, step)
    )
    for name, _count in counts.most_common():
        if name not in skip:
            return QColor(name)
    raise AssertionError("no colour left once the backgrounds are skipped")


def lightest_tile(image: QImage, side: int = 48) -> float:
    """The mean lightness (0-255) of the lightest square of the image: a light island, if any."""
    small = image.scaled(
        image.width() // side,
        image.height() // side,
        mode=Qt.TransformationMode.SmoothTransformation,
    )
    return max(
        small.pixelColor(x, y).lightness()
        for y in range(small.height())
        for x in range(small.width())
    )


def ink(label: QWidget) -> QColor:
    return label.palette().color(label.foregroundRole())


def where(widget: QWidget, window: MainWindow) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def coloured_labels(window: MainWindow) -> list[QLabel]:
    """The labels the style sheet colours (a tone), shown now, with words in them."""
    return [
        label
        for label in window.findChildren(QLabel)
        if label.property("tone") and label.isVisible() and label.text().strip()
    ]


def check_the_window(window: MainWindow, dark: bool) -> None:
    shot = window.grab().toImage()
    background = dominant(shot)
    if dark:
        assert background.lightness() < 60, f"the window is not dark: {background.name()}"
        # Text is light in the dark; a light *area* is a widget the scheme did not reach.
        assert lightest_tile(shot) < 110, "a light island in the dark window"
    else:
        assert background.lightness() > 200, f"the window is not light: {background.name()}"
    assert palette.is_dark() == dark

    # Words in a tone on the window: source chips, "saved … ago", banners, notes.
    labels = coloured_labels(window)
    assert {label.objectName() for label in labels} >= {"sourceChip"}
    for label in labels:
        behind = dominant(shot, where(label, window))
        assert palette.contrast(ink(label), behind) >= TEXT, (
            f"{label.text()!r}: {ink(label).name()} on {behind.name()}"
        )

    # The message bar: its own background, its words in its ink.
    bar = window.message_bar
    behind = dominant(shot, where(bar, window))
    assert (behind.lightness() < 100) == dark, f"message bar background {behind.name()}"
    assert palette.contrast(ink(bar.text), behind) >= TEXT

    # The greyed channel tabs (nothing in them) are grey, yet readable.
    muted = QColor(palette.colours().muted)
    greyed = [i for i in range(window.tabs.count()) if window.tabs.tabTextColor(i) == muted]
    assert greyed, "the demo customer has an empty channel"
    assert palette.contrast(muted, background) >= TEXT

    # Status badges as painted in the list: the fill of the scheme, the words readable.
    table = window.table
    cells = table.viewport().grab().toImage()
    rows_backgrounds = {
        table.palette().color(role).name()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase)
    }
    checked = 0
    for row in range(min(window.model.rowCount(), 12)):
        index = window.model.index(row, STATUS)
        ink_name, fill_name = palette.badge(index.data(ToneRole) or "unknown")
        if fill_name is None or table.selectionModel().isRowSelected(row):
            continue
        fill = dominant(cells, table.visualRect(index), skip=rows_backgrounds)
        assert fill.name() == fill_name, f"row {row}: badge {fill.name()}, wanted {fill_name}"
        assert palette.contrast(ink_name, fill) >= TEXT
        checked += 1
    assert checked >= 5


def test_the_window_follows_the_scheme_and_stays_readable(window, qloop, scheme):
    qloop.run_until_complete(search_and_wait(window, CTRLHUB_MOBILE))
    window.message_bar.show_message("warning", ["Ctrl-Hub answered slowly."])
    for dark in (False, True, False, True):  # switched back and forth, no restart
        scheme(dark)
        check_the_window(window, dark)


def test_a_platform_palette_that_arrives_before_the_scheme_still_recolours(
    window, qloop, qapp, monkeypatch
):
    """Where the platform's palette follows the OS (macOS, a Linux desktop), Qt may deliver
    the new palette before it says the scheme changed. The greyed tabs and the badges, which
    paint in the colour set, were then drawn in the old set; they look again when it
    changes."""
    qloop.run_until_complete(search_and_wait(window, CTRLHUB_MOBILE))
    os_dark = {"now": False}
    monkeypatch.setattr(palette, "is_dark", lambda: os_dark["now"])
    dark_palette = QPalette()
    for role, colour in palette.DARK_WINDOW.items():
        dark_palette.setColor(role, QColor(colour))
    try:
        for dark in (True, False, True):
            os_dark["now"] = dark
            qapp.setPalette(dark_palette if dark else QPalette())  # the platform's, first
            qapp.processEvents()
            palette._apply(qapp)  # then colorSchemeChanged
            qapp.processEvents()
            check_the_window(window, dark)
    finally:
        monkeypatch.undo()
        qapp.setPalette(QPalette())
        palette.install(qapp, dark=False)
        palette.install(qapp)


def test_the_list_is_drawn_by_the_platform_style_not_the_style_sheet(window, qloop, scheme):
    """The sheet goes to the widgets it styles, not to the application: under a sheet, Qt
    asks its style-sheet style about every cell of the list, 10–20% of each paint
    (bench/list_paint.py). A widget created after a switch gets the sheet in use."""
    qloop.run_until_complete(search_and_wait(window, CTRLHUB_MOBILE))
    for dark in (True, False):
        scheme(dark)
        assert window.table.style().metaObject().className() != "QStyleSheetStyle"
        assert window.message_bar.style().metaObject().className() == "QStyleSheetStyle"
        later = QLabel("saved 3 h ago", window)
        palette.set_look(later, tone="muted")
        later.ensurePolished()
        assert ink(later).name() == palette.colours().muted


def test_each_message_bar_severity_is_readable_in_both_schemes(window, scheme):
    bar = window.message_bar
    for dark in (False, True):
        scheme(dark)
        for severity in ("error", "warning", "info"):
            bar.show_message(severity, [f"A {severity} for the agent."])
            behind = dominant(bar.grab().toImage())
            assert behind != window.palette().color(QPalette.ColorRole.Window), (
                f"{severity}: the bar has no colour of its own"
            )
            assert palette.contrast(ink(bar.text), behind) >= TEXT, (severity, dark)


def test_every_colour_pair_of_both_sets_is_readable():
    """What the screen checks above cannot all reach: every badge tone and every tone of
    words, in both sets, against the backgrounds of the platforms' own windows."""
    windows = {False: ("#ffffff", "#efefef", "#ececec", "#f0f0f0"), True: ("#1f2023", "#323232")}
    for dark, colour_set in ((False, palette.LIGHT), (True, palette.DARK)):
        palette._forced = dark
        try:
            for tone in ("good", "neutral", "pending", "bad", "unknown"):
                ink_name, fill = palette.badge(tone)
                for behind in (fill,) if fill else windows[dark]:
                    assert palette.contrast(ink_name, behind) >= TEXT, (tone, dark)
            ink_name, fill = palette.source_glyph("ctrlhub")
            assert palette.contrast(ink_name, fill) >= TEXT
        finally:
            palette._forced = None
        for role in ("muted", "ok_text", "warn_text", "error_text", "info_text"):
            for behind in windows[dark]:
                assert palette.contrast(getattr(colour_set, role), behind) >= TEXT, (role, dark)
        for tone in ("ok", "warn", "error", "info"):
            fg, bg = getattr(colour_set, f"{tone}_fg"), getattr(colour_set, f"{tone}_bg")
            assert palette.contrast(fg, bg) >= TEXT, (tone, dark)


def test_no_widget_names_a_colour_of_its_own():
    """Colours come from the palette only (DESIGN.md): no hex colour and no inline style
    sheet anywhere else in viewer/ui, so nothing can stay light in the dark."""
    offenders = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "palette.py":
            continue
        source = path.read_text(encoding="utf-8")
        for number, line in enumerate(source.splitlines(), 1):
            if re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\.setStyleSheet\(", line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
