"""The offline store: customers and interaction details already looked at, encrypted.

Customer data on a laptop that can be lost, so:
- every stored value (raw API replies, names, identifiers) is zlib-compressed JSON sealed
  with AES-GCM under a key kept in the OS keyring; the row's table, profile and id are the
  associated data, so a blob copied to another row or profile does not open;
- rows are found by a keyed hash (HMAC) of the normalised identifier, so the file alone
  does not tell which numbers or addresses were looked up;
- profiles are kept apart by a keyed hash of their name in every row.
The AES key and the HMAC key are derived from the keyring's master key with HKDF
(SHA-256, a distinct `info` each), never the master key itself.
Raw replies are stored, not parsed objects: a newer program re-parses old saved data.
A file that cannot be opened or read with our key is moved aside and a new one started
(one notice); without a secure keyring the store lives in memory for this run.
No single customer or detail may take more than 1/ROW_SHARE of the size cap: a larger
one is not kept (the caller says so), so it can never push every other customer out.
The folder is user-only (0700) and the file, with its -wal and -shm, 0600 on POSIX.
All methods are blocking: callers run them on a worker thread (asyncio.to_thread).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import stat
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from viewer.domain import IdentifierKind, Query

log = logging.getLogger("viewer.cache")
P = ParamSpec("P")
R = TypeVar("R")
FILE_NAME = "saved-data.sqlite3"
# 2: keys derived with HKDF. A version-1 file (sealed with the raw master key) is set aside
# with a notice rather than converted: the store is a cache, refilled as customers are
# looked up, and keeping the code that reads the old sealing would keep its weakness.
SCHEMA_VERSION = "2"
KEY_CHECK = b"customer-viewer saved data v2"
AES_KEY_INFO = b"customer-viewer saved data v2: AES-256-GCM sealing key"
INDEX_KEY_INFO = b"customer-viewer saved data v2: HMAC-SHA256 index key"
MIN_MASTER_KEY_BYTES = 16
DEFAULT_KEEP_DAYS = 30
DEFAULT_MAX_MB = 500
ROW_SHARE = 4  # one saved customer or detail may use at most 1/ROW_SHARE of max_mb
RECENT_LIMIT = 20
ZLIB_LEVEL = 1
# Bytes inflated per call when a saved value is opened (see _inflate).
INFLATE_PIECE = 1024 * 1024
# A stored value is JSON, except that `bytes` inside it (a reply exactly as received) are
# kept as they are: a small JSON skeleton points at blobs that follow it. Re-serialising a
# 23 MB reply would hold the GIL, and so freeze the window, for a third of a second.
PACKED = b"CVP1"
OPEN_ATTEMPTS = 5
# How long a write waits while the other copy of the program writes (its own commits are
# short); the note of when a customer was opened waits TOUCH_WAIT_MS only (see _touch).
BUSY_TIMEOUT_MS = 10_000
TOUCH_WAIT_MS = 100
POSIX = os.name == "posix"

NO_KEYRING = (
    "Saved data is kept for this session only: no secure keyring is available to protect it."
)
UNREADABLE = (
    "The saved data could not be read (damaged, or saved with another key); it was set "
    "aside and a new store started. Customers will be saved again as you look them up."
)
OLDER_FORMAT = (
    "The saved data was written by an older version of the program and cannot be read "
    "by this one; it was set aside and a new store started. Customers will be saved "
    "again as you look them up."
)
DAMAGED_LATER = (
    "The saved data was found damaged; it was set aside and a new store started. "
    "Customers will be saved again as you look them up."
)
ROW_DAMAGED = "One saved customer could not be read (damaged) and was removed from the saved data."

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


class OlderFormat(CacheUnreadable):
    """A file an older version wrote (schema 1: sealed with the raw key)."""


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


def _recovering(
    method: Callable[Concatenate[OfflineStore, P], R],
) -> Callable[Concatenate[OfflineStore, P], R | None]:
    """A damaged or busy file must cost the agent nothing: answer "nothing saved" (None)."""

    def guarded(self: OfflineStore, /, *args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                self._recover(exc)
            else:
                log.warning("saved data busy (%s); skipped this time", exc)
            return None

    guarded.__name__ = method.__name__
    guarded.__doc__ = method.__doc__
    return guarded


class OfflineStore:
    def __init__(
        self,
        connection: sqlite3.Connection,
        key: bytes,
        path: Path | None,
        keep_days: int = DEFAULT_KEEP_DAYS,
        max_mb: int = DEFAULT_MAX_MB,
    ):
        self._db = connection
        self._aead = AESGCM(_derive(key, AES_KEY_INFO))
        self._hash_key = _derive(key, INDEX_KEY_INFO)
        self._lock = threading.Lock()
        self._notice_lock = threading.Lock()
        self.path = path
        self.keep_days = keep_days
        self.max_mb = max_mb
        self.notices: list[str] = []  # every notice of this run, in order
        self._told = 0  # how many of them take_notices() has handed out

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        folder: Path | None,
        key: bytes | None,
        keep_days: int = DEFAULT_KEEP_DAYS,
        max_mb: int = DEFAULT_MAX_MB,
        *,
        key_notice: str = "",
        key_replaced: bool = False,
    ) -> OfflineStore:
        """Never raises: a damaged file is set aside, a busy one waited for, no key means memory.
        `key_notice` says why there is no key (None) or why it is new; with `key_replaced`
        (the keyring's key was damaged and a new one made) the file is set aside at once:
        no file sealed with the old key can be read with the new one."""
        if key is None or folder is None or len(key) < MIN_MASTER_KEY_BYTES:
            return cls._in_memory(os.urandom(32), keep_days, max_mb, key_notice or NO_KEYRING)
        path = folder / FILE_NAME
        try:
            _private_folder(folder)
            if key_replaced and path.exists():
                log.warning("saved-data key replaced; old file moved to %s", _set_aside(path).name)
        except OSError as exc:
            log.warning("saved-data folder unusable (%s)", type(exc).__name__)
            return cls._in_memory(
                key,
                keep_days,
                max_mb,
                "The saved-data folder cannot be written; "
                "this session keeps its saved data in memory.",
            )
        store = cls._open_or_set_aside(path, key, keep_days, max_mb)
        if key_notice:
            store.tell(key_notice)
        return store

    @classmethod
    def _open_or_set_aside(
        cls, path: Path, key: bytes, keep_days: int, max_mb: int
    ) -> OfflineStore:
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return cls._open_file(path, key, keep_days, max_mb)
            except sqlite3.OperationalError as exc:  # busy or locked: the other copy is writing
                log.info("saved data busy at start (%s), attempt %d", exc, attempt + 1)
                time.sleep(0.2 * (attempt + 1))
            except (sqlite3.DatabaseError, CacheUnreadable, OSError) as exc:
                log.warning("saved data unreadable (%s); setting it aside", type(exc).__name__)
                try:
                    log.warning("moved to %s", _set_aside(path).name)
                    store = cls._open_file(path, key, keep_days, max_mb)
                except (sqlite3.DatabaseError, CacheUnreadable, OSError) as again:
                    log.warning("a new saved-data file failed too (%s)", type(again).__name__)
                    return cls._in_memory(
                        key,
                        keep_days,
                        max_mb,
                        "The saved data cannot be written "
                        "on this computer; this session keeps it in memory.",
                    )
                store.tell(OLDER_FORMAT if isinstance(exc, OlderFormat) else UNREADABLE)
                return store
        return cls._in_memory(
            key,
            keep_days,
            max_mb,
            "The saved data is busy (another copy of the "
            "program?); this session keeps its saved data in memory.",
        )

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
        store.tell(notice)
        return store

    def _initialise(self) -> None:
        # No integrity scan here (it reads the whole file, on the GUI thread at start-up): a
        # truncated or foreign file fails on its first read below; damage found later is
        # handled by _recovering.
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)
            schema = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if schema is not None and schema[0] != SCHEMA_VERSION:
                raise OlderFormat(f"schema {schema[0]!r}")
            row = self._db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,)
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('key_check', ?)",
                    (self._seal(KEY_CHECK, b"key_check"),),
                )
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
        self.tell(DAMAGED_LATER)

    # -- notices --------------------------------------------------------------------------
    def tell(self, notice: str) -> None:
        """Add a sentence for the agent (not repeated while an earlier copy is unsaid)."""
        with self._notice_lock:
            if notice not in self.notices[self._told :]:  # once, however often it is found
                self.notices.append(notice)

    def take_notices(self) -> list[str]:
        """Notices not handed out yet (each is told to the agent once)."""
        with self._notice_lock:
            fresh = self.notices[self._told :]
            self._told = len(self.notices)
        return fresh

    @property
    def row_limit_bytes(self) -> int:
        """The most one saved customer or detail may take (sealed)."""
        return self.max_mb * 1024 * 1024 // ROW_SHARE

    def _too_large(self, size: int, what: str) -> str:
        return (
            f"This {what} is too large to keep offline ({size / 1_048_576:.1f} MB sealed; one "
            f"may use at most {self.row_limit_bytes / 1_048_576:.1f} MB of the "
            f"{self.max_mb} MB kept), so it was not saved."
        )

    # -- sealing ------------------------------------------------------------------------
    def _seal(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(12)
        # Level 1: a 23 MB reply compresses in a quarter of the time of level 6, ~15% larger.
        return nonce + self._aead.encrypt(nonce, zlib.compress(data, ZLIB_LEVEL), context)

    def _open(self, blob: bytes, context: bytes) -> bytearray:
        return _inflate(self._aead.decrypt(blob[:12], blob[12:], context))

    def _hash(self, *parts: str) -> str:
        return hmac.new(self._hash_key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()

    def _ids(self, profile: str, *parts: str) -> tuple[str, str]:
        return self._hash("profile", profile), self._hash(*parts)

    def _seal_json(self, value: Any, table: str, profile_id: str, row_id: str) -> bytes:
        return self._seal(pack(value), f"{table}\0{profile_id}\0{row_id}".encode())

    def _open_json(self, blob: bytes, table: str, profile_id: str, row_id: str) -> Any:
        return unpack(self._open(blob, f"{table}\0{profile_id}\0{row_id}".encode()))

    # -- customers ------------------------------------------------------------------------
    @_recovering
    def save_lookup(
        self, profile: str, query: Query, name: str, payload: dict[str, Any]
    ) -> str | None:
        """Keep a customer; returns a sentence when it was not kept because it is too large
        (what was saved for them before stays)."""
        profile_id, row_id = self._ids(profile, "lookup", query.kind.value, query.value)
        summary = {"kind": query.kind.value, "value": query.value, "name": name}
        sealed = self._seal_json(payload, "lookups", profile_id, row_id)
        if len(sealed) > self.row_limit_bytes:
            log.warning(
                "a customer of %d bytes sealed was not saved (limit %d)",
                len(sealed),
                self.row_limit_bytes,
            )
            return self._too_large(len(sealed), "customer")
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    profile_id,
                    row_id,
                    now,
                    now,
                    len(sealed),
                    self._seal_json(summary, "summary", profile_id, row_id),
                    sealed,
                ),
            )
        self.prune()
        return None

    @_recovering
    def load_lookup(self, profile: str, query: Query, touch: bool = True) -> Saved | None:
        profile_id, row_id = self._ids(profile, "lookup", query.kind.value, query.value)
        with self._lock:
            row = self._db.execute(
                "SELECT saved_at, payload FROM lookups WHERE profile = ? AND id = ?",
                (profile_id, row_id),
            ).fetchone()
            if row is None or self._expired(row[0]):
                return None
            if touch:
                self._touch(profile_id, row_id)
        try:
            value = self._open_json(row[1], "lookups", profile_id, row_id)
        except (InvalidTag, ValueError, zlib.error):
            log.warning("a saved customer could not be opened; removing it")
            self._forget("lookups", profile_id, row_id)
            return None
        return Saved(datetime.fromtimestamp(row[0]).astimezone(), value)

    def _touch(self, profile_id: str, row_id: str) -> None:
        """Note when a saved customer was last opened (lock held). This orders the Recent
        menu and what is pruned first, and the agent waits for it: it is committed without
        the flush to disk every other write gets (synchronous=FULL syncs the WAL at each
        commit: 0.4-0.5 ms here, more on a laptop's disk; NORMAL, 0.03 ms). A power cut may
        lose the time, never the file: SQLite keeps a WAL consistent either way."""
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Not worth a wait either: while the other copy of the program writes, the customer
        # opens at once and keeps its old place in Recent (it waited up to BUSY_TIMEOUT_MS,
        # then opened as if nothing were saved).
        self._db.execute(f"PRAGMA busy_timeout={TOUCH_WAIT_MS}")
        try:
            with self._db:
                self._db.execute(
                    "UPDATE lookups SET viewed_at = ? WHERE profile = ? AND id = ?",
                    (time.time(), profile_id, row_id),
                )
        except sqlite3.OperationalError as exc:  # busy, locked, full (damage is not Operational)
            log.info("when a saved customer was opened is not noted (%s)", exc)
        finally:  # as _connect set them
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def _forget(self, table: str, profile_id: str, row_id: str) -> None:
        """A row whose seal does not open never will: drop it and say so once."""
        with self._lock, self._db:
            self._db.execute(
                f"DELETE FROM {table} WHERE profile = ? AND id = ?", (profile_id, row_id)
            )
        self.tell(ROW_DAMAGED)

    @_recovering
    def saved_size(self, profile: str, query: Query) -> int | None:
        """The sealed size of a saved customer (no decryption), or None when not saved."""
        profile_id, row_id = self._ids(profile, "lookup", query.kind.value, query.value)
        with self._lock:
            row = self._db.execute(
                "SELECT size FROM lookups WHERE profile = ? AND id = ?", (profile_id, row_id)
            ).fetchone()
        return row[0] if row else None

    def recent(self, profile: str, limit: int = RECENT_LIMIT) -> list[RecentCustomer]:
        """The last customers viewed in this profile, newest first (none when the file is
        damaged or busy)."""
        return self._recent(profile, limit) or []

    @_recovering
    def _recent(self, profile: str, limit: int) -> list[RecentCustomer]:
        profile_id = self._hash("profile", profile)
        cutoff = time.time() - self.keep_days * 86400
        with self._lock:
            rows = self._db.execute(
                "SELECT id, viewed_at, summary FROM lookups WHERE profile = ? AND saved_at >= ? "
                "ORDER BY viewed_at DESC LIMIT ?",
                (profile_id, cutoff, limit),
            ).fetchall()
        found = []
        for row_id, viewed_at, blob in rows:
            try:
                summary = self._open_json(blob, "summary", profile_id, row_id)
                query = Query(IdentifierKind(summary["kind"]), str(summary["value"]))
            except (InvalidTag, ValueError, KeyError, TypeError, zlib.error):
                continue
            found.append(
                RecentCustomer(
                    query,
                    str(summary.get("name") or ""),
                    datetime.fromtimestamp(viewed_at).astimezone(),
                )
            )
        return found

    # -- interaction details ---------------------------------------------------------------
    @_recovering
    def save_detail(
        self, profile: str, interaction_id: str, document: dict[str, Any]
    ) -> str | None:
        """Keep an interaction's detail under the same size rules as a customer."""
        profile_id, row_id = self._ids(profile, "detail", interaction_id)
        sealed = self._seal_json(document, "details", profile_id, row_id)
        if len(sealed) > self.row_limit_bytes:
            log.warning("a detail of %d bytes sealed was not saved", len(sealed))
            return self._too_large(len(sealed), "interaction's detail")
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO details VALUES (?, ?, ?, ?, ?)",
                (profile_id, row_id, time.time(), len(sealed), sealed),
            )
        self.prune()  # details count towards max_mb like customers do
        return None

    @_recovering
    def load_detail(self, profile: str, interaction_id: str) -> Saved | None:
        profile_id, row_id = self._ids(profile, "detail", interaction_id)
        with self._lock:
            row = self._db.execute(
                "SELECT saved_at, payload FROM details WHERE profile = ? AND id = ?",
                (profile_id, row_id),
            ).fetchone()
        if row is None or self._expired(row[0]):
            return None
        try:
            value = self._open_json(row[1], "details", profile_id, row_id)
        except (InvalidTag, ValueError, zlib.error):
            self._forget("details", profile_id, row_id)
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
            total = sum(
                r[0] or 0
                for r in self._db.execute(
                    "SELECT SUM(size) FROM lookups UNION ALL SELECT SUM(size) FROM details"
                )
            )
            if total <= budget:
                return
            rows = self._db.execute(
                "SELECT 'lookups', profile, id, size, viewed_at FROM lookups UNION ALL "
                "SELECT 'details', profile, id, size, saved_at FROM details ORDER BY 5"
            ).fetchall()
            for table, profile_id, row_id, size, _when in rows:
                if total <= budget:
                    break
                self._db.execute(
                    f"DELETE FROM {table} WHERE profile = ? AND id = ?", (profile_id, row_id)
                )
                total -= size

    @_recovering
    def clear_profile(self, profile: str) -> None:
        profile_id = self._hash("profile", profile)
        with self._lock, self._db:
            self._db.execute("DELETE FROM lookups WHERE profile = ?", (profile_id,))
            self._db.execute("DELETE FROM details WHERE profile = ?", (profile_id,))
            self._db.execute("DELETE FROM meta WHERE name = ?", (_reached_name(profile_id),))
        with self._lock:
            self._db.execute("VACUUM")  # deleted pages must not linger in the file

    # -- maximum offline time (a per-profile setting IT makes) ----------------------------
    @_recovering
    def mark_reached(self, profile: str, now: float | None = None) -> None:
        """A live source answered for this profile: the offline clock starts again."""
        name = _reached_name(self._hash("profile", profile))
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (name, repr(time.time() if now is None else now)),
            )

    @_recovering
    def last_reached(self, profile: str) -> float | None:
        """When a live source last answered for this profile (None: not since tracking began)."""
        name = _reached_name(self._hash("profile", profile))
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        try:
            return float(row[0]) if row else None
        except (TypeError, ValueError):
            return None

    def enforce_offline_limit(
        self, profile: str, max_days: int, now: float | None = None
    ) -> str | None:
        """With a limit (max_days > 0): drop this profile's customers and details saved more
        than max_days ago, and wipe all its saved data when no source was reached for that
        long; returns the sentence for the agent when it wiped. A profile never reached
        since the limit was set starts its clock now."""
        if max_days <= 0:
            return None
        now = time.time() if now is None else now
        cutoff = now - max_days * 86400
        reached = self.last_reached(profile)
        if reached is None:
            self.mark_reached(profile, now)
        elif reached < cutoff:
            self.clear_profile(profile)
            return (
                f"No source was reached for more than {max_days} days, so every customer saved "
                f"for profile “{profile}” was deleted, as your organisation has set."
            )
        self._drop_older(profile, cutoff)
        return None

    @_recovering
    def _drop_older(self, profile: str, cutoff: float) -> None:
        profile_id = self._hash("profile", profile)
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM lookups WHERE profile = ? AND saved_at < ?", (profile_id, cutoff)
            )
            self._db.execute(
                "DELETE FROM details WHERE profile = ? AND saved_at < ?", (profile_id, cutoff)
            )

    def size_bytes(self) -> int:
        with self._lock:
            return sum(
                r[0] or 0
                for r in self._db.execute(
                    "SELECT SUM(size) FROM lookups UNION ALL SELECT SUM(size) FROM details"
                )
            )


