"""Where the window remembers small choices (which list columns are shown).

An INI file in the program's config folder: beside profiles.toml, so VIEWER_CONFIG_DIR (and
with it every test) moves it too, and never the registry. (ui/ may not import
viewer.profiles, hence the same rule spelled out here.)
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANISATION = APPLICATION = "customer-viewer"
FILE_NAME = "window.ini"


def settings_path() -> Path | None:
    override = os.environ.get("VIEWER_CONFIG_DIR")
    return Path(override) / FILE_NAME if override else None


def ui_settings() -> QSettings:
    path = settings_path()
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


def remember(key: str, value: object) -> None:
    """Store one value now; the file is the user's alone (DESIGN.md: 0600 on POSIX)."""
    settings = ui_settings()
    settings.setValue(key, value)
    settings.sync()
    name = settings.fileName()
    if os.name == "posix" and name and Path(name).is_file():
        os.chmod(name, 0o600)


def recall(key: str, default: object = None) -> object:
    return ui_settings().value(key, default)
