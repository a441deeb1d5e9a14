"""The last line of defence for secrets in text: logs, error bars, diagnostics.

sources/http.py already never puts a secret into a message; this catches what slips past:
every secret value the program holds is registered here (credentials.py does it), and
header- or field-shaped secrets are masked by pattern.
"""

from __future__ import annotations

import re
import threading
from typing import Any

MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words
_lock = threading.Lock()
_secrets: set[str] = set()
# A name, then ":" or "=", maybe inside JSON quotes (escaped ones too: a body quoted in a
# message), then the value; for headers, after the scheme word ("Basic", "Bearer"), which
# alone would leave the credential itself in the text.
_QUOTE = r"(?:\\?[\"'])?"
_VALUE = r"[^\s\"',;&\\]+"
_HEADER_NAMES = r"(?:proxy-)?authorization|x-session-token|x-cap-api-oauth-token|set-cookie|cookie"
# A whole word (never re-tried from inside itself: linear time on any text) that holds one of
# these; "passwordMd5", "client_secret", "x-api-key".
_FIELD_NAMES = r"(?<![\w-])(?=[\w-]*?(?:password|passwd|secret|token|api_?key))[\w-]*+"
_PATTERNS = re.compile(
    rf"(?i)((?:{_HEADER_NAMES}){_QUOTE}\s*[:=]\s*{_QUOTE}(?:(?:basic|bearer|digest|token)\s+)?){_VALUE}"
    rf"|((?:{_FIELD_NAMES}){_QUOTE}\s*[:=]\s*{_QUOTE}){_VALUE}"
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


# JSON keys whose values are secrets wherever they appear (login replies, token replies).
SENSITIVE_KEYS = frozenset(
    {
        "password",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "accesstoken",
        "refresh_token",
        "session_token",
        "id_token",
        "key",
        "api_key",
        "authorization",
    }
)


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with the values of secret-named keys masked."""
    if isinstance(value, dict):
        return {
            k: (MASK if str(k).lower() in SENSITIVE_KEYS else redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value
