"""Logging to the platform log folder: rotated, redacted, and the last errors kept for
"Copy diagnostics". No Qt here. The folder is user-only (0700) and every log file, rotated
ones included, 0600 on POSIX: logs name customers' channels and times."""

from __future__ import annotations

import collections
import logging
import logging.handlers
import os
import stat
from datetime import datetime
from pathlib import Path

from viewer.places import log_dir
from viewer.redaction import redact

LOG_FILE = "customer-viewer.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
RECENT_ERRORS: collections.deque[str] = collections.deque(maxlen=20)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates its file 0600 whatever the umask; rotation renames files, so the rotated
    copies keep that mode."""

    def _open(self):
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(descriptor, self.mode, encoding=self.encoding, errors=self.errors)


def _make_private(folder: Path) -> None:
    """The folder 0700 (created so; tightened when it is ours and not a shared sticky folder
    like /tmp) and any log file an older version left readable, 0600."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "posix":
        return
    info = folder.stat()
    if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX and info.st_mode & 0o077:
        folder.chmod(0o700)
    for old in folder.glob(f"{LOG_FILE}*"):
        if old.is_file() and old.stat().st_mode & 0o077:
            old.chmod(0o600)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RecentErrors(logging.Handler):
    """Keeps the last warnings and errors (redacted, one line each) for support tickets."""

    def emit(self, record: logging.LogRecord) -> None:
        when = datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M:%S")
        kind = f" ({record.exc_info[0].__name__})" if record.exc_info and record.exc_info[0] else ""
        RECENT_ERRORS.append(
            redact(f"{when} {record.levelname} {record.name}: {record.getMessage()}{kind}")
        )


def setup_logging(level: int = logging.INFO) -> Path | None:
    """File logging for this run; returns the file, or None when the folder is not writable."""
    root = logging.getLogger()
    root.setLevel(min(root.level or level, level))
    recent = RecentErrors(logging.WARNING)
    root.addHandler(recent)
    path = log_dir() / LOG_FILE
    try:
        _make_private(path.parent)
        handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "asyncio", "qasync"):  # URLs with customers' numbers
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
