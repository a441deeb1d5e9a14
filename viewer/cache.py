"""The offline store: customers and interaction details already looked at, encrypted.

Customer data on a laptop that can be lost, so:
- every stored value (raw API replies, names, identifiers) is zlib-compressed JSON sealed
  with AES-GCM under a key kept in the OS keyring; the row's table, profile and id are the
  associated data, so a blob copied to another row or profile does not open;
- rows are found by a keyed hash (HMAC) of the normalised identifier, so the file alone
  does not tell which numbers or addresses were looked up;
- profiles are kept apart by a keyed hash of their name in every row.
Raw replies are stored, not parsed objects: a newer program re-parses old saved data.
A file that cannot be opened or read with our key is moved aside and a new one started
(one notice); without a secure keyring the store lives in memory for this run.
All methods are blocking: callers run them on a worker thread (asyncio.to_thread).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from viewer.domain import IdentifierKind, Query

log = logging.getLogger("viewer.cache")
FILE_NAME = "saved-data.sqlite3"
SCHEMA_VERSION = "1"
KEY_CHECK = b"customer-viewer saved data v1"
DEFAULT_KEEP_DAYS = 30
DEFAULT_MAX_MB = 500
RECENT_LIMIT = 20
OPEN_ATTEMPTS = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lookups (
    profile TEXT NOT NULL, id TEXT NOT NULL, saved_at REAL NOT NULL, viewed_at REAL NOT NULL,
    size INTEGER NOT NULL, summary BLOB NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (profile, id));
CREATE TABLE IF NOT EXISTS details (
    profile TEXT NOT NULL, id TEXT NOT NULL, saved_at REAL NOT NULL,
    size INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (profile, id));
CREATE INDEX IF NOT EXISTS lookups_recent ON lookups (profile, viewed_at);
"""


class CacheUnreadable(Exception):
    """The file is not ours to read: corrupt, truncated, garbage, or another key."""


@dataclass(frozen=True)
class Saved:
    saved_at: datetime
    value: Any


@dataclass(frozen=True)
class RecentCustomer:
    query: Query
    name: str
    viewed_at: datetime


