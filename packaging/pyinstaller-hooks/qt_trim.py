"""What of Qt the frozen program leaves out, applied where PyInstaller's Qt hooks collect it.

The program uses QtCore, QtGui and QtWidgets, draws an SVG icon and speaks English only.
Dropping a plugin here, before PyInstaller analyses library dependencies, also keeps out the
libraries only that plugin needs (the GTK theme alone pulls in GTK, cairo and pango, ~25 MB).
Anything not named below is kept, so an unknown plugin on one platform is never lost.
The hook-PySide6.*.py files beside this one replace PyInstaller's own hooks for those modules.
"""

from __future__ import annotations

import os

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugin folders the program never loads.
DROPPED_PLUGIN_TYPES = {
    "egldeviceintegrations",  # eglfs/KMS: full-screen embedded devices
    "generic",  # evdev/tslib/tuio input for embedded devices
    "networkinformation",
    "tls",
    "sqldrivers",
    "printsupport",
    "designer",
    "qmltooling",
    "qmllint",
    "vectorimageformats",
    "xcbglintegrations",  # OpenGL on X11: the widgets paint in software (raster)
    "wayland-graphics-integration-client",  # OpenGL on Wayland, likewise; shared memory stays
    "wayland-graphics-integration-server",
}
# Single plugins the program never loads; each stem is the file name without lib/extension.
DROPPED_PLUGINS = {
    "platforms": {"qminimal", "qminimalegl", "qeglfs", "qlinuxfb", "qvnc", "qvkkhrdisplay"},
    "platformthemes": {"qgtk3"},  # the xdg-desktop-portal theme stays
    "imageformats": {"qgif", "qjpeg", "qtiff", "qwebp", "qwbmp", "qtga", "qpdf", "qicns"},
    # Desktops speak xdg-shell; the others are for embedded and in-car compositors.
    "wayland-shell-integration": {
        "fullscreen-shell-v1",
        "ivi-shell",
        "qt-shell",
        "wl-shell-plugin",
    },
}


def wanted(src: str, dest_dir: str) -> bool:
    """Keep this (src, dest_dir) TOC entry of a Qt hook? No translations, no unused plugins."""
    parts = dest_dir.replace("\\", "/").split("/")
    if "translations" in parts:
        return False  # qtbase_*.qm: the UI is English only
    if "plugins" not in parts:
        return True
    plugin_type = "/".join(parts[parts.index("plugins") + 1 :])
    if plugin_type in DROPPED_PLUGIN_TYPES:
        return False
    stem = os.path.basename(src).split(".")[0].removeprefix("lib")
    return stem not in DROPPED_PLUGINS.get(plugin_type, ())


def trimmed_qt6_dependencies(hook_file: str):
    hiddenimports, binaries, datas = add_qt6_dependencies(hook_file)
    return (
        hiddenimports,
        [entry for entry in binaries if wanted(*entry)],
        [entry for entry in datas if wanted(*entry)],
    )
