"""Secrets: the only module that touches keyring.

Secrets live in the OS keyring under the service name `customer-viewer`, one entry per
profile and purpose ("eu-prod:capillary_password"). A headless machine may have no usable
backend: every keyring call can raise, and then there is simply no stored secret.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from viewer.profiles import Profile

log = logging.getLogger("viewer.credentials")
SERVICE = "customer-viewer"

# Secret purpose → environment variable that supplies it for scripts and tests.
ENV_SECRETS = {
    "capillary_password": "VIEWER_CAPILLARY_PASSWORD",
    "ctrlhub_token": "VIEWER_CTRLHUB_TOKEN",
}


def _entry(profile: str, purpose: str) -> str:
    return f"{profile}:{purpose}"


def get_secret(profile: Profile, purpose: str, env: Mapping[str, str] = os.environ) -> str:
    """The secret from memory (demo), the environment, or the keyring; "" when none."""
    if purpose in profile.memory_secrets:
        return profile.memory_secrets[purpose]
    variable = ENV_SECRETS.get(purpose)
    if variable and env.get(variable):
        return env[variable]
    try:
        import keyring

        return keyring.get_password(SERVICE, _entry(profile.name, purpose)) or ""
    except Exception as exc:  # no backend, locked, denied: the secret is just not there
        log.info("keyring unavailable (%s)", type(exc).__name__)
        return ""
