"""Where this user's running window listens, and how another process hands it a request.

One window per user: a second start, `customer-viewer open …` from a softphone, or a link
clicked in a browser hands its request to the window already running over a local socket
instead of opening another copy. The window side (QLocalServer) is viewer/ui/single_instance.py;
this module is Qt-free so that `open` answers a softphone in a few milliseconds.

Nothing may reach another user's window, and no other user may reach ours:
- POSIX: the socket is a file in a folder only this user can enter (XDG_RUNTIME_DIR, or
  a `customer-viewer-UID` folder in the temp folder, created 0700 and checked: owned by
  us, not a link, nobody else's permissions; when the check fails there is no single
  instance rather than an unsafe one). QLocalServer's default, a fixed name in /tmp, could
  be created first by another user, who would then receive our customers' numbers. The
  client also checks the socket file is ours, and the window checks the peer's user id.
- Windows: a named pipe, user-only (QLocalServer.UserAccessOption). Pipe names are
  machine-wide, so the name carries a random part chosen by the window at start and
  written to a file in the per-user temp folder: another user cannot learn it in advance
  to create the pipe first.

Messages are one line of JSON, at most MAX_MESSAGE_BYTES, answered "ok"; the window
validates them again (it never trusts the socket).
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import secrets
import socket
import stat
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from viewer.domain import BadInput
from viewer.links import MAX_LINK_LENGTH, MAX_PROFILE_LENGTH

# Not viewer.profiles: it loads phonenumbers, and `open` hands a softphone's pop over
# before it loads anything that slow.
from viewer.places import APP_NAME, config_dir

WINDOWS = sys.platform == "win32"
PROTOCOL = 1
MAX_MESSAGE_BYTES = 32 * 1024  # a link of MAX_LINK_LENGTH characters, every one \u-escaped
READ_TIMEOUT_S = 2.0  # the window drops a connection that has not sent its line by then
ANSWER_TIMEOUT_S = 3.0  # `open` waits this long for the window's "ok"
# Tests give each run its own name so parallel runs never meet; the config folder is part
# of the key too, so two set-ups of the same user (VIEWER_CONFIG_DIR) are two instances.
INSTANCE_NAME_ENV = "VIEWER_INSTANCE_NAME"
# The first request of a window started by `open`, handed over in the environment: a
# command line is visible to every user of the machine (ps), an environment is not.
POP_ENV = "VIEWER_POP"
ACTIONS = ("lookup", "show")


class UnsafeFolder(OSError):
    """The folder for the socket exists but another user could reach into it."""


class Delivery(Enum):
    DELIVERED = "delivered"  # the running window accepted the request
    NOBODY = "nobody"  # no window of this user is running
    NO_ANSWER = "no answer"  # a window took the connection but never answered


@dataclass(frozen=True)
class Address:
    server_name: str  # what QLocalServer.listen() takes: a socket path, or a pipe name
    pipe_file: Path | None = None  # Windows: the file holding the current pipe name


# -- where -----------------------------------------------------------------------------------


def instance_key(env: Mapping[str, str] = os.environ) -> str:
    """Short, stable per user, set-up (config folder) and instance name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the uid is enough
        user = ""
    uid = str(os.getuid()) if hasattr(os, "getuid") else ""
    seed = "\0".join([user, uid, str(config_folder(env)), env.get(INSTANCE_NAME_ENV, "")])
    # 16 hex digits: macOS's per-user $TMPDIR is long, and a socket path may not exceed 104 bytes.
    return hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def config_folder(env: Mapping[str, str] = os.environ) -> Path:
    """The settings folder: two set-ups, two instances."""
    return config_dir(env)


def private_folder(env: Mapping[str, str] = os.environ) -> Path:
    """The folder for this user's socket (POSIX) or pipe-name file (Windows), created if
    needed. UnsafeFolder when it exists but is not this user's alone."""
    if WINDOWS:  # %LOCALAPPDATA%\Temp: the user profile's ACL keeps other users out
        folder = Path(tempfile.gettempdir()) / APP_NAME
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and _ours_alone(Path(runtime), tighten=False):
        folder = Path(runtime) / APP_NAME
    else:  # $TMPDIR is per user on macOS; /tmp is shared on Linux, hence the uid and checks
        folder = Path(tempfile.gettempdir()) / f"{APP_NAME}-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    if not _ours_alone(folder):
        raise UnsafeFolder(f"{folder} belongs to another user or others can enter it")
    return folder