def _reached_name(profile_id: str) -> str:
    return f"last_reached\0{profile_id}"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(master)


def _private_folder(folder: Path) -> None:
    """The folder, made user-only (0700). One that exists is tightened only when it is ours
    and not a shared sticky folder such as /tmp (VIEWER_CACHE_DIR may point anywhere)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not POSIX:
        return
    info = folder.stat()
    if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX and info.st_mode & 0o077:
        folder.chmod(0o700)


def _private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it: SQLite gives the -wal and -shm
    files it creates later the database file's mode. Files left 0644 by older versions are
    tightened too."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if not POSIX:
        return
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(str(path) + suffix, 0o600)


def _connect(target: str) -> sqlite3.Connection:
    if target != ":memory:":
        _private_file(Path(target))
    connection = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
    )
    try:
        if target != ":memory:":
            connection.execute("PRAGMA journal_mode=WAL")  # two copies of the program may share it
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA secure_delete=ON")
            # Each commit on the disk before it returns, whatever this SQLite's build chose:
            # a customer deleted (sign-out, expiry) must not come back after a power cut.
            connection.execute("PRAGMA synchronous=FULL")
    except BaseException:
        connection.close()
        raise
    # Implicit transactions, committed by `with connection`. "DEFERRED" is what "" means
    # (a plain BEGIN), spelt the way the sqlite3 stubs accept.
    connection.isolation_level = "DEFERRED"
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


def pack(value: Any) -> bytes:
    """`value` as bytes: plain JSON, or PACKED + skeleton length + skeleton + blobs."""
    blobs: list[bytes] = []
    shape = json.dumps(_skeleton(value, blobs), ensure_ascii=False, separators=(",", ":")).encode()
    if not blobs:
        return shape
    lengths = b"".join(len(blob).to_bytes(8, "big") for blob in blobs)
    return b"".join(
        [
            PACKED,
            len(shape).to_bytes(8, "big"),
            len(blobs).to_bytes(4, "big"),
            lengths,
            shape,
            *blobs,
        ]
    )


def _skeleton(item: Any, blobs: list[bytes]) -> Any:
    """`item` with every bytes value moved to `blobs` and replaced by {"$blob": index}.
    A function of its own, not a closure calling itself: that closure is a reference cycle
    holding `blobs` (the whole reply, 23 MB for a large customer) until the cyclic collector
    runs, and the collector, kept off during searches and frozen after a large one
    (ui/gc_guard.py), never freed it: the memory grew by one reply per search."""
    if isinstance(item, bytes | bytearray):
        blobs.append(bytes(item))
        return {"$blob": len(blobs) - 1}
    if isinstance(item, dict):
        return {key: _skeleton(inner, blobs) for key, inner in item.items()}
    if isinstance(item, list):
        return [_skeleton(inner, blobs) for inner in item]
    return item


def _inflate(data: bytes) -> bytearray:
    """zlib.decompress a piece at a time. In one call the 23 MB of a large customer were
    assembled holding the GIL (16 ms here, up to 70 ms on a busy machine) while the window
    waited; each piece holds it only to append its megabyte (inflating releases it)."""
    inflater = zlib.decompressobj()
    out = bytearray()
    pending = data
    while pending and not inflater.eof:
        out += inflater.decompress(pending, INFLATE_PIECE)
        pending = inflater.unconsumed_tail
    out += inflater.flush()  # what the last piece's limit held back
    if not inflater.eof:
        raise zlib.error("incomplete or truncated stream")
    return out


def unpack(data: bytes | bytearray) -> Any:
    """The value `pack` made (ValueError when the bytes are not such a value). A bytearray
    given is consumed: the last blob (a large customer's reply) becomes that very buffer."""
    if not data.startswith(PACKED):
        return json.loads(data)
    with memoryview(data) as view:
        shape_size = int.from_bytes(view[4:12], "big")
        count = int.from_bytes(view[12:16], "big")
        at = 16 + 8 * count
        sizes = [int.from_bytes(view[16 + 8 * i : 24 + 8 * i], "big") for i in range(count)]
        shape = json.loads(bytes(view[at : at + shape_size]))
        at += shape_size
        if at + sum(sizes) != len(data):
            raise ValueError("packed value of the wrong length")
        blobs: list[bytes | bytearray] = []
        for size in sizes[:-1]:
            blobs.append(bytes(view[at : at + size]))
            at += size
    if sizes:
        blobs.append(_last_blob(data, at))
    return _filled(shape, blobs)


def _filled(item: Any, blobs: list[bytes | bytearray]) -> Any:
    """`item` with every {"$blob": index} replaced by its blob (a plain function: see
    `_skeleton` for the cycle a closure calling itself makes)."""
    if isinstance(item, dict):
        if len(item) == 1 and "$blob" in item and isinstance(item["$blob"], int):
            return blobs[item["$blob"]]
        return {key: _filled(inner, blobs) for key, inner in item.items()}
    if isinstance(item, list):
        return [_filled(inner, blobs) for inner in item]
    return item


def _last_blob(data: bytes | bytearray, at: int) -> bytes | bytearray:
    """The blob from `at` to the end of `data`. Copying a large customer's 23 MB reply out of
    the buffer it was inflated into held the GIL for 15 ms (writing fresh memory) while the
    window waited (bench/speed_table.py, P5 from saved data). A bytearray sheds its head in
    place instead: CPython advances the buffer's start, nothing is copied."""
    if isinstance(data, bytes):
        return data[at:]
    del data[:at]
    return data
