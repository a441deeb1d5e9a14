"""The last line of defence for secrets in text: logs, error bars, diagnostics.

sources/http.py already never puts a secret into a message; this catches what slips past:
every secret value the program holds is registered here (credentials.py does it), and
header- or field-shaped secrets are masked by pattern.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words
_lock = threading.Lock()
_secrets: set[str] = set()
_PATTERNS = re.compile(
    r"(?i)((?:authorization|x-session-token|x-cap-api-oauth-token|cookie|set-cookie)\s*[:=]\s*)[^\s,;]+"
    r"|((?:password|secret|token|access_token|session_token|client_secret|accesstoken)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"
)


def register(value: str) -> None:
    if value and len(value) >= _MIN_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return _PATTERNS.sub(lambda m: (m.group(1) or m.group(2)) + MASK, text)
