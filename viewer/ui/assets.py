"""The program's assets: the app icon, the channel glyphs and the style sheet.

They live in the top-level resources/ folder, which pyproject ([tool.setuptools.package-dir])
and the PyInstaller spec ship as the package `viewer.resources`; importlib.resources then
finds them the same way in a checkout, an editable install, a wheel and the bundle.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

PACKAGE = "viewer.resources"
APP_ICON = "app-icon.svg"
# Glyph sizes drawn for an icon: a tab shows 16 px, and twice that on a high-DPI screen.
GLYPH_SIZES = (16, 24, 32, 48)


def resource(name: str) -> Traversable:
    return files(PACKAGE) / name


def read_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")


def app_icon() -> QIcon:
    # A real file in every install (wheels are unpacked, the bundle is a folder): Qt's own
    # SVG icon engine then draws it sharp at any size.
    return QIcon(str(resource(APP_ICON)))


def glyph_name(channel: str | None) -> str:
    """The glyph file of a channel tab: None is "All"; a channel without its own glyph (a
    source's own word) gets the generic speech bubble."""
    name = f"channel-{channel or 'all'}.svg"
    return name if resource(name).is_file() else "channel-generic.svg"


def glyph_icon(channel: str | None, ink: str) -> QIcon:
    """A channel's glyph drawn in `ink` (the glyphs are drawn in currentColor, so one file
    serves the light and the dark scheme, and a greyed tab)."""
    svg = read_text(glyph_name(channel)).replace("currentColor", ink)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for size in GLYPH_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon
