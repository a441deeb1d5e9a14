"""The access log: who looked up, revealed, exported or copied which customer, and when.

Privacy rules (issue 15): each action is one JSON line in the platform log folder, appended,
never rewritten; the file is user-only (0600 in a 0700 folder on POSIX) and rotated by size.
A record never holds the identifier itself or any message content: only a keyed hash of the
normalised identifier (HMAC-SHA256, the key kept in the keyring; the same customer hashes
alike across records, so IT can answer "who looked at this customer" by hashing a number
with the key) and a masked form an agent recognises (`+91 •••••••345`, `p•••@example.com`).
An IT department may send the same records to a file of its choosing (`audit_file`) or to
the system log (`audit_syslog = true`), per profile in config.toml.

No Qt. Writing never raises: an access log that cannot be written is said in the program's
own log, and the agent's work goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import logging.handlers
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from viewer import credentials
from viewer.domain import IdentifierKind, Query
from viewer.masking import mask_identifier
from viewer.places import log_dir

log = logging.getLogger("viewer.audit")
AUDIT_FILE = "access-log.jsonl"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
ACTIONS = ("lookup", "reveal", "export", "copy", "sign-out")
FIELDS = (
    "time",
    "profile",
    "action",
    "kind",
    "identifier_hash",
    "identifier_masked",
    "count",
    "outcome",
)
DOT = "•"
# The system log's local socket: /dev/log (Linux), /var/run/syslog (macOS); elsewhere UDP.
SYSLOG_ADDRESS: str | tuple[str, int] = next(
    (p for p in ("/dev/log", "/var/run/syslog") if os.path.exists(p)), ("localhost", 514)
)

_lock = threading.Lock()
_key: bytes | None = None
_key_notice = ""


@dataclass(frozen=True)
class Sinks:
    """Where IT wants a copy of each record, besides the local access log."""

    file: str = ""  # a JSON-lines file path (audit_file in the profile)
    syslog: bool = False  # the system log (audit_syslog = true)


# -- what a record says about the identifier ---------------------------------------------
def masked_identifier(query: Query | None) -> str:
    """Enough for an agent to recognise the customer, too little to contact them: mobiles
    and e-mails as the window masks them (viewer/masking.py); other identifiers, which the
    window shows unmasked, are cut to their ends here — the log holds no raw identifier."""
    if query is None or not query.value:
        return ""
    if query.kind in (IdentifierKind.MOBILE, IdentifierKind.EMAIL):
        return mask_identifier(query.value, query.kind)
    value = query.value
    if len(value) <= 6:
        return DOT * 3
    return f"{value[:1]}{DOT * 3}{value[-2:]}"


def identifier_hash(query: Query | None) -> str:
    """HMAC-SHA256 of kind and normalised value, under this installation's access-log key."""
    if query is None or not query.value:
        return ""
    message = f"{query.kind.value}\0{query.value}".encode()
    return hmac.new(_access_key(), message, hashlib.sha256).hexdigest()


def _access_key() -> bytes:
    global _key, _key_notice
    with _lock:
        if _key is None:
            _key, _key_notice = credentials.access_log_key()
            if _key_notice:
                log.warning("%s", _key_notice)
        return _key


def key_notice() -> str:
    """Why identifiers are hashed with a key for this session only; "" when the keyring keeps it."""
    _access_key()
    return _key_notice


def reset_key() -> None:
    """Forget the key read this run (the keyring changed, e.g. in tests)."""
    global _key, _key_notice
    with _lock:
        _key, _key_notice = None, ""


