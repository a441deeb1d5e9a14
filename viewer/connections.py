"""Setting up connections, for the setup dialog and `customer-viewer profile` alike (no Qt).

Validates what the agent or administrator typed, signs in once when a password is given
(only the session it yields is kept), stores secrets through credentials.py, saves the
profile, tests each source, and removes a profile with its secrets.

It is also everything the window's connection dialogs need from below (ui/ imports no
`sources`, `credentials`, `cache` or `profiles`: import-linter checks it). What touches the
keyring, the network, SQLite or writes a file is a coroutine here that runs the blocking part
on a worker thread: a locked keyring may wait for its unlock prompt, and the GUI thread must
keep painting meanwhile. Reading config.toml (a few hundred bytes, read at start-up too) stays
a plain call, so the profile switcher is right the moment a profile is chosen.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from viewer import audit, credentials, profiles
from viewer.cache import OfflineStore
from viewer.domain import BadInput, ExitCode, Source, ViewerError
from viewer.identifiers import normalise_uuid
from viewer.lookup import LookupService
from viewer.profiles import Profile
from viewer.sources import ctrlhub, http
from viewer.sources.auth import ctrlhub_password_sign_in, ctrlhub_sign_out
from viewer.sources.capillary import CLUSTERS, CapillaryClient
from viewer.sources.ctrlhub import CtrlHubClient
from viewer.wiring import build_service, capillary_settings, ctrlhub_settings, open_store

# Handles the window holds and hands back here. `Profile` is a plain frozen dataclass of
# settings (no I/O), the value every function below takes; the store is only passed through.
SavedDataStore = OfflineStore

# What the set-up dialog offers to pick from.
CAPILLARY_CLUSTERS: tuple[str, ...] = tuple(CLUSTERS)
CTRLHUB_DEFAULT_AUTH_URL = ctrlhub.DEFAULT_AUTH_URL
CTRLHUB_PRESETS: dict[str, str] = {  # API address → its sign-in address
    ctrlhub.DEFAULT_URL: ctrlhub.DEFAULT_AUTH_URL,
    ctrlhub.STAGING_URL: ctrlhub.STAGING_AUTH_URL,
}

# config.toml is read, changed and replaced whole: two writers on worker threads at once
# (remember the last profile, save a profile, change saved-data limits) would lose one change.
_config_writes = threading.Lock()
T = TypeVar("T")


def web_address(text: str, what: str) -> str:
    """An https URL (http only on this computer, for the demo; no "user:password@"); a bare
    cluster host is fine. The same check runs on every profile read from config.toml."""
    return profiles.web_address(text, what)


def check_profile(profile: Profile) -> Profile:
    """The profile with its addresses normalised, or BadInput saying what is wrong."""
    name = profile.name.strip()
    if not name or any(c in name for c in "\n\r\t:"):
        raise BadInput("A profile needs a name (no colons or line breaks).")
    if not (profile.has_capillary or profile.has_ctrlhub):
        raise BadInput("Set up Capillary, Ctrl-Hub, or both.")
    changes: dict[str, Any] = {"name": name}  # str values for str fields; Any reaches replace()
    if profile.has_capillary:
        changes["capillary_url"] = web_address(profile.capillary_url, "Capillary")
        if profile.capillary_auth not in profiles.CAPILLARY_AUTHS:
            raise BadInput(
                "Capillary signs in with basic (username + password) or oauth (key + secret)."
            )
        try:
            ZoneInfo(profile.capillary_timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(
                f"“{profile.capillary_timezone}” is not a time zone name (e.g. Asia/Kolkata)."
            ) from None
    if profile.has_ctrlhub:
        changes["ctrlhub_url"] = web_address(profile.ctrlhub_url, "Ctrl-Hub API")
        changes["ctrlhub_auth_url"] = web_address(profile.ctrlhub_auth_url, "Ctrl-Hub sign-in")
        changes["ctrlhub_org"] = normalise_uuid(profile.ctrlhub_org, "Ctrl-Hub organisation id")
        if profile.ctrlhub_auth not in profiles.CTRLHUB_AUTHS:
            raise BadInput("Ctrl-Hub signs in with token, password or service.")
        if profile.ctrlhub_auth == "password" and not profile.ctrlhub_username:
            raise BadInput("Signing in to Ctrl-Hub with a password needs the e-mail address.")
        if profile.ctrlhub_auth == "service" and not profile.ctrlhub_client_id:
            raise BadInput("A Ctrl-Hub service account needs its client id.")
    return replace(profile, **changes)


def secret_purposes(profile: Profile) -> list[tuple[Source, str, str]]:
    """The secrets this profile needs, in the order `--secret-stdin` reads them:
    (source, keyring purpose, what to call it when asking)."""
    needed = []
    if profile.has_capillary:
        if profile.capillary_auth == "oauth":
            needed.append((Source.CAPILLARY, "capillary_secret", "Capillary OAuth client secret"))
        else:
            needed.append((Source.CAPILLARY, "capillary_password", "Capillary password"))
    if profile.has_ctrlhub:
        needed.append(
            {
                "token": (Source.CTRLHUB, "ctrlhub_token", "Ctrl-Hub session token"),
                "password": (
                    Source.CTRLHUB,
                    "ctrlhub_password",
                    "Ctrl-Hub password (used once, not kept)",
                ),
                "service": (
                    Source.CTRLHUB,
                    "ctrlhub_client_secret",
                    "Ctrl-Hub service-account secret",
                ),
            }[profile.ctrlhub_auth]
        )
    return needed


async def sign_in_if_needed(profile: Profile, secrets: dict[str, str]) -> dict[str, str]:
    """Trade a Ctrl-Hub password for a session token; the password goes no further."""
    secrets = dict(secrets)
    password = secrets.pop("ctrlhub_password", "")
    if profile.ctrlhub_auth == "password" and password:
        session = await ctrlhub_password_sign_in(
            profile.ctrlhub_auth_url,
            profile.ctrlhub_username,
            password,
            deadline_s=profile.deadline_s,
        )
        secrets["ctrlhub_token"] = session.token
    return secrets


def in_memory(profile: Profile, secrets: dict[str, str]) -> Profile:
    """The profile carrying these secrets for this run only (to test before saving)."""
    return replace(profile, memory_secrets={**profile.memory_secrets, **secrets})


@dataclass(frozen=True)
class SourceCheck:
    source: Source
    ok: bool
    message: str
    exit_code: int = 0


async def check_connections(profile: Profile) -> list[SourceCheck]:
    """Ask every configured source who we are; nothing is saved."""
    makers: list[tuple[Source, Callable[[], CapillaryClient | CtrlHubClient]]] = []
    if profile.has_capillary:
        makers.append((Source.CAPILLARY, lambda: CapillaryClient(capillary_settings(profile))))
    if profile.has_ctrlhub:
        makers.append((Source.CTRLHUB, lambda: CtrlHubClient(ctrlhub_settings(profile))))

    async def check(
        source: Source, make: Callable[[], CapillaryClient | CtrlHubClient]
    ) -> SourceCheck:
        try:
            client = make()
        except ViewerError as exc:
            return SourceCheck(source, False, str(exc), int(exc.exit_code))
        try:
            # The profile's deadline bounds the whole test (sign-in, retries, slow replies):
            # a server that drips bytes must not keep "profile test" or the dialog waiting.
            with http.limits(profile.deadline_s):
                async with asyncio.timeout(profile.deadline_s):
                    return SourceCheck(source, True, await client.test_connection())
        except TimeoutError:
            return SourceCheck(
                source,
                False,
                f"{source.label} did not answer within {profile.deadline_s:.0f} s.",
                int(ExitCode.UNAVAILABLE),
            )
        except ViewerError as exc:
            return SourceCheck(source, False, str(exc), int(exc.exit_code))
        finally:
            await client.aclose()

    checks = await asyncio.gather(*(check(source, make) for source, make in makers))
    return list(checks)


def save(profile: Profile, secrets: dict[str, str], previous_name: str | None = None) -> list[str]:
    """Save the profile and its secrets (after sign_in_if_needed); returns notices for the agent."""
    notices = []
    if previous_name and previous_name != profile.name:
        credentials.move_secrets(previous_name, profile.name)
    for purpose, value in secrets.items():
        if value and not credentials.set_secret(profile.name, purpose, value):
            notice = credentials.fallback_notice()
            if notice:
                notices.append(notice)
    with _config_writes:
        profiles.save_profile(profile, previous_name)
    return notices


def remove(name: str, store: OfflineStore | None = None) -> bool:
    """Delete a profile, every secret it had in the keyring, and its saved customers."""
    _forget_locally(name, store)
    with _config_writes:
        return profiles.remove_profile(name)


# -- for the window: choosing, opening and signing in, off the GUI thread ------------------
def _on_worker(work: Callable[..., T], *args: object) -> asyncio.Future[T]:
    """`work(*args)` on the loop's worker threads. Not asyncio.to_thread, which needs a
    running loop: qasync may step a task while Qt handles events outside run_forever (a test's
    synthetic click), and this must still work there."""
    return asyncio.get_event_loop().run_in_executor(None, work, *args)


def saved_profiles() -> dict[str, Profile]:
    """The profiles config.toml holds, by name (a small file: read in place)."""
    return profiles.load_config().profiles


async def open_service(profile: Profile, store: OfflineStore | None = None) -> LookupService:
    """The lookup service for `profile`: its secrets are read from the keyring (which may
    wait for an unlock prompt) and its clients made on a worker thread. A caller that gives
    up meanwhile (another profile chosen) does not leak the service built for it."""
    building = _on_worker(build_service, profile, store)
    try:
        return await asyncio.shield(building)
    except asyncio.CancelledError:
        building.add_done_callback(_close_unwanted)
        raise


_closing: set[asyncio.Task] = set()  # strong references until each service is closed


def _close_unwanted(building: asyncio.Future) -> None:
    if building.cancelled() or building.exception() is not None:
        return
    closing = asyncio.ensure_future(building.result().aclose())
    _closing.add(closing)
    closing.add_done_callback(_closing.discard)


async def remember_choice(name: str) -> None:
    """Open with this profile next time (a saved one; the demo is never remembered)."""

    def remember() -> None:
        with _config_writes:
            profiles.remember_last(name)

    await _on_worker(remember)


async def delete_profile(name: str, store: OfflineStore | None = None) -> Profile | None:
    """`remove` on a worker thread (clearing saved data rewrites the file: seconds for a
    large store); returns the profile to show next: the last one used, if it remains."""

    def delete() -> Profile | None:
        remove(name, store)
        remaining = profiles.load_config()
        return remaining.profiles.get(remaining.last_profile or "")

    return await _on_worker(delete)


async def keyring_notice() -> str:
    """The once-per-run sentence when passwords can only be kept for this session; "" when
    the keyring is fine (asking it may take a while: a worker thread does)."""
    return await _on_worker(credentials.fallback_notice) or ""


async def stored_secrets(profile: Profile) -> dict[str, str]:
    """The secrets the keyring holds for this saved profile, by purpose (not the
    environment's, not the ones carried in memory)."""

    def read() -> dict[str, str]:
        saved = replace(profile, memory_secrets={})
        return {
            p: v for p in credentials.PURPOSES if (v := credentials.get_secret(saved, p, env={}))
        }

    return await _on_worker(read)


async def missing_secrets(
    profile: Profile, typed: dict[str, str], stored_under: Profile | None
) -> list[str]:
    """What the agent still has to type before saving: each secret `profile` needs that was
    neither typed nor is stored under the profile being edited (`stored_under`). A kept
    Ctrl-Hub session stands in for the password it was signed in with."""
    stored = await stored_secrets(stored_under) if stored_under is not None else {}
    if "ctrlhub_token" in stored:
        stored["ctrlhub_password"] = "(session kept)"
    return [
        what for _source, purpose, what in secret_purposes(profile) if purpose not in typed | stored
    ]


async def sign_in_again(profile: Profile, email: str, secret: str) -> None:
    """A new Ctrl-Hub session after the last one ended: by e-mail and password (within the
    profile's deadline; the password is used once) or a pasted token; kept in the keyring."""
    if profile.ctrlhub_auth == "password":
        session = await ctrlhub_password_sign_in(
            profile.ctrlhub_auth_url, email, secret, deadline_s=profile.deadline_s
        )
        token = session.token
    else:
        token = secret.strip()
        if not token:
            raise BadInput("Paste the new session token.")
    await _on_worker(credentials.set_secret, profile.name, "ctrlhub_token", token)


# -- signing out ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SignOutResult:
    server_ended: bool  # Ctrl-Hub confirmed the session ended (or there was none to end)
    message: str  # what the agent reads


async def sign_out(profile: Profile, store: OfflineStore | None = None) -> SignOutResult:
    """End the profile's Ctrl-Hub session at the server, then remove its secrets from the
    keyring and its saved customers. A logout the server does not confirm still clears
    everything kept here, and the sentence says the session may still be valid."""
    saved = replace(profile, memory_secrets={})
    token = ""
    if profile.has_ctrlhub and profile.ctrlhub_auth in ("token", "password"):
        token = await _on_worker(credentials.get_secret, saved, "ctrlhub_token", {})
    problem = ""
    if token:
        try:
            await ctrlhub_sign_out(profile.ctrlhub_auth_url, token, profile.deadline_s)
        except ViewerError as exc:
            problem = exc.message
    await _on_worker(_forget_locally, profile.name, store)
    audit.record(
        "sign-out",
        profile.name,
        outcome="server session may remain" if problem else "signed out",
        sinks=audit.Sinks(profile.audit_file, profile.audit_syslog),
    )
    if problem:
        return SignOutResult(
            False,
            f"Signed out of “{profile.name}” on this computer: its passwords, "
            f"tokens and saved customers were removed. Ctrl-Hub could not be told "
            f"({problem}), so the server session may still be valid until it expires.",
        )
    ended = "the Ctrl-Hub session was ended and its " if token else "its "
    return SignOutResult(
        True,
        f"Signed out of “{profile.name}”: {ended}passwords, tokens and saved "
        "customers were removed from this computer.",
    )


async def access_log_lines(days: int = 30) -> list[str]:
    """Help → Access log: the records of the last `days` days, newest first, one line each
    (read on a worker thread: the log and its rotated copies are a few MB at most)."""
    from datetime import datetime, timedelta

    since = datetime.now().astimezone() - timedelta(days=days)
    records = await _on_worker(audit.read_records, since)
    return [audit.as_text_line(entry) for entry in reversed(records)]


def _forget_locally(name: str, store: OfflineStore | None) -> None:
    """The profile's secrets out of the keyring and its saved customers out of the store."""
    credentials.delete_secrets(name)
    own_store = store is None
    store = store or open_store()
    try:
        store.clear_profile(name)
    finally:
        if own_store:
            store.close()


# -- saved (offline) data settings --------------------------------------------------------
@dataclass(frozen=True)
class SavedDataSettings:
    keep_days: int
    max_mb: int
    where: str  # the folder, or why it is kept in memory only


def saved_data_settings(store: OfflineStore) -> SavedDataSettings:
    """The limits in force and where the data lives (no disk work)."""
    where = "in memory only (no secure keyring)" if store.path is None else str(store.path.parent)
    return SavedDataSettings(store.keep_days, store.max_mb, where)


async def saved_data_megabytes(store: OfflineStore) -> float:
    """How much is saved now. A worker thread asks: the store may be busy saving a large
    customer, and the dialog must not freeze until it is done."""
    return await _on_worker(store.size_bytes) / 1_048_576


async def set_saved_data_limits(store: OfflineStore, keep_days: int, max_mb: int) -> None:
    """Keep these limits from now on (written to config.toml for next time)."""

    def write() -> None:
        with _config_writes:
            profiles.save_retention(keep_days, max_mb)

    await _on_worker(write)
    store.keep_days, store.max_mb = keep_days, max_mb


async def prune_saved_data(store: OfflineStore) -> None:
    """Drop what the limits no longer allow (seconds for a large store)."""
    await _on_worker(store.prune)


def diagnostics_report(service: LookupService | None, qt_version: str = "") -> str:
    """For a support ticket (Help → Copy diagnostics): versions, profiles, where saved data
    lives, resting sources and the last errors, with every secret masked."""
    from viewer.diagnostics import report

    store = service.store if service is not None else None
    where = "none" if store is None else ("memory only" if store.path is None else str(store.path))
    return report(
        qt_version=qt_version,
        offline=bool(service and service.offline),
        resting=service.resting() if service is not None else {},
        store_where=where,
    )
