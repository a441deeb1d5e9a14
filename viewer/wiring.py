"""From a profile to working source clients (no Qt): shared by the window and the CLI."""

from __future__ import annotations

from viewer.credentials import get_secret
from viewer.domain import NotConfigured, Source
from viewer.lookup import LookupService, SourceClient
from viewer.profiles import Profile
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings


def build_sources(profile: Profile) -> list[SourceClient]:
    """A client per source the profile configures; a missing secret is a setup error."""
    sources: list[SourceClient] = []
    if profile.has_capillary:
        password = get_secret(profile, "capillary_password")
        if not password:
            raise NotConfigured(
                f"No Capillary password is stored for profile “{profile.name}”.",
                source=Source.CAPILLARY,
            )
        sources.append(
            CapillaryClient(
                CapillarySettings(
                    base_url=profile.capillary_url,
                    username=profile.capillary_username,
                    password=password,
                    timezone=profile.capillary_timezone,
                )
            )
        )
    if profile.has_ctrlhub:
        token = get_secret(profile, "ctrlhub_token")
        if not token:
            raise NotConfigured(
                f"No Ctrl-Hub session token is stored for profile “{profile.name}”.",
                source=Source.CTRLHUB,
            )
        sources.append(
            CtrlHubClient(CtrlHubSettings(base_url=profile.ctrlhub_url, org=profile.ctrlhub_org, token=token))
        )
    return sources


def build_service(profile: Profile) -> LookupService:
    return LookupService(build_sources(profile))


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
        ctrlhub_org=DEMO_CTRLHUB_ORG,
        memory_secrets={"capillary_password": DEMO_CAPILLARY_PASSWORD, "ctrlhub_token": DEMO_CTRLHUB_TOKEN},
    )
