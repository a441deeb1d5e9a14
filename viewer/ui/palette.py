"""The program's colours: one light and one dark set, by role, chosen from the OS scheme.

`install(app)` (viewer/app.py) chooses the set the scheme asks for, and chooses again whenever
the OS switches between light and dark (`colorSchemeChanged`): no restart. resources/style.qss,
filled from that set, is given to the widgets it styles (`styled`, `set_look`), not to the
whole application. Widgets never name a colour: they carry an object name or a dynamic
property the style sheet selects on (`set_look`), or, where a colour is
computed while painting (status badges, the Source column, greyed tabs), they ask `colours()`
at that moment. These are the only hex colours under viewer/ui.

The window itself (background, text, selection) is the platform's: macOS and the Windows 11
style draw dark by themselves when the OS is dark. Where the style would stay light (Windows'
older "windowsvista" style) the application switches to Fusion, which follows the palette, and
where the platform offers no dark palette at all (a Linux desktop without one, the offscreen
platform of the tests) it gets DARK_WINDOW below.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from string import Template

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from viewer.ui.assets import read_text


@dataclass(frozen=True)
class Colours:
    muted: str  # secondary words: greyed tabs, "saved 3 h ago", a source still loading
    focus: str  # the outline of a hovered or focused entry
    # Words in a tone on the window background (notes, chips, "Working offline").
    ok_text: str
    warn_text: str
    error_text: str
    info_text: str
    # Badges and bars: ink, fill, border.
    ok_fg: str
    ok_bg: str
    ok_border: str
    warn_fg: str
    warn_bg: str
    warn_border: str
    pending_bg: str  # a "waiting" badge: a stronger amber than a bar, to stand out in a list
    error_fg: str
    error_bg: str
    error_border: str
    info_fg: str
    info_bg: str
    info_border: str
    neutral_fg: str
    neutral_bg: str
    neutral_border: str
    # The Source column's lettered squares; the same in both sets (white on a deep colour).
    source_ink: str
    capillary_fill: str
    ctrlhub_fill: str


# Every ink here is at least 4.5:1 against its fill and against the window backgrounds of
# macOS, Windows and Fusion in the same scheme (WCAG AA for text; tests/test_palette.py).
LIGHT = Colours(
    muted="#5f656b",
    focus="#0b5ed7",
    ok_text="#146c43",
    warn_text="#664d03",
    error_text="#842029",
    info_text="#055160",
    ok_fg="#0f5132",
    ok_bg="#d1e7dd",
    ok_border="#a3cfbb",
    warn_fg="#664d03",
    warn_bg="#fff3cd",
    warn_border="#ffe69c",
    pending_bg="#ffe69c",
    error_fg="#842029",
    error_bg="#f8d7da",
    error_border="#f1aeb5",
    info_fg="#055160",
    info_bg="#cff4fc",
    info_border="#9eeaf9",
    neutral_fg="#41464b",
    neutral_bg="#e2e3e5",
    neutral_border="#adb5bd",
    source_ink="#ffffff",
    capillary_fill="#0b7285",
    ctrlhub_fill="#6741d9",
)
DARK = Colours(
    muted="#a7acb1",
    focus="#6ea8fe",
    ok_text="#75b798",
    warn_text="#ffda6a",
    error_text="#ea868f",
    info_text="#6edff6",
    ok_fg="#75b798",
    ok_bg="#051b11",
    ok_border="#0f5132",
    warn_fg="#ffda6a",
    warn_bg="#332701",
    warn_border="#997404",
    pending_bg="#4d3a00",
    error_fg="#ea868f",
    error_bg="#2c0b0e",
    error_border="#842029",
    info_fg="#6edff6",
    info_bg="#032830",
    info_border="#087990",
    neutral_fg="#dee2e6",
    neutral_bg="#2b3035",
    neutral_border="#6c757d",
    source_ink="#ffffff",
    capillary_fill="#0b7285",
    ctrlhub_fill="#6741d9",
)

_Role = QPalette.ColorRole
# The window in the dark, for platforms that have no dark palette of their own.
DARK_WINDOW = {
    _Role.Window: "#1f2023",
    _Role.WindowText: "#e6e6e6",
    _Role.Base: "#18191b",
    _Role.AlternateBase: "#232427",
    _Role.Text: "#e6e6e6",
    _Role.Button: "#2b2d31",
    _Role.ButtonText: "#e6e6e6",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#2f65ad",
    _Role.HighlightedText: "#ffffff",
    _Role.Accent: "#2f65ad",
    _Role.Link: "#8ab4f8",
    _Role.LinkVisited: "#c58af9",
    _Role.ToolTipBase: "#2b2d31",
    _Role.ToolTipText: "#e6e6e6",
    _Role.PlaceholderText: "#8b8f94",
    _Role.Light: "#3a3d42",
    _Role.Midlight: "#303236",
    _Role.Mid: "#4a4d52",
    _Role.Dark: "#141517",
    _Role.Shadow: "#000000",
}
# Disabled words stay readable but plainly dimmer (a previous customer under "Searching…").
DARK_DISABLED = {
    _Role.WindowText: "#7d8186",
    _Role.Text: "#7d8186",
    _Role.ButtonText: "#7d8186",
    _Role.HighlightedText: "#b8bbbf",
    _Role.Highlight: "#3a3d42",
}

# Styles that paint their controls light whatever the scheme (Windows 10's default).
LIGHT_ONLY_STYLES = {"windowsvista"}

# Which set, and what install() changed to make the window dark (undone for light).
_forced: bool | None = None  # tests and tools/screenshot.py --dark choose; None: the OS does
_own_palette = False
_native_style = ""  # the style the platform chose, before any style sheet wraps it
_on_fusion = False  # switched to Fusion for the dark
_applied: Colours | None = None  # the set the style sheets were filled from (install, _apply)


def is_dark() -> bool:
    """Is the program in its dark colours now: the scheme forced, else the OS's, else (an OS
    that does not say) whether the window is painted dark."""
    if _forced is not None:
        return _forced
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return _is_dark_palette(QGuiApplication.palette())


def colours() -> Colours:
    """The colour set in use: the one the style sheet was last filled from (a scheme switch
    fills it again). Asked at paint time, every badge of every row: asking the OS each time
    was 7% of painting the list."""
    if _forced is not None:
        return DARK if _forced else LIGHT
    if _applied is not None:
        return _applied
    return DARK if is_dark() else LIGHT


def badge(tone: str) -> tuple[str, str | None]:
    """(ink, fill) of a status badge by tone (viewer.domain.StatusTone); an unknown status
    gets an outline in the ink and no fill."""
    c = colours()
    return {
        "good": (c.ok_fg, c.ok_bg),
        "neutral": (c.neutral_fg, c.neutral_bg),
        "pending": (c.warn_fg, c.pending_bg),
        "bad": (c.error_fg, c.error_bg),
    }.get(tone, (c.neutral_fg, None))


def source_glyph(source: str) -> tuple[str, str]:
    """(ink, fill) of the Source column's lettered square: C Capillary, H Ctrl-Hub."""
    c = colours()
    return c.source_ink, c.ctrlhub_fill if source == "ctrlhub" else c.capillary_fill