def _ours_alone(folder: Path, tighten: bool = True) -> bool:
    """A real folder (not a link), owned by this user, that nobody else can enter or change
    (`tighten`: when it is ours but open to others, make it 0700 rather than refuse it)."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return False
    if info.st_mode & 0o077:  # ours but loose (made by hand, or an old umask): tighten it
        if not tighten:
            return False
        try:
            os.chmod(folder, 0o700)
        except OSError:
            return False
    return True


def address(env: Mapping[str, str] = os.environ) -> Address:
    """Where this user's window listens (POSIX), or where its pipe name is kept (Windows)."""
    folder, key = private_folder(env), instance_key(env)
    if WINDOWS:
        return Address(f"{APP_NAME}-{key}", folder / f"{key}.pipe")
    return Address(str(folder / f"{key}.sock"))


def new_pipe_name(where: Address) -> str:
    """Windows: a fresh, unguessable pipe name for a window about to listen."""
    return f"{where.server_name}-{secrets.token_hex(12)}"


def _pipe_file(where: Address) -> Path:
    if where.pipe_file is None:
        raise ValueError("a socket address has no pipe-name file (Windows only)")
    return where.pipe_file


def publish_pipe_name(where: Address, name: str) -> None:
    """Windows: tell later `open` commands which pipe the window listens on (atomically)."""
    pipe_file = _pipe_file(where)
    handle, temporary = tempfile.mkstemp(dir=pipe_file.parent, prefix=".pipe-")
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(name)
    os.replace(temporary, pipe_file)


def withdraw_pipe_name(where: Address, name: str) -> None:
    """Windows: on quit, remove the file if it still names this window's pipe."""
    pipe_file = _pipe_file(where)
    with contextlib.suppress(OSError):
        if pipe_file.read_text(encoding="ascii") == name:
            pipe_file.unlink()


# -- what -----------------------------------------------------------------------------------


def lookup_message(link: str) -> dict:
    """Look up what `link` asks for. A link over the limit is cut to one character past it,
    so the window still refuses it as too long (cutting never turns junk into a number)."""
    return {
        "v": PROTOCOL,
        "action": "lookup",
        "link": link[: MAX_LINK_LENGTH + 1],
        "stamp": time.time_ns(),
    }


def show_message(profile: str | None = None) -> dict:
    """Come to the front (a second start); `profile`: the one that start asked for."""
    return {"v": PROTOCOL, "action": "show", "profile": profile, "stamp": time.time_ns()}


def encode(message: dict) -> bytes:
    data = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
    if len(data) > MAX_MESSAGE_BYTES:
        raise BadInput("That request is too large to hand to the window.")
    return data


def decode(data: bytes) -> dict:
    """A message as sent by `encode`, checked field by field; BadInput for anything else."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise BadInput("request too large")
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput("request is not JSON") from None
    if not isinstance(message, dict) or message.get("v") != PROTOCOL:
        raise BadInput("request is not a version-1 object")
    action, stamp = message.get("action"), message.get("stamp")
    if action not in ACTIONS:
        raise BadInput("unknown action")
    if not isinstance(stamp, int) or isinstance(stamp, bool) or not 0 <= stamp < 2**63:
        raise BadInput("bad stamp")
    clean: dict = {"action": action, "stamp": stamp}
    if action == "lookup":
        link = message.get("link")
        if not isinstance(link, str) or len(link) > MAX_LINK_LENGTH + 1:
            raise BadInput("bad link")
        clean["link"] = link
    else:
        profile = message.get("profile")
        if profile is not None and (
            not isinstance(profile, str) or len(profile) > MAX_PROFILE_LENGTH
        ):
            raise BadInput("bad profile")
        clean["profile"] = profile or None
    return clean


def take_startup_message(env: MutableMapping[str, str] = os.environ) -> dict | None:
    """The request a window was started with by `open` (removed from the environment, so
    nothing the window starts inherits it); None when there is none or it is not valid."""
    raw = env.pop(POP_ENV, None)
    if not raw:
        return None
    try:
        return decode(raw.encode("utf-8", "surrogateescape"))
    except BadInput:
        return None


# -- handing a request over (the client side) -------------------------------------------------


def hand_over(
    message: dict, env: Mapping[str, str] = os.environ, timeout: float = ANSWER_TIMEOUT_S
) -> Delivery:
    """Give `message` to this user's running window; NOBODY when none is running."""
    data = encode(message)
    try:
        where = address(env)
    except OSError:  # no safe folder: there can be no window listening in it either
        return Delivery.NOBODY
    if WINDOWS:
        return _over_pipe(where, data, timeout)
    return _over_unix_socket(where.server_name, data, timeout)


