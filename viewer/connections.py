"""Setting up connections, for the setup dialog and `customer-viewer profile` alike (no Qt).

Validates what the agent or administrator typed, signs in once when a password is given
(only the session it yields is kept), stores secrets through credentials.py, saves the
profile, tests each source, and removes a profile with its secrets.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from viewer import credentials, profiles
from viewer.cache import OfflineStore
from viewer.domain import BadInput, ExitCode, Source, ViewerError
from viewer.identifiers import normalise_uuid
from viewer.lookup import LookupService
from viewer.profiles import Profile
from viewer.sources import http
from viewer.sources.auth import ctrlhub_password_sign_in
from viewer.sources.capillary import CapillaryClient
from viewer.sources.ctrlhub import CtrlHubClient
from viewer.wiring import capillary_settings, ctrlhub_settings, open_store


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
    changes: dict[str, str] = {"name": name}
    if profile.has_capillary:
        changes["capillary_url"] = web_address(profile.capillary_url, "Capillary")
        if profile.capillary_auth not in profiles.CAPILLARY_AUTHS:
            raise BadInput("Capillary signs in with basic (username + password) or oauth (key + secret).")
        try:
            ZoneInfo(profile.capillary_timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(f"“{profile.capillary_timezone}” is not a time zone name (e.g. Asia/Kolkata).") from None
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
        needed.append({
            "token": (Source.CTRLHUB, "ctrlhub_token", "Ctrl-Hub session token"),
            "password": (Source.CTRLHUB, "ctrlhub_password", "Ctrl-Hub password (used once, not kept)"),
            "service": (Source.CTRLHUB, "ctrlhub_client_secret", "Ctrl-Hub service-account secret"),
        }[profile.ctrlhub_auth])
    return needed


async def sign_in_if_needed(profile: Profile, secrets: dict[str, str]) -> dict[str, str]:
    """Trade a Ctrl-Hub password for a session token; the password goes no further."""
    secrets = dict(secrets)
    password = secrets.pop("ctrlhub_password", "")
    if profile.ctrlhub_auth == "password" and password:
        session = await ctrlhub_password_sign_in(profile.ctrlhub_auth_url, profile.ctrlhub_username, password)
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
    makers = []
    if profile.has_capillary:
        makers.append((Source.CAPILLARY, lambda: CapillaryClient(capillary_settings(profile))))
    if profile.has_ctrlhub:
        makers.append((Source.CTRLHUB, lambda: CtrlHubClient(ctrlhub_settings(profile))))

    async def check(source: Source, make) -> SourceCheck:
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
            return SourceCheck(source, False, f"{source.label} did not answer within {profile.deadline_s:.0f} s.",
                               int(ExitCode.UNAVAILABLE))
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
    profiles.save_profile(profile, previous_name)
    return notices


def remove(name: str, store: OfflineStore | None = None) -> bool:
    """Delete a profile, every secret it had in the keyring, and its saved customers."""
    credentials.delete_secrets(name)
    own_store = store is None
    store = store or open_store()
    try:
        store.clear_profile(name)
    finally:
        if own_store:
            store.close()
    return profiles.remove_profile(name)



def diagnostics_report(service: LookupService | None, qt_version: str = "") -> str:
    """For a support ticket (Help → Copy diagnostics): versions, profiles, where saved data
    lives, resting sources and the last errors, with every secret masked."""
    from viewer.diagnostics import report

    store = service.store if service is not None else None
    where = "none" if store is None else ("memory only" if store.path is None else str(store.path))
    return report(qt_version=qt_version, offline=bool(service and service.offline),
                  resting=service.resting() if service is not None else {}, store_where=where)