# -- writing --------------------------------------------------------------------------------
def record(
    action: str,
    profile: str,
    query: Query | None = None,
    count: int | None = None,
    outcome: str = "",
    sinks: Sinks = Sinks(),
    env: Mapping[str, str] = os.environ,
) -> dict[str, Any]:
    """Append one record (and copy it to the profile's sinks); returns it. Never raises."""
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": profile,
        "action": action,
        "kind": query.kind.value if query is not None else "",
        "identifier_hash": identifier_hash(query),
        "identifier_masked": masked_identifier(query),
        "count": count,
        "outcome": outcome,
    }
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        _append_rotating(log_dir(env) / AUDIT_FILE, line)
    except OSError as exc:
        log.warning("the access log could not be written (%s)", type(exc).__name__)
    if sinks.file:
        try:
            _append(_sink_path(sinks.file), line)
        except (OSError, ValueError) as exc:
            log.warning("the access-log copy for IT could not be written (%s)", type(exc).__name__)
    if sinks.syslog:
        _to_syslog(line.rstrip("\n"))
    return entry


def _append(path: Path, line: str) -> None:
    """One whole line, appended (O_APPEND: two copies of the program never interleave inside
    a line), to a file created user-only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as out:
        out.write(line)


def _append_rotating(path: Path, line: str) -> None:
    with _lock:
        _private_folder(path.parent)
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size + len(line.encode()) > MAX_BYTES:
                _rotate(path)
        _append(path, line)
        if os.name == "posix" and path.stat().st_mode & 0o077:  # made by hand, or older
            path.chmod(0o600)


def _rotate(path: Path) -> None:
    """access-log.jsonl → .1 → .2 … (renames keep each file's 0600); the oldest goes."""
    for number in range(BACKUPS - 1, 0, -1):
        older = path.with_name(f"{path.name}.{number}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{number + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if (
        os.name == "posix"
        and folder.stat().st_uid == os.getuid()
        and folder.stat().st_mode & 0o077
        and not folder.stat().st_mode & 0o1000
    ):  # never tighten a shared sticky folder (/tmp)
        folder.chmod(0o700)


def _sink_path(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise ValueError("audit_file must be an absolute path")
    return path


_syslog: logging.Logger | None = None


def _to_syslog(message: str) -> None:
    global _syslog
    try:
        if _syslog is None:
            _syslog = logging.getLogger("customer-viewer.access")
            _syslog.propagate = False  # not into the program's own log file as well
            _syslog.setLevel(logging.INFO)
            handler = logging.handlers.SysLogHandler(address=SYSLOG_ADDRESS)
            handler.setFormatter(logging.Formatter("customer-viewer: %(message)s"))
            _syslog.addHandler(handler)
        _syslog.info("%s", message)
    except OSError as exc:
        log.warning("the system log did not take the access record (%s)", type(exc).__name__)


# -- reading (customer-viewer audit, Help → Access log) ---------------------------------------
def read_records(
    since: datetime | None = None, env: Mapping[str, str] = os.environ
) -> list[dict[str, Any]]:
    """Every record kept (rotated files too), oldest first; from `since` on when given. A line
    that is not a record (damaged, edited) is skipped."""
    path = log_dir(env) / AUDIT_FILE
    files = [path.with_name(f"{path.name}.{n}") for n in range(BACKUPS, 0, -1)] + [path]
    found = []
    for file in files:
        for entry in _records_in(file):
            if since is None or _when(entry) >= since:
                found.append(entry)
    return found


def _records_in(file: Path) -> Iterable[dict[str, Any]]:
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and _when(entry) is not _NEVER:
            found.append({name: entry.get(name) for name in FIELDS})
    return found


_NEVER = datetime.min.replace(tzinfo=UTC)


def _when(entry: dict[str, Any]) -> datetime:
    try:
        moment = datetime.fromisoformat(str(entry.get("time")))
    except ValueError:
        return _NEVER
    return moment if moment.tzinfo is not None else _NEVER


def as_text_line(entry: dict[str, Any]) -> str:
    """One record as the agent reads it (local time)."""
    when = _when(entry).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    count = "" if entry.get("count") is None else f" · {entry['count']} rows"
    who = entry.get("identifier_masked") or "—"
    outcome = f" · {entry['outcome']}" if entry.get("outcome") else ""
    return f"{when}  {entry.get('profile') or '—'}  {entry.get('action')}  {who}{count}{outcome}"