def _over_unix_socket(path: str, data: bytes, timeout: float) -> Delivery:
    try:
        info = os.lstat(path)
    except OSError:
        return Delivery.NOBODY
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        return Delivery.NOBODY  # not our window's socket: never talk to it
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        try:
            connection.connect(path)
        except OSError:  # refused: a window that crashed left its socket behind
            return Delivery.NOBODY
        try:
            connection.sendall(data)
            answer = _read_line(connection.recv)
        except OSError:
            return Delivery.NO_ANSWER
    return Delivery.DELIVERED if answer == b"ok" else Delivery.NO_ANSWER


def _read_line(receive) -> bytes:
    answer = b""
    while b"\n" not in answer and len(answer) < 64:
        chunk = receive(64)
        if not chunk:
            break
        answer += chunk
    return answer.split(b"\n", 1)[0].strip()


def _over_pipe(
    where: Address, data: bytes, timeout: float
) -> Delivery:  # pragma: no cover - Windows
    try:
        name = _pipe_file(where).read_text(encoding="ascii").strip()
    except OSError:
        return Delivery.NOBODY
    if not name.startswith(where.server_name + "-") or not name.isprintable():
        return Delivery.NOBODY
    pipe = None
    for _attempt in range(20):  # every instance busy (another `open` right now): wait a little
        try:
            pipe = open(rf"\\.\pipe\{name}", "r+b", buffering=0)  # noqa: SIM115
            break
        except FileNotFoundError:
            return Delivery.NOBODY  # the window that wrote the name has quit
        except OSError:
            time.sleep(0.05)
    if pipe is None:
        return Delivery.NO_ANSWER
    with pipe:
        answers: list[bytes] = []
        try:
            pipe.write(data)
        except OSError:
            return Delivery.NO_ANSWER
        reader = threading.Thread(target=lambda: answers.append(_read_line(pipe.read)), daemon=True)
        reader.start()
        reader.join(timeout)
    return Delivery.DELIVERED if answers and answers[0] == b"ok" else Delivery.NO_ANSWER


def allow_window_to_come_forward() -> None:  # pragma: no cover - Windows
    """Windows lets only the foreground process bring a window forward; `open`, started by
    the agent's click or the softphone, passes that right on to the window it hands over to."""
    if sys.platform == "win32":  # spelt out, so type checkers know windll is there
        import ctypes

        with contextlib.suppress(Exception):
            ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY


# -- who is calling (the window side, given the connected socket's descriptor) ---------------


def peer_is_this_user(descriptor: int) -> bool | None:
    """Whether the process at the other end of a Unix socket runs as this user; None where
    the system cannot say (Windows: the pipe's access list already admits only this user)."""
    if WINDOWS or descriptor < 0:
        return None
    if hasattr(socket, "SO_PEERCRED"):  # Linux
        with socket.socket(fileno=os.dup(descriptor)) as peer:
            credentials = peer.getsockopt(
                socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
            )
        _pid, uid, _gid = struct.unpack("3i", credentials)
        return uid == os.getuid()
    return _getpeereid_matches(descriptor)


def _getpeereid_matches(descriptor: int) -> bool | None:  # pragma: no cover - macOS/BSD
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        uid, gid = ctypes.c_uint32(), ctypes.c_uint32()
        if libc.getpeereid(descriptor, ctypes.byref(uid), ctypes.byref(gid)) != 0:
            return None
    except (OSError, AttributeError):
        return None
    return uid.value == os.getuid()