@functools.cache  # two sets; each styled widget asks
def style_sheet(colour_set: Colours) -> str:
    """resources/style.qss with every ${name} filled from the set (a name the set lacks
    raises, so a typo in the sheet cannot pass unseen)."""
    return Template(read_text("style.qss")).substitute(asdict(colour_set))


# The sheet is set on the widgets it styles (styled()), never on the application. A sheet on
# the application, or on a widget holding others, has Qt draw every widget under it through
# its style-sheet style, rules or none: each cell of the list then asked that style what to
# draw, and the list painted 10–20% slower (bench/list_paint.py), for rules that never
# applied to it.
_CARRIES_SHEET = "viewerStyleSheet"  # a dynamic property: this widget has the sheet


def styled(widget: QWidget) -> None:
    """Give `widget`, and what it holds, the program's style sheet in the current colours;
    a scheme switch fills it again (_apply). Only for our own small widgets: never for one
    that holds the list or the window."""
    if widget.property(_CARRIES_SHEET):
        return
    widget.setProperty(_CARRIES_SHEET, True)
    widget.setStyleSheet(style_sheet(colours()))


def install(app: QApplication, dark: bool | None = None) -> None:
    """Colour the application for the current scheme and follow the OS from now on;
    `dark` forces one scheme (tests, screenshots) and stays until install() is called again."""
    global _forced, _native_style
    _forced = dark
    if not app.property("viewerFollowsScheme"):
        app.setProperty("viewerFollowsScheme", True)
        _native_style = app.style().name()
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _apply(app))
    _apply(app)


