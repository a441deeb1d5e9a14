"""Where the program keeps its files: its name, and its settings, saved-data and log folders
(each can be moved with an environment variable, as the tests and a portable set-up do).

Imported before the window is shown (the logs, the single-instance check), so it imports
almost nothing: the settings code needs phonenumbers, which costs ~30 ms.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import platformdirs

APP_NAME = "customer-viewer"


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _folder(env, "VIEWER_CONFIG_DIR", platformdirs.user_config_dir)


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _folder(env, "VIEWER_CACHE_DIR", platformdirs.user_cache_dir)


def log_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _folder(env, "VIEWER_LOG_DIR", platformdirs.user_log_dir)


def _folder(
    env: Mapping[str, str], override_name: str, platform_folder: Callable[..., str]
) -> Path:
    override = env.get(override_name)
    return Path(override) if override else Path(platform_folder(APP_NAME, appauthor=False))
