"""Profiles: the non-secret settings of a connection, kept in config.toml.

A profile names where each source lives and who signs in; secrets never live here (they go
through credentials.py to the OS keyring). Environment variables override a profile so
scripts and tests can point the program anywhere without writing a file.

The file may have been edited by hand or copied from a colleague, so reading it never
raises: a line TOML cannot read is named ("config.toml line 7: …") and the rest is still
used; a profile with an unsafe address (plain http to another computer, a password inside
the URL) is skipped with a sentence. The same checks apply to environment overrides. The
file is written by a real TOML writer (tomli-w), user-only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from viewer.domain import BadInput
from viewer.identifiers import country_code, normalise_uuid

# The folders live in viewer/places.py (start-up reads them without this module).
from viewer.places import APP_NAME as APP_NAME
from viewer.places import cache_dir as cache_dir
from viewer.places import config_dir as config_dir

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
    # ISO 3166 alpha-2 ("IN", "GB"): a mobile typed without "+" is read as a national number
    # there ("07700 900123" → 447700900123). Empty: its digits are sent as typed.
    default_country: str = ""
    # Privacy (set by IT in config.toml): saved customers older than this many days are
    # deleted, and all saved data of the profile once no source was reached for as long
    # (0: off); a copy of every access-log record to a JSON-lines file or the system log.
    max_offline_days: int = 0
    audit_file: str = ""
    audit_syslog: bool = False
    # Masked mode from the start (viewer/masking.py): names, mobiles, e-mails hidden.
    mask_by_default: bool = False
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
class Skipped:
    """A profile the file describes in a way that cannot be used safely."""

    why: str  # the sentence the agent or administrator reads
    table: object  # as it was in the file: written back unchanged, so saving loses nothing


@dataclass(frozen=True)
class Config:
    profiles: dict[str, Profile]
    last_profile: str | None = None
    keep_days: int = 30  # saved customers older than this are dropped
    max_mb: int = 500  # and the least recently viewed past this size
    # What could not be used, one sentence each: "config.toml line 7: …", a skipped profile.
    problems: tuple[str, ...] = ()
    # Set when the file as a whole is not valid TOML (or cannot be read): the CLI stops
    # there (exit 2); the window goes on with the parts that could be read.
    damaged: str = ""
    skipped: dict[str, Skipped] = field(default_factory=dict)
    # tel: links open a lookup (viewer/links.py); the agent turns this on, off by default.
    tel_links: bool = False


def load_config(env: Mapping[str, str] = os.environ) -> Config:
    """The settings file; never raises. What cannot be used is left out and said in `problems`."""
    data, problems = _read_file(config_dir(env) / CONFIG_FILE)
    damaged = problems[0] if problems else ""
    profiles: dict[str, Profile] = {}
    skipped: dict[str, Skipped] = {}
    for name, table in _as_dict(data.get("profiles")).items():
        try:
            profiles[name] = validated(_profile_from_table(name, table))
        except BadInput as exc:
            skipped[name] = Skipped(
                f"Profile “{name}” in {CONFIG_FILE} is not used: {exc.message}", table
            )
            problems.append(skipped[name].why)
            continue
        profiles[name], problem = _country_checked(profiles[name])
        if problem:
            problems.append(problem)
    last = data.get("last_profile")
    saved = _as_dict(data.get("saved_data"))
    keep_days, max_mb = saved.get("keep_days", 30), saved.get("max_mb", 500)
    tel_links = _as_dict(data.get("links")).get("tel") is True
    return Config(
        profiles,
        last if isinstance(last, str) else None,
        keep_days if isinstance(keep_days, int) and keep_days > 0 else 30,
        max_mb if isinstance(max_mb, int) and max_mb > 0 else 500,
        tuple(problems),
        damaged,
        skipped,
        tel_links,
    )


def _as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _country_checked(profile: Profile) -> tuple[Profile, str]:
    """An unknown default country costs the agent only that setting, not the profile:
    mobiles are then read as typed, and a sentence says so."""
    try:
        return replace(profile, default_country=country_code(profile.default_country)), ""
    except BadInput as exc:
        why = (
            f"Profile “{profile.name}” in {CONFIG_FILE}: default_country {exc.message} "
            "Until it is fixed, mobile numbers are searched as typed."
        )
        return replace(profile, default_country=""), why


def _profile_from_table(name: str, table: object) -> Profile:
    if not isinstance(table, dict):
        raise BadInput("it is not a table of settings.")
    return Profile(name=name, **_typed(table))


# -- reading a file that may have been edited by hand ------------------------------------

_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")
_TABLE_HEADER = re.compile(r"[ \t]*\[")


def _read_file(path: Path) -> tuple[dict, list[str]]:
    """The file's settings and, first, the sentence saying why it is damaged (if it is)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        return {}, [f"{path} cannot be read ({exc.strerror or exc}); no saved profile is used."]
    problems = []
    text = raw.decode("utf-8", errors="replace")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(f"{CONFIG_FILE} line {line}: this is not UTF-8 text.")
    try:
        return tomllib.loads(text), problems
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        problems.append(_toml_sentence(exc, 1, text.count("\n") + 1))
    data, more = _read_by_table(text)
    return data, problems + [m for m in more if m not in problems]