def _is_damage(exc: Exception) -> bool:
    """Damage ("file is not a database", "malformed") sets a file aside; being busy or
    locked by the other copy of the program (OperationalError) never does."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def _recovering(method):
    """A damaged or busy file must cost the agent nothing: answer "nothing saved"."""

    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                self._recover(exc)
            else:
                log.warning("saved data busy (%s); skipped this time", exc)
            return [] if method.__name__ == "recent" else None

    guarded.__name__ = method.__name__
    guarded.__doc__ = method.__doc__
    return guarded


class OfflineStore:
    def __init__(self, connection: sqlite3.Connection, key: bytes, path: Path | None,
                 keep_days: int = DEFAULT_KEEP_DAYS, max_mb: int = DEFAULT_MAX_MB):
        self._db = connection
        self._aead = AESGCM(key[:32])
        self._hash_key = hashlib.sha256(b"index\0" + key).digest()
        self._lock = threading.Lock()
        self.path = path
        self.keep_days = keep_days
        self.max_mb = max_mb
        self.notices: list[str] = []

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | None, key: bytes | None, keep_days: int = DEFAULT_KEEP_DAYS,
             max_mb: int = DEFAULT_MAX_MB) -> OfflineStore:
        """Never raises: a damaged file is set aside, a busy one waited for, no key means memory."""
        if key is None or folder is None:
            return cls._in_memory(os.urandom(32), keep_days, max_mb,
                                  "Saved data is kept for this session only: no secure keyring is "
                                  "available to protect it.")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FILE_NAME
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return cls._open_file(path, key, keep_days, max_mb)
            except sqlite3.OperationalError as exc:  # busy or locked: the other copy is writing
                log.info("saved data busy at start (%s), attempt %d", exc, attempt + 1)
                time.sleep(0.2 * (attempt + 1))
            except (sqlite3.DatabaseError, CacheUnreadable, OSError) as exc:
                aside = _set_aside(path)
                log.warning("saved data unreadable (%s); moved to %s", type(exc).__name__, aside.name)
                store = cls._open_file(path, key, keep_days, max_mb)
                store.notices.append(
                    "The saved data could not be read (damaged, or saved with another key); it was set "
                    "aside and a new store started. Customers will be saved again as you look them up."
                )
                return store
        return cls._in_memory(key, keep_days, max_mb, "The saved data is busy (another copy of the "
                              "program?); this session keeps its saved data in memory.")

    @classmethod
    def _open_file(cls, path: Path, key: bytes, keep_days: int, max_mb: int) -> OfflineStore:
        connection = _connect(str(path))
        try:
            store = cls(connection, key, path, keep_days, max_mb)
            store._initialise()
            return store
        except BaseException:
            connection.close()  # before anyone moves the file: Windows will not move an open one
            raise

    @classmethod
    def _in_memory(cls, key: bytes, keep_days: int, max_mb: int, notice: str) -> OfflineStore:
        store = cls(_connect(":memory:"), key, None, keep_days, max_mb)
        store._initialise()
        store.notices.append(notice)
        return store

    def _initialise(self) -> None:
        # No integrity scan here (it reads the whole file, on the GUI thread at start-up): a
        # truncated or foreign file fails on its first read below; damage found later is
        # handled by _recovering.
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            if row is None:
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('key_check', ?)",
                                 (self._seal(KEY_CHECK, b"key_check"),))
                row = self._db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            try:
                if self._open(row[0], b"key_check") != KEY_CHECK:
                    raise CacheUnreadable("key check mismatch")
            except InvalidTag:
                raise CacheUnreadable("saved with another key") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _recover(self, exc: Exception) -> None:
        """Damage found while working: set the file aside, start anew, say so once."""
        log.warning("saved data damaged (%s); starting a new store", type(exc).__name__)
        with self._lock:
            self._db.close()
            if self.path is None:
                self._db = _connect(":memory:")
            else:
                _set_aside(self.path)
                self._db = _connect(str(self.path))
        self._initialise()
        self.notices.append("The saved data was damaged; it was set aside and a new store started.")

    # -- sealing ------------------------------------------------------------------------
    def _seal(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, zlib.compress(data, 6), context)

    def _open(self, blob: bytes, context: bytes) -> bytes:
        return zlib.decompress(self._aead.decrypt(blob[:12], blob[12:], context))

    def _hash(self, *parts: str) -> str:
        return hmac.new(self._hash_key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()

    def _ids(self, profile: str, *parts: str) -> tuple[str, str]:
        return self._hash("profile", profile), self._hash(*parts)

    def _seal_json(self, value: Any, table: str, profile_id: str, row_id: str) -> bytes:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return self._seal(data, f"{table}\0{profile_id}\0{row_id}".encode())

    def _open_json(self, blob: bytes, table: str, profile_id: str, row_id: str) -> Any:
        return json.loads(self._open(blob, f"{table}\0{profile_id}\0{row_id}".encode()))

    # -- customers ------------------------------------------------------------------------
    @_recovering
    def save_lookup(self, profile: str, query: Query, name: str, payload: dict[str, Any]) -> None:
        profile_id, row_id = self._ids(profile, "lookup", query.kind.value, query.value)
        summary = {"kind": query.kind.value, "value": query.value, "name": name}
        sealed = self._seal_json(payload, "lookups", profile_id, row_id)
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?, ?, ?, ?)",
                (profile_id, row_id, now, now, len(sealed),
                 self._seal_json(summary, "summary", profile_id, row_id), sealed),
            )
        self.prune()

    @_recovering
    def load_lookup(self, profile: str, query: Query, touch: bool = True) -> Saved | None:
        profile_id, row_id = self._ids(profile, "lookup", query.kind.value, query.value)
        with self._lock:
            row = self._db.execute("SELECT saved_at, payload FROM lookups WHERE profile = ? AND id = ?",
                                   (profile_id, row_id)).fetchone()
            if row is None or self._expired(row[0]):
                return None
            if touch:
                with self._db:
                    self._db.execute("UPDATE lookups SET viewed_at = ? WHERE profile = ? AND id = ?",
                                     (time.time(), profile_id, row_id))
        try:
            value = self._open_json(row[1], "lookups", profile_id, row_id)
        except (InvalidTag, ValueError, zlib.error):
            log.warning("a saved customer could not be opened; ignoring it")
            return None
        return Saved(datetime.fromtimestamp(row[0]).astimezone(), value)

    @_recovering
    def saved_size(self, profile: str, query: Query) -> int | None:
        """The sealed size of a saved customer (no decryption), or None when not saved."""
        profile_id, row_id = self._ids(profile, "lookup", query.kind.value, query.value)
        with self._lock:
            row = self._db.execute("SELECT size FROM lookups WHERE profile = ? AND id = ?",
                                   (profile_id, row_id)).fetchone()
        return row[0] if row else None

    @_recovering
    def recent(self, profile: str, limit: int = RECENT_LIMIT) -> list[RecentCustomer]:
        """The last customers viewed in this profile, newest first."""
        profile_id = self._hash("profile", profile)
        cutoff = time.time() - self.keep_days * 86400
        with self._lock:
            rows = self._db.execute(
                "SELECT id, viewed_at, summary FROM lookups WHERE profile = ? AND saved_at >= ? "
                "ORDER BY viewed_at DESC LIMIT ?", (profile_id, cutoff, limit)).fetchall()
        found = []
        for row_id, viewed_at, blob in rows:
            try:
                summary = self._open_json(blob, "summary", profile_id, row_id)
                query = Query(IdentifierKind(summary["kind"]), str(summary["value"]))
            except (InvalidTag, ValueError, KeyError, TypeError, zlib.error):
                continue
            found.append(RecentCustomer(query, str(summary.get("name") or ""),
                                        datetime.fromtimestamp(viewed_at).astimezone()))
        return found

    # -- interaction details ---------------------------------------------------------------
    @_recovering
    def save_detail(self, profile: str, interaction_id: str, document: dict[str, Any]) -> None:
        profile_id, row_id = self._ids(profile, "detail", interaction_id)
        sealed = self._seal_json(document, "details", profile_id, row_id)
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO details VALUES (?, ?, ?, ?, ?)",
                             (profile_id, row_id, time.time(), len(sealed), sealed))

    @_recovering
    def load_detail(self, profile: str, interaction_id: str) -> Saved | None:
        profile_id, row_id = self._ids(profile, "detail", interaction_id)
        with self._lock:
            row = self._db.execute("SELECT saved_at, payload FROM details WHERE profile = ? AND id = ?",
                                   (profile_id, row_id)).fetchone()
        if row is None or self._expired(row[0]):
            return None
        try:
            value = self._open_json(row[1], "details", profile_id, row_id)
        except (InvalidTag, ValueError, zlib.error):
            return None
        return Saved(datetime.fromtimestamp(row[0]).astimezone(), value)

    # -- housekeeping -------------------------------------------------------------------------
    def _expired(self, saved_at: float) -> bool:
        return saved_at < time.time() - self.keep_days * 86400

    @_recovering
    def prune(self) -> None:
        """Drop what is older than keep_days, then the least recently viewed past max_mb."""
        cutoff = time.time() - self.keep_days * 86400
        budget = self.max_mb * 1024 * 1024
        with self._lock, self._db:
            self._db.execute("DELETE FROM lookups WHERE saved_at < ?", (cutoff,))
            self._db.execute("DELETE FROM details WHERE saved_at < ?", (cutoff,))
            total = sum(r[0] or 0 for r in self._db.execute(
                "SELECT SUM(size) FROM lookups UNION ALL SELECT SUM(size) FROM details"))
            if total <= budget:
                return
            rows = self._db.execute(
                "SELECT 'lookups', profile, id, size, viewed_at FROM lookups UNION ALL "
                "SELECT 'details', profile, id, size, saved_at FROM details ORDER BY 5").fetchall()
            for table, profile_id, row_id, size, _when in rows:
                if total <= budget:
                    break
                self._db.execute(f"DELETE FROM {table} WHERE profile = ? AND id = ?", (profile_id, row_id))
                total -= size

    @_recovering
    def clear_profile(self, profile: str) -> None:
        profile_id = self._hash("profile", profile)
        with self._lock, self._db:
            self._db.execute("DELETE FROM lookups WHERE profile = ?", (profile_id,))
            self._db.execute("DELETE FROM details WHERE profile = ?", (profile_id,))
        with self._lock:
            self._db.execute("VACUUM")  # deleted pages must not linger in the file

    def size_bytes(self) -> int:
        with self._lock:
            return sum(r[0] or 0 for r in self._db.execute(
                "SELECT SUM(size) FROM lookups UNION ALL SELECT SUM(size) FROM details"))


def _connect(target: str) -> sqlite3.Connection:
    connection = sqlite3.connect(target, timeout=10, check_same_thread=False, isolation_level=None)
    try:
        if target != ":memory:":
            connection.execute("PRAGMA journal_mode=WAL")  # two copies of the program may share it
            connection.execute("PRAGMA busy_timeout=10000")
            connection.execute("PRAGMA secure_delete=ON")
    except BaseException:
        connection.close()
        raise
    connection.isolation_level = ""  # implicit transactions, committed by `with connection`
    return connection


def _set_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            try:
                source.replace(Path(str(aside) + suffix))
            except OSError:
                source.unlink(missing_ok=True)
    return aside