def _apply(app: QApplication) -> None:
    global _applied
    dark = is_dark()
    if dark:
        _make_window_dark(app)
    else:
        _undo_dark_window(app)
    before, _applied = _applied, DARK if dark else LIGHT
    if _applied == before:
        return
    sheet = style_sheet(_applied)
    for widget in app.allWidgets():  # a few hundred: a scheme switch is rare
        if widget.property(_CARRIES_SHEET):
            widget.setStyleSheet(sheet)  # re-polishes it and what it holds
        else:
            # Widgets that paint in colours() (greyed tabs, badges) look again, as a sheet
            # on the application made them do. Where the platform's palette follows the OS,
            # Qt may hand them the new palette before it says the scheme changed, while the
            # colour set here was still the old one.
            QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))
            widget.update()


def _make_window_dark(app: QApplication) -> None:
    global _own_palette, _on_fusion
    if _native_style.lower() in LIGHT_ONLY_STYLES and not _on_fusion:
        # Fusion follows the palette, and on Windows the platform's palette is dark then.
        app.setStyle("Fusion")
        _on_fusion = True
    if _is_dark_palette(app.palette()):
        return  # the platform and its style are dark already (macOS, Windows 11, a dark theme)
    palette = QPalette()
    for role, colour in DARK_WINDOW.items():
        palette.setColor(role, QColor(colour))
    for role, colour in DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    app.setPalette(palette)
    _own_palette = True


def _undo_dark_window(app: QApplication) -> None:
    global _own_palette, _on_fusion
    if _own_palette:
        app.setPalette(QPalette())  # the platform's own palette again
        _own_palette = False
    if _on_fusion:
        app.setStyle(_native_style)
        _on_fusion = False


def _is_dark_palette(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def set_look(widget: QWidget, **properties: object) -> None:
    """Set the dynamic properties the style sheet selects on (tone="warn", severity="error",
    …) and have the sheet looked at again for the widget and what it holds (Qt does not
    re-match a selector by itself when a property changes). Nothing happens when nothing
    changed: re-polishing is not free."""
    changed = False
    for name, value in properties.items():
        if widget.property(name) != value:
            widget.setProperty(name, value)
            changed = True
    if not widget.property(_CARRIES_SHEET):
        styled(widget)  # setting the sheet matches it against the new properties
        return
    if not changed:
        return
    for each in (widget, *widget.findChildren(QWidget)):
        each.style().unpolish(each)
        each.style().polish(each)
        each.update()


def contrast(ink: str | QColor, fill: str | QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (none) to 21 (black on white)."""

    def luminance(colour: str | QColor) -> float:
        c = QColor(colour)
        channels = [
            v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
            for v in (c.redF(), c.greenF(), c.blueF())
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(ink), luminance(fill)), reverse=True)
    return (high + 0.05) / (low + 0.05)
