"""Profiles: the non-secret settings of a connection, kept in config.toml.

A profile names where each source lives and who signs in; secrets never live here (they go
through credentials.py to the OS keyring). Environment variables override a profile so
scripts and tests can point the program anywhere without writing a file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

APP_NAME = "customer-viewer"
CONFIG_FILE = "config.toml"
DEFAULT_CTRLHUB_URL = "https://api.ctrl-hub.com"

# Environment variable → profile field. Secrets are read by credentials.py, not here.
ENV_OVERRIDES = {
    "VIEWER_CAPILLARY_URL": "capillary_url",
    "VIEWER_CAPILLARY_USERNAME": "capillary_username",
    "VIEWER_CAPILLARY_TIMEZONE": "capillary_timezone",
    "VIEWER_CTRLHUB_URL": "ctrlhub_url",
    "VIEWER_CTRLHUB_ORG": "ctrlhub_org",
}


@dataclass(frozen=True)
class Profile:
    name: str
    capillary_url: str = ""
    capillary_username: str = ""
    capillary_timezone: str = "UTC"
    ctrlhub_url: str = DEFAULT_CTRLHUB_URL
    ctrlhub_org: str = ""
    # Secrets handed over in memory (the demo profile, environment variables); never saved.
    memory_secrets: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_capillary(self) -> bool:
        return bool(self.capillary_url and self.capillary_username)

    @property
    def has_ctrlhub(self) -> bool:
        return bool(self.ctrlhub_url and self.ctrlhub_org)


@dataclass(frozen=True)
class Config:
    profiles: dict[str, Profile]
    last_profile: str | None = None


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    override = env.get("VIEWER_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    override = env.get("VIEWER_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def load_config(env: Mapping[str, str] = os.environ) -> Config:
    path = config_dir(env) / CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config({})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path} cannot be read: {exc}") from None
    known = {f.name for f in fields(Profile)} - {"name", "memory_secrets"}
    profiles = {}
    for name, table in (data.get("profiles") or {}).items():
        if isinstance(table, dict):
            values = {k: str(v) for k, v in table.items() if k in known}
            profiles[name] = Profile(name=name, **values)
    last = data.get("last_profile")
    return Config(profiles, last if isinstance(last, str) else None)


def resolve_profile(name: str | None, env: Mapping[str, str] = os.environ) -> Profile:
    """The named profile (or the last used, or the only one), with environment overrides.

    With no profile on disk, the environment alone can describe one (name "env").
    """
    config = load_config(env)
    chosen = name or config.last_profile or (next(iter(config.profiles)) if len(config.profiles) == 1 else None)
    if name and name not in config.profiles:
        raise KeyError(name)
    profile = config.profiles.get(chosen or "", Profile(name=chosen or "env"))
    overrides = {attr: env[var] for var, attr in ENV_OVERRIDES.items() if env.get(var)}
    return replace(profile, **overrides) if overrides else profile
