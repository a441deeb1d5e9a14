"""Secrets: the only module that touches keyring.

Secrets live in the OS keyring (Windows Credential Locker, macOS Keychain, Secret Service)
under the service name `customer-viewer`, one entry per profile and purpose
("eu-prod:capillary_password"). When no secure backend is there (a bare Linux box, a
locked or broken keyring), secrets are kept in memory for this run only and the program
says so once; they never fall back to a file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from viewer.domain import BadInput
from viewer.profiles import Profile
from viewer.redaction import register

log = logging.getLogger("viewer.credentials")
SERVICE = "customer-viewer"
# Windows' Credential Locker refuses values over 2,560 bytes (UTF-16: 1,280 characters).
MAX_SECRET_CHARS = 1280

# Every purpose a profile can hold a secret for, and the variable that supplies it to scripts.
PURPOSES = {
    "capillary_password": "VIEWER_CAPILLARY_PASSWORD",
    "capillary_secret": "VIEWER_CAPILLARY_SECRET",
    "ctrlhub_token": "VIEWER_CTRLHUB_TOKEN",
    "ctrlhub_client_secret": "VIEWER_CTRLHUB_CLIENT_SECRET",
}
# Backends that keep nothing or keep it in plain files: never "secure".
_INSECURE_BACKENDS = ("fail.Keyring", "null.Keyring", "PlaintextKeyring", "file.EncryptedKeyring")

_memory: dict[str, str] = {}  # this run's secrets when the keyring is not usable
_notice_given = False


class SecretTooLong(BadInput):
    pass


def _entry(profile: str, purpose: str) -> str:
    return f"{profile}:{purpose}"


def backend_status() -> tuple[bool, str]:
    """(secure, backend name). A backend that raises on a harmless read is not usable."""
    try:
        import keyring

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if any(name.endswith(bad) for bad in _INSECURE_BACKENDS):
            return False, name
        if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", []):
            return False, name
        backend.get_password(SERVICE, "__probe__")
        return True, name
    except Exception as exc:  # no backend, locked, D-Bus missing...
        return False, f"unavailable ({type(exc).__name__})"


def fallback_notice() -> str | None:
    """The once-per-run sentence when secrets can only be kept in memory; else None."""
    global _notice_given
    secure, name = backend_status()
    if secure or _notice_given:
        return None
    _notice_given = True
    # The backend's name (e.g. keyring.backends.fail.Keyring) means nothing to an agent; it
    # goes to the log, and Help → Copy diagnostics names it for support.
    log.info("no usable keyring: %s", name)
    return (
        "No password store (keyring) is available on this system: passwords and tokens are "
        "kept for this session only and must be entered again next time."
    )


def get_secret(profile: Profile, purpose: str, env: Mapping[str, str] = os.environ) -> str:
    """The secret from memory (demo, this run), the environment, or the keyring; "" when none.
    Every secret handed out is registered for redaction (viewer/redaction.py)."""
    secret = _find_secret(profile, purpose, env)
    register(secret)
    return secret


def _find_secret(profile: Profile, purpose: str, env: Mapping[str, str]) -> str:
    if purpose in profile.memory_secrets:
        return profile.memory_secrets[purpose]
    variable = PURPOSES.get(purpose)
    if variable and env.get(variable):
        return env[variable]
    entry = _entry(profile.name, purpose)
    if entry in _memory:
        return _memory[entry]
    try:
        import keyring

        return keyring.get_password(SERVICE, entry) or ""
    except Exception as exc:  # no backend, locked, denied: the secret is just not there
        log.info("keyring unavailable (%s)", type(exc).__name__)
        return ""


def set_secret(profile_name: str, purpose: str, value: str) -> bool:
    """Keep a secret: in the keyring when it is secure (True), else in memory (False)."""
    if len(value) > MAX_SECRET_CHARS:
        raise SecretTooLong(
            f"That {purpose.replace('_', ' ')} is {len(value)} characters long; the keyring takes "
            f"at most {MAX_SECRET_CHARS}. Paste the token itself, not a whole sign-in bundle."
        )
    register(value)
    entry = _entry(profile_name, purpose)
    if backend_status()[0]:
        try:
            import keyring

            keyring.set_password(SERVICE, entry, value)
            _memory.pop(entry, None)
            return True
        except Exception as exc:
            log.warning(
                "keyring refused to store a secret (%s); keeping it for this run",
                type(exc).__name__,
            )
    _memory[entry] = value
    return False


def delete_secrets(profile_name: str) -> None:
    """Remove every secret of a profile from the keyring and from memory."""
    for purpose in PURPOSES:
        entry = _entry(profile_name, purpose)
        _memory.pop(entry, None)
        try:
            import keyring

            if keyring.get_password(SERVICE, entry) is not None:
                keyring.delete_password(SERVICE, entry)
        except Exception as exc:
            log.info("keyring: could not remove an entry (%s)", type(exc).__name__)


def move_secrets(old_name: str, new_name: str) -> None:
    """A renamed profile keeps its secrets."""
    old = Profile(name=old_name)
    for purpose in PURPOSES:
        value = get_secret(old, purpose, env={})
        if value:
            set_secret(new_name, purpose, value)
    delete_secrets(old_name)


CACHE_KEY_ENTRY = "__saved_data_key__"
CACHE_KEY_BYTES = 32
KEY_DAMAGED = (
    "The saved-data key in the keyring was damaged; the saved data was set aside and "
    "a new key made. Customers will be saved again as you look them up."
)
KEY_NOT_KEPT = (
    "The keyring would not keep the key that protects saved data, so saved data is "
    "kept for this session only."
)


@dataclass(frozen=True)
class SavedDataKey:
    """The master key of the offline store, and what the agent must be told about it."""

    key: bytes | None  # None: the store lives in memory for this run
    notice: str = ""  # why there is no key, or why it is new
    replaced: bool = False  # the keyring held a damaged key; this is a new one


def saved_data_key() -> SavedDataKey:
    """The key sealing the offline store, made on first use. A keyring value that is not
    64 hex digits (damaged, edited by hand) is replaced by a new key, and the agent told:
    never a crash, never a silent switch to memory."""
    if not backend_status()[0]:
        return SavedDataKey(None)  # the store's own sentence: no secure keyring
    try:
        import keyring

        stored = keyring.get_password(SERVICE, CACHE_KEY_ENTRY)
    except Exception as exc:
        log.warning("keyring could not read the saved-data key (%s)", type(exc).__name__)
        return SavedDataKey(None, KEY_NOT_KEPT)
    if stored:
        key = _key_from_text(stored)
        if key is not None:
            return SavedDataKey(key)
        log.warning(
            "the saved-data key in the keyring is damaged (%d characters); making a new one",
            len(stored),
        )
    key = os.urandom(CACHE_KEY_BYTES)
    try:
        keyring.set_password(SERVICE, CACHE_KEY_ENTRY, key.hex())
    except Exception as exc:
        log.warning("keyring could not hold the saved-data key (%s)", type(exc).__name__)
        return SavedDataKey(None, KEY_NOT_KEPT)
    register(key.hex())
    if stored:
        return SavedDataKey(key, KEY_DAMAGED, replaced=True)
    return SavedDataKey(key)


def _key_from_text(text: str) -> bytes | None:
    """Exactly CACHE_KEY_BYTES as hex, or None."""
    text = text.strip()
    if len(text) != 2 * CACHE_KEY_BYTES or any(c not in "0123456789abcdefABCDEF" for c in text):
        return None
    register(text)
    return bytes.fromhex(text)


ACCESS_LOG_KEY_ENTRY = "__access_log_key__"
ACCESS_LOG_KEY_NOT_KEPT = (
    "No password store (keyring) is available on this system, so identifiers in the "
    "access log are hashed with a key made for this session only: records of different "
    "sessions cannot be matched to each other."
)


def access_log_key() -> tuple[bytes, str]:
    """The key the access log hashes identifiers with (HMAC-SHA256), made on first use and
    kept in the keyring for the installation, not per profile: signing out keeps the log
    readable. Without a secure keyring: a per-run random key and the sentence saying so."""
    if backend_status()[0]:
        try:
            import keyring

            stored = keyring.get_password(SERVICE, ACCESS_LOG_KEY_ENTRY)
            key = _key_from_text(stored) if stored else None
            if key is not None:
                return key, ""
            key = os.urandom(CACHE_KEY_BYTES)
            keyring.set_password(SERVICE, ACCESS_LOG_KEY_ENTRY, key.hex())
            register(key.hex())
            return key, ""
        except Exception as exc:
            log.warning("keyring could not hold the access-log key (%s)", type(exc).__name__)
    return os.urandom(CACHE_KEY_BYTES), ACCESS_LOG_KEY_NOT_KEPT