def _read_by_table(text: str) -> tuple[dict, list[str]]:
    """A file TOML cannot read as a whole, read one [table] at a time: a typo in one
    profile does not cost the agent the others."""
    data: dict = {}
    problems = []
    for first, chunk in _tables(text):
        try:
            part = tomllib.loads(chunk)
        except (ValueError, RecursionError) as exc:
            problems.append(_toml_sentence(exc, first, first + chunk.count("\n")))
            continue
        _merge(data, part)
    return data, problems


def _tables(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each [table] section, and of the lines before the first."""
    start = 1
    lines: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):  # TOML counts lines by \n
        if lines and _TABLE_HEADER.match(line):
            yield start, "\n".join(lines)
            start, lines = number, []
        lines.append(line)
    yield start, "\n".join(lines)


def _merge(into: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            into.setdefault(key, value)


def _toml_sentence(exc: Exception, first_line: int, last_line: int) -> str:
    """ "config.toml line 7: Expected '=' after a key in a key/value pair." """
    if isinstance(exc, RecursionError):
        return f"{CONFIG_FILE} lines {first_line}–{last_line}: values are nested too deeply."
    if not isinstance(exc, tomllib.TOMLDecodeError):  # int(): a number of 4,300+ digits
        return f"{CONFIG_FILE} lines {first_line}–{last_line}: a number is too long."
    message = str(exc)
    where = _WHERE.search(message)
    reason = _WHERE.sub("", message).strip().rstrip(".") or "not valid TOML"
    line = first_line + int(where.group(1)) - 1 if where and where.group(1) else last_line
    return f"{CONFIG_FILE} line {line}: {reason}."


# -- checking what the file (or the environment) says ------------------------------------

URL_FIELDS = {
    "capillary_url": "Capillary",
    "ctrlhub_url": "Ctrl-Hub API",
    "ctrlhub_auth_url": "Ctrl-Hub sign-in",
}
_HOST_SHAPE = re.compile(r"[\w-]+(?:\.[\w-]+)*\.?")


def validated(profile: Profile) -> Profile:
    """`profile` with its addresses normalised, or BadInput saying what is wrong. Run on
    every profile read from the file or the environment, not only on `profile add`: a
    Basic header must never travel over plain HTTP because a file said so."""
    changes: dict[str, Any] = {}  # str values for str fields; Any lets them reach replace()
    for key, what in URL_FIELDS.items():
        if getattr(profile, key):
            changes[key] = web_address(getattr(profile, key), what)
    if profile.capillary_auth not in CAPILLARY_AUTHS:
        raise BadInput(
            "Capillary signs in with basic (username + password) or oauth (key + secret)."
        )
    if profile.ctrlhub_auth not in CTRLHUB_AUTHS:
        raise BadInput("Ctrl-Hub signs in with token, password or service.")
    if profile.ctrlhub_org:  # it goes into every Ctrl-Hub URL path
        changes["ctrlhub_org"] = normalise_uuid(profile.ctrlhub_org, "Ctrl-Hub organisation id")
    return replace(profile, **changes)


def web_address(text: str, what: str) -> str:
    """An https URL (http only to this computer, for the demo); a bare cluster host is fine.

    No "user:password@": the password would sit in this file in plain text, and httpx
    would send it in place of the sign-in this program manages."""
    text = text.strip().rstrip("/")
    if text and "://" not in text:
        text = f"https://{text}"
    if any(c.isspace() or not c.isprintable() for c in text):
        raise BadInput(
            f"The {what} address is not a web address (it holds spaces or control characters)."
        )
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname, parts.port  # .port raises ValueError when it is no number
    except ValueError:
        raise BadInput(f"The {what} address is not a web address (“{text}”).") from None
    if "@" in parts.netloc:
        raise BadInput(
            f"The {what} address must not hold a user name or password (“…@”): "
            "give the password when asked, and it is kept in the OS keyring."
        )
    if not host or not (_HOST_SHAPE.fullmatch(host) or _ip(host)):
        raise BadInput(f"The {what} address is missing or not a web address.")
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        raise BadInput(f"The {what} address must start with https:// (it was “{text}”).")
    return text


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _ip(host)
    return host == "localhost" or bool(address and address.is_loopback)


# -- writing ------------------------------------------------------------------------------

SAVED_FIELDS = tuple(f.name for f in fields(Profile) if f.name not in ("name", "memory_secrets"))
HEADER = "# Customer Interaction Viewer settings. No secrets here: they live in the OS keyring.\n\n"


def write_config(config: Config, env: Mapping[str, str] = os.environ) -> Path:
    """Save every profile with a real TOML writer, atomically (a crash mid-write never
    leaves half a file) and user-only (0600 in a 0700 folder on POSIX)."""
    try:
        data = (HEADER + tomli_w.dumps(_document(config))).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a mis-encoded command line
        raise BadInput(
            "A profile setting holds characters that are not text; type it again."
        ) from None
    folder = _private_folder(config_dir(env))
    path = folder / CONFIG_FILE
    _set_aside_if_damaged(path)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".config-", suffix=".toml")  # 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def _document(config: Config) -> dict:
    document: dict = {}
    if config.last_profile is not None:
        document["last_profile"] = config.last_profile
    document["saved_data"] = {"keep_days": int(config.keep_days), "max_mb": int(config.max_mb)}
    if config.tel_links:
        document["links"] = {"tel": True}
    tables = {name: skipped.table for name, skipped in config.skipped.items()}
    tables.update({name: _saved_fields(profile) for name, profile in config.profiles.items()})
    if tables:
        document["profiles"] = dict(sorted(tables.items()))
    return document


def _saved_fields(profile: Profile) -> dict[str, object]:
    default = Profile(name=profile.name)
    return {
        key: getattr(profile, key)
        for key in SAVED_FIELDS
        if getattr(profile, key) != getattr(default, key) or key in ("capillary_url", "ctrlhub_org")
    }


def _private_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":  # a folder made by an older version, or by hand, may be 0755
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    return folder


def _set_aside_if_damaged(path: Path) -> None:
    """A file TOML cannot read is kept beside the new one, not overwritten: the window
    went on with the parts it could read, and the rest is still the user's."""
    try:
        tomllib.loads(path.read_bytes().decode("utf-8"))
        return
    except FileNotFoundError:
        return
    except (OSError, ValueError, RecursionError):
        pass
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"config-unreadable-{stamp}.toml")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"config-unreadable-{stamp}-{number}.toml")
    os.replace(path, aside)


