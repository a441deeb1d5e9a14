"""The "Copy diagnostics" text for a support ticket: versions, profiles, state, last
errors. No secrets, no customer data: profile names and redacted error lines only."""

from __future__ import annotations

import platform
import sys

from viewer import __version__, credentials, logs, profiles
from viewer.redaction import redact


def report(
    qt_version: str = "", offline: bool = False, resting: dict | None = None, store_where: str = ""
) -> str:
    secure, backend = credentials.backend_status()
    try:
        config = profiles.load_config()
        names = ", ".join(sorted(config.profiles)) or "(none)"
        last = config.last_profile or "(none)"
    except ValueError as exc:
        names, last = f"(settings unreadable: {exc})", "?"
    lines = [
        f"Customer Interaction Viewer {__version__}",
        f"Platform: {platform.platform()} ({platform.machine()})",
        f"Python: {sys.version.split()[0]}" + (f" · Qt {qt_version}" if qt_version else ""),
        f"Frozen: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        f"Keyring: {'secure' if secure else 'NOT secure'} ({backend})",
        f"Profiles: {names} (current: {last})",
        f"Working offline: {'yes' if offline else 'no'}",
        "Sources resting after failures: "
        + (", ".join(f"{s.label} {left:.0f} s" for s, left in (resting or {}).items()) or "none"),
        f"Saved data: {store_where or 'unknown'}",
        f"Log file: {logs.log_dir() / logs.LOG_FILE}",
        "Last errors:",
        *([f"  {line}" for line in logs.RECENT_ERRORS] or ["  (none)"]),
    ]
    return redact("\n".join(lines))
