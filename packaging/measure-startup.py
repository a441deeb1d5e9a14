"""Whole-process start time to the first shown window: the frozen program vs `python -m viewer`.

    xvfb-run -a .venv/bin/python packaging/measure-startup.py [--runs 10] [-- ARGS...]

Starts each program --runs times (alternating, after one unmeasured warm-up each) under
X11, with empty settings and cache folders (a first run: the welcome page), and stops the
clock when the X server maps the program's first top-level window (a MapNotify on the root
window for a window whose _NET_WM_PID is the program's, watched through libX11 with
ctypes), so the program needs no hook and is measured just as an agent starts it. Then the program is ended. ARGS go to both programs (e.g. `-- --demo`).
Needs an X server (Xvfb under xvfb-run is fine) and libX11; Linux only.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAP_NOTIFY = 19
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19


class XMapEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("event", ctypes.c_ulong),
        ("window", ctypes.c_ulong),
        ("override_redirect", ctypes.c_int),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("xmap", XMapEvent), ("pad", ctypes.c_long * 24)]


class MapWatcher:
    """Reports when the X server maps a top-level window of a given process."""

    def __init__(self):
        path = ctypes.util.find_library("X11")
        if not path or not os.environ.get("DISPLAY"):
            raise SystemExit("measure-startup: needs DISPLAY and libX11 (run it under xvfb-run -a)")
        x = self.x = ctypes.CDLL(path)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
        x.XConnectionNumber.argtypes = [ctypes.c_void_p]
        x.XPending.argtypes = [ctypes.c_void_p]
        x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(XEvent)]
        x.XFlush.argtypes = [ctypes.c_void_p]
        x.XInternAtom.restype = ctypes.c_ulong
        x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_ulong,
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_int,
            ctypes.c_ulong,
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_void_p),
        ]
        x.XFree.argtypes = [ctypes.c_void_p]
        # A window may be gone before its properties are read (BadWindow): ignore, do not exit.
        self._on_error = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(
            lambda d, e: 0
        )
        x.XSetErrorHandler(self._on_error)
        self.display = x.XOpenDisplay(None)
        if not self.display:
            raise SystemExit("measure-startup: cannot open the X display")
        self.pid_atom = x.XInternAtom(self.display, b"_NET_WM_PID", 0)
        x.XSelectInput(self.display, x.XDefaultRootWindow(self.display), SUBSTRUCTURE_NOTIFY_MASK)
        x.XFlush(self.display)
        self.fd = x.XConnectionNumber(self.display)

    def drain(self) -> None:
        event = XEvent()
        while self.x.XPending(self.display):
            self.x.XNextEvent(self.display, ctypes.byref(event))

    def wait_for_window(self, pid: int, deadline: float) -> bool:
        """True when a top-level window of process `pid` is mapped before `deadline`."""
        event = XEvent()
        while time.perf_counter() < deadline:
            if not self.x.XPending(self.display):
                select.select([self.fd], [], [], 0.01)
                continue
            self.x.XNextEvent(self.display, ctypes.byref(event))
            if (
                event.type == MAP_NOTIFY
                and not event.xmap.override_redirect
                and self._pid(event.xmap.window) == pid
            ):
                return True
        return False

    def _pid(self, window: int) -> int | None:
        kind, size, count, after = (
            ctypes.c_ulong(),
            ctypes.c_int(),
            ctypes.c_ulong(),
            ctypes.c_ulong(),
        )
        data = ctypes.c_void_p()
        status = self.x.XGetWindowProperty(
            self.display,
            window,
            self.pid_atom,
            0,
            1,
            0,
            0,
            ctypes.byref(kind),
            ctypes.byref(size),
            ctypes.byref(count),
            ctypes.byref(after),
            ctypes.byref(data),
        )
        if status != 0 or not data.value:
            return None
        try:
            return (
                ctypes.cast(data, ctypes.POINTER(ctypes.c_long))[0]
                if count.value and size.value == 32
                else None
            )
        finally:
            self.x.XFree(data)


def one_start(watcher: MapWatcher, command: list[str], env: dict[str, str]) -> float:
    watcher.drain()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if not watcher.wait_for_window(process.pid, start + 60):
            raise SystemExit(f"measure-startup: no window from {command[0]} within 60 s")
        return time.perf_counter() - start
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--bundle", default=str(ROOT / "dist" / "customer-viewer" / "customer-viewer")
    )
    parser.add_argument("--python", default=sys.executable, help="the Python that runs `-m viewer`")
    parser.add_argument("args", nargs="*", help="arguments for both programs (after --)")
    options = parser.parse_args()
    if not Path(options.bundle).exists():
        raise SystemExit(f"measure-startup: no bundle at {options.bundle} (run packaging/build.sh)")
    programs = {
        "frozen bundle": [options.bundle, *options.args],
        "python -m viewer": [options.python, "-m", "viewer", *options.args],
    }
    watcher = MapWatcher()
    times: dict[str, list[float]] = {name: [] for name in programs}
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIEWER_", "QT_QPA"))}
        env.update(VIEWER_CONFIG_DIR=f"{home}/config", VIEWER_CACHE_DIR=f"{home}/cache")
        for command in programs.values():
            one_start(watcher, command, env)  # warm-up: page cache, font cache
        for _ in range(options.runs):
            for name, command in programs.items():
                times[name].append(one_start(watcher, command, env))
    for name, measured in times.items():
        print(
            f"{name:<17} start to first window: median {statistics.median(measured) * 1000:.0f} ms "
            f"(min {min(measured) * 1000:.0f}, max {max(measured) * 1000:.0f}, {len(measured)} runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
