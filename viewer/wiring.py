"""From a profile to working source clients (no Qt): shared by the window and the CLI."""

from __future__ import annotations

from typing import TypedDict

from viewer import audit
from viewer.cache import OfflineStore
from viewer.credentials import get_secret, saved_data_key
from viewer.domain import NotConfigured, Source
from viewer.lookup import LookupService, SourceClient
from viewer.profiles import Profile, cache_dir, load_config
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings


def _needed(profile: Profile, purpose: str, source: Source, what: str) -> str:
    secret = get_secret(profile, purpose)
    if not secret:
        raise NotConfigured(f"No {what} is stored for profile “{profile.name}”.", source=source)
    return secret


class _Timeouts(TypedDict):
    connect_timeout: float
    read_timeout: float


class _CtrlHubCommon(_Timeouts):
    base_url: str
    org: str
    auth_url: str


def _timeouts(profile: Profile) -> _Timeouts:
    return {"connect_timeout": profile.connect_timeout_s, "read_timeout": profile.read_timeout_s}


def capillary_settings(profile: Profile) -> CapillarySettings:
    if profile.capillary_auth == "oauth":
        secret = _needed(profile, "capillary_secret", Source.CAPILLARY, "Capillary OAuth secret")
        return CapillarySettings(
            base_url=profile.capillary_url,
            timezone=profile.capillary_timezone,
            auth="oauth",
            key=profile.capillary_key,
            secret=secret,
            **_timeouts(profile),
        )
    password = _needed(profile, "capillary_password", Source.CAPILLARY, "Capillary password")
    return CapillarySettings(
        base_url=profile.capillary_url,
        username=profile.capillary_username,
        password=password,
        timezone=profile.capillary_timezone,
        **_timeouts(profile),
    )


def ctrlhub_settings(profile: Profile) -> CtrlHubSettings:
    common: _CtrlHubCommon = {
        "base_url": profile.ctrlhub_url,
        "org": profile.ctrlhub_org,
        "auth_url": profile.ctrlhub_auth_url,
        **_timeouts(profile),
    }
    if profile.ctrlhub_auth == "service":
        secret = _needed(
            profile, "ctrlhub_client_secret", Source.CTRLHUB, "Ctrl-Hub service-account secret"
        )
        return CtrlHubSettings(
            **common, auth="service", client_id=profile.ctrlhub_client_id, client_secret=secret
        )
    # A pasted token, or the session a password sign-in left (the password itself is never kept).
    token = _needed(profile, "ctrlhub_token", Source.CTRLHUB, "Ctrl-Hub session (sign in first)")
    return CtrlHubSettings(**common, token=token)


def build_sources(profile: Profile) -> list[SourceClient]:
    """A client per source the profile configures; a missing secret is a setup error."""
    sources: list[SourceClient] = []
    if profile.has_capillary:
        sources.append(CapillaryClient(capillary_settings(profile)))
    if profile.has_ctrlhub:
        sources.append(CtrlHubClient(ctrlhub_settings(profile)))
    return sources


def build_service(profile: Profile, store: OfflineStore | None = None) -> LookupService:
    """The profile's lookup service. Blocking (keyring, SQLite): callers in the window run it
    on a worker thread. The profile's maximum offline time is applied here, at start."""
    service = LookupService(
        build_sources(profile),
        store=store,
        profile_name=profile.name,
        deadline_s=profile.deadline_s,
        default_country=profile.default_country,
    )
    service.audit_sinks = audit.Sinks(profile.audit_file, profile.audit_syslog)
    service.max_offline_days = profile.max_offline_days
    service.mask_by_default = profile.mask_by_default
    audit.key_notice()  # reads the access-log key now, off the GUI thread
    enforce_offline_limit(profile, store)
    return service


def enforce_offline_limit(profile: Profile, store: OfflineStore | None) -> None:
    """Saved customers past the profile's maximum offline time go, and all of its saved
    data once no source was reached for that long; the store says so with its notices."""
    if store is not None and profile.max_offline_days > 0:
        wiped = store.enforce_offline_limit(profile.name, profile.max_offline_days)
        if wiped:
            store.tell(wiped)


def open_store() -> OfflineStore:
    """The installation's offline store (profiles are kept apart inside it). Cheap enough for
    start-up: no full-file scan. Without a secure keyring it lives in memory. What the agent
    must hear about it (`take_notices()`) is said once, by whoever shows the store."""
    config = load_config()
    key = saved_data_key()
    return OfflineStore.open(
        cache_dir(),
        key.key,
        keep_days=config.keep_days,
        max_mb=config.max_mb,
        key_notice=key.notice,
        key_replaced=key.replaced,
    )


def demo_profile(server_url: str) -> Profile:
    """A profile pointing at an embedded demo server; its secrets stay in memory."""
    from viewer.demo import (
        DEMO_CAPILLARY_PASSWORD,
        DEMO_CAPILLARY_TIMEZONE,
        DEMO_CAPILLARY_USERNAME,
        DEMO_CTRLHUB_ORG,
        DEMO_CTRLHUB_TOKEN,
    )

    return Profile(
        name="demo",
        capillary_url=server_url,
        capillary_username=DEMO_CAPILLARY_USERNAME,
        capillary_timezone=DEMO_CAPILLARY_TIMEZONE,
        ctrlhub_url=server_url,
        ctrlhub_auth_url=server_url,
        ctrlhub_org=DEMO_CTRLHUB_ORG,
        memory_secrets={
            "capillary_password": DEMO_CAPILLARY_PASSWORD,
            "ctrlhub_token": DEMO_CTRLHUB_TOKEN,
        },
    )