def save_profile(
    profile: Profile, previous_name: str | None = None, env: Mapping[str, str] = os.environ
) -> None:
    """Add or update a profile (renaming it when `previous_name` differs); it becomes the last used."""
    config = load_config(env)
    profiles, skipped = dict(config.profiles), dict(config.skipped)
    for old in {previous_name or profile.name, profile.name}:
        profiles.pop(old, None)
        skipped.pop(old, None)  # set up again: the file's unusable version goes
    profiles[profile.name] = replace(profile, memory_secrets={})
    write_config(
        replace(config, profiles=profiles, skipped=skipped, last_profile=profile.name), env
    )


def remove_profile(name: str, env: Mapping[str, str] = os.environ) -> bool:
    config = load_config(env)
    if name not in config.profiles and name not in config.skipped:
        return False
    profiles = {k: v for k, v in config.profiles.items() if k != name}
    skipped = {k: v for k, v in config.skipped.items() if k != name}
    last = config.last_profile if config.last_profile != name else next(iter(profiles), None)
    write_config(replace(config, profiles=profiles, skipped=skipped, last_profile=last), env)
    return True


def remember_last(name: str, env: Mapping[str, str] = os.environ) -> None:
    config = load_config(env)
    if name in config.profiles and config.last_profile != name:
        write_config(replace(config, last_profile=name), env)


def save_retention(keep_days: int, max_mb: int, env: Mapping[str, str] = os.environ) -> None:
    write_config(replace(load_config(env), keep_days=keep_days, max_mb=max_mb), env)


def save_tel_links(on: bool, env: Mapping[str, str] = os.environ) -> None:
    write_config(replace(load_config(env), tel_links=on), env)


def _typed(values: Mapping[str, object]) -> dict[str, Any]:
    """Known profile fields with the field's type (seconds are numbers); bad values are dropped.
    Any: each value has its own field's type, which is what `Profile(**typed)` needs."""
    kinds = {
        f.name: type(f.default) for f in fields(Profile) if f.name not in ("name", "memory_secrets")
    }
    typed: dict[str, Any] = {}
    for key, value in values.items():
        if key not in kinds:
            continue
        if kinds[key] is float:
            if not isinstance(value, str | int | float):
                continue
            try:
                number = float(value)
            except ValueError:
                continue
            if 0 < number <= 3600:
                typed[key] = number
        elif kinds[key] is bool:
            if isinstance(value, bool):
                typed[key] = value
        elif kinds[key] is int:
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 36500:
                typed[key] = value
        elif isinstance(value, str | int | float):
            typed[key] = str(value)
    return typed


def resolve_profile(name: str | None, env: Mapping[str, str] = os.environ) -> Profile:
    """The named profile (or the last used, or the only one), with environment overrides.

    With no profile on disk, the environment alone can describe one (name "env"). KeyError
    for a name the file does not have; BadInput for one it describes unsafely, or when the
    environment does (the same checks as the file).
    """
    config = load_config(env)
    chosen = (
        name
        or config.last_profile
        or (next(iter(config.profiles)) if len(config.profiles) == 1 else None)
    )
    if chosen in config.skipped:
        raise BadInput(config.skipped[chosen].why)
    if name and name not in config.profiles:
        raise KeyError(name)
    profile = config.profiles.get(chosen or "", Profile(name=chosen or "env"))
    overrides = _typed({attr: env[var] for var, attr in ENV_OVERRIDES.items() if env.get(var)})
    return validated(replace(profile, **overrides)) if overrides else profile
