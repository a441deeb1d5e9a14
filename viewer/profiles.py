"""Profiles: the non-secret settings of a connection, kept in config.toml.

A profile names where each source lives and who signs in; secrets never live here (they go
through credentials.py to the OS keyring). Environment variables override a profile so
scripts and tests can point the program anywhere without writing a file.
"""

from __future__ import annotations

import json
import os
import tempfile
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
    "VIEWER_CAPILLARY_AUTH": "capillary_auth",
    "VIEWER_CAPILLARY_USERNAME": "capillary_username",
    "VIEWER_CAPILLARY_KEY": "capillary_key",
    "VIEWER_CAPILLARY_TIMEZONE": "capillary_timezone",
    "VIEWER_CTRLHUB_URL": "ctrlhub_url",
    "VIEWER_CTRLHUB_AUTH_URL": "ctrlhub_auth_url",
    "VIEWER_CTRLHUB_ORG": "ctrlhub_org",
    "VIEWER_CTRLHUB_AUTH": "ctrlhub_auth",
    "VIEWER_CTRLHUB_CLIENT_ID": "ctrlhub_client_id",
    "VIEWER_CONNECT_TIMEOUT_S": "connect_timeout_s",
    "VIEWER_READ_TIMEOUT_S": "read_timeout_s",
    "VIEWER_DEADLINE_S": "deadline_s",
}
DEFAULT_CTRLHUB_AUTH_URL = "https://auth.ctrl-hub.com"
CAPILLARY_AUTHS = ("basic", "oauth")
CTRLHUB_AUTHS = ("token", "password", "service")


@dataclass(frozen=True)
class Profile:
    name: str
    capillary_url: str = ""
    capillary_auth: str = "basic"  # "basic" (username + password) or "oauth" (key + secret)
    capillary_username: str = ""
    capillary_key: str = ""
    capillary_timezone: str = "UTC"
    ctrlhub_url: str = DEFAULT_CTRLHUB_URL
    ctrlhub_auth_url: str = DEFAULT_CTRLHUB_AUTH_URL
    ctrlhub_org: str = ""
    # "token" (pasted), "password" (signed in with e-mail + password; the session token is
    # kept, never the password) or "service" (client id + secret).
    ctrlhub_auth: str = "token"
    ctrlhub_username: str = ""  # the e-mail to sign in again with
    ctrlhub_client_id: str = ""
    # How long to wait: to connect, for each reply, and in all per source per lookup
    # (timeouts and retries together), so an agent is told within a minute.
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    deadline_s: float = 45.0
    # Secrets handed over in memory (the demo profile, environment variables); never saved.
    memory_secrets: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_capillary(self) -> bool:
        who = self.capillary_key if self.capillary_auth == "oauth" else self.capillary_username
        return bool(self.capillary_url and who)

    @property
    def has_ctrlhub(self) -> bool:
        return bool(self.ctrlhub_url and self.ctrlhub_org)


@dataclass(frozen=True)
class Config:
    profiles: dict[str, Profile]
    last_profile: str | None = None
    keep_days: int = 30  # saved customers older than this are dropped
    max_mb: int = 500  # and the least recently viewed past this size


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
    profiles = {}
    for name, table in (data.get("profiles") or {}).items():
        if isinstance(table, dict):
            profiles[name] = Profile(name=name, **_typed(table))
    last = data.get("last_profile")
    saved = data.get("saved_data") if isinstance(data.get("saved_data"), dict) else {}
    keep_days, max_mb = saved.get("keep_days", 30), saved.get("max_mb", 500)
    return Config(
        profiles,
        last if isinstance(last, str) else None,
        keep_days if isinstance(keep_days, int) and keep_days > 0 else 30,
        max_mb if isinstance(max_mb, int) and max_mb > 0 else 500,
    )


SAVED_FIELDS = tuple(f.name for f in fields(Profile) if f.name not in ("name", "memory_secrets"))


def _toml_string(value: str) -> str:
    # A JSON string with ASCII escapes is also a valid TOML basic string.
    return json.dumps(value, ensure_ascii=True)


def write_config(config: Config, env: Mapping[str, str] = os.environ) -> Path:
    """Save every profile, atomically: a crash mid-write never leaves half a file."""
    folder = config_dir(env)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Customer Interaction Viewer settings. No secrets here: they live in the OS keyring.", ""]
    if config.last_profile:
        lines += [f"last_profile = {_toml_string(config.last_profile)}", ""]
    lines += ["[saved_data]", f"keep_days = {int(config.keep_days)}", f"max_mb = {int(config.max_mb)}", ""]
    for name, profile in sorted(config.profiles.items()):
        lines.append(f"[profiles.{_toml_string(name)}]")
        default = Profile(name=name)
        for key in SAVED_FIELDS:
            value = getattr(profile, key)
            if value != getattr(default, key) or key in ("capillary_url", "ctrlhub_org"):
                shown = repr(value) if isinstance(value, float) else _toml_string(str(value))
                lines.append(f"{key} = {shown}")
        lines.append("")
    path = folder / CONFIG_FILE
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".config-", suffix=".toml")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    os.replace(temporary, path)
    return path


def save_profile(profile: Profile, previous_name: str | None = None,
                 env: Mapping[str, str] = os.environ) -> None:
    """Add or update a profile (renaming it when `previous_name` differs); it becomes the last used."""
    config = load_config(env)
    profiles = dict(config.profiles)
    if previous_name and previous_name != profile.name:
        profiles.pop(previous_name, None)
    profiles[profile.name] = replace(profile, memory_secrets={})
    write_config(replace(config, profiles=profiles, last_profile=profile.name), env)


def remove_profile(name: str, env: Mapping[str, str] = os.environ) -> bool:
    config = load_config(env)
    if name not in config.profiles:
        return False
    profiles = {k: v for k, v in config.profiles.items() if k != name}
    last = config.last_profile if config.last_profile != name else next(iter(profiles), None)
    write_config(replace(config, profiles=profiles, last_profile=last), env)
    return True


def remember_last(name: str, env: Mapping[str, str] = os.environ) -> None:
    config = load_config(env)
    if name in config.profiles and config.last_profile != name:
        write_config(replace(config, last_profile=name), env)


def save_retention(keep_days: int, max_mb: int, env: Mapping[str, str] = os.environ) -> None:
    write_config(replace(load_config(env), keep_days=keep_days, max_mb=max_mb), env)


def _typed(values: Mapping[str, object]) -> dict[str, object]:
    """Known profile fields with the field's type (seconds are numbers); bad values are dropped."""
    kinds = {f.name: type(f.default) for f in fields(Profile) if f.name not in ("name", "memory_secrets")}
    typed: dict[str, object] = {}
    for key, value in values.items():
        if key not in kinds:
            continue
        if kinds[key] is float:
            try:
                number = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            if 0 < number <= 3600:
                typed[key] = number
        else:
            typed[key] = str(value)
    return typed


def resolve_profile(name: str | None, env: Mapping[str, str] = os.environ) -> Profile:
    """The named profile (or the last used, or the only one), with environment overrides.

    With no profile on disk, the environment alone can describe one (name "env").
    """
    config = load_config(env)
    chosen = name or config.last_profile or (next(iter(config.profiles)) if len(config.profiles) == 1 else None)
    if name and name not in config.profiles:
        raise KeyError(name)
    profile = config.profiles.get(chosen or "", Profile(name=chosen or "env"))
    overrides = _typed({attr: env[var] for var, attr in ENV_OVERRIDES.items() if env.get(var)})
    return replace(profile, **overrides) if overrides else profile
