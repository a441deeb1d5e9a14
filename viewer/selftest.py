"""`customer-viewer --self-test`: does this installation (frozen or not) really work?

Checks, one report line each, then exit 0 only when every check passed:
  start    nothing heavy was loaded before the program began: no Qt, no setuptools (a
           frozen build's run-time hooks once loaded both, ~0.2 s before any command or
           softphone hand-over, which need neither, had started)
  keyring  a secure OS keyring backend is found and answers (credentials.backend_status)
  tls      HTTPS trusts the OS store through truststore, as the program's HTTP clients do
  cache    the real offline store opens in the cache folder with its key from the keyring
  window   the real window opens (offscreen where there is no screen), searches the embedded
           demo server and loads a Ctrl-Hub interaction's full detail
The whole run is bounded: a watchdog ends the process if anything hangs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from viewer import __version__

TIMEOUT_S = 60.0
# Demo data (viewer/demo): Oliver Smith is in both systems; this interaction is fully linked.
PROBE_MOBILE = "447700900123"
PROBE_INTERACTION = "08dc5100-69e2-45a8-89f9-eb3045264115"
PROBE_CONTACT = "Mr Oliver Smith"
# What the keyring backends are, for the report.
KEYRING_LABELS = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring / KWallet via D-Bus)",
    "keyring.backends.libsecret": "libsecret",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.Windows": "Windows Credential Locker",
    "keyring.backends.macOS": "macOS Keychain",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.name:<7} {self.reason}"


def run_self_test(timeout: float = TIMEOUT_S) -> int:
    started = time.perf_counter()
    loaded_at_start = frozenset(sys.modules)
    _offscreen_without_display()
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    _start_watchdog(timeout + 15)
    print(f"customer-viewer {__version__} self-test: {_describe_build()}", flush=True)
    checks = []
    for name, check in (
        ("start", lambda: check_start(loaded_at_start)),
        ("keyring", check_keyring),
        ("tls", check_tls),
        ("cache", check_cache),
        ("window", lambda: check_window(timeout)),
    ):
        result = _guarded(name, check)
        print(result.line(), flush=True)
        checks.append(result)
    failed = [c.name for c in checks if not c.ok]
    took = time.perf_counter() - started
    verdict = f"FAIL ({', '.join(failed)})" if failed else "PASS"
    print(f"self-test: {verdict}, {len(checks)} checks in {took:.1f} s", flush=True)
    return 1 if failed else 0


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as exc:  # a broken installation shows up here: report it, go on
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def _offscreen_without_display() -> None:
    """Linux/BSD with no X11 or Wayland display: draw offscreen (Windows/macOS have a screen)."""
    if sys.platform in ("win32", "cygwin", "darwin"):
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _start_watchdog(seconds: float) -> None:
    """A hang in native code never reaches asyncio's timeout; this ends the process anyway."""

    def expire() -> None:
        print(f"FAIL  self-test still running after {seconds:.0f} s: stopped", flush=True)
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def _describe_build() -> str:
    if getattr(sys, "frozen", False):
        how = f"frozen ({getattr(sys, '_MEIPASS', os.path.dirname(sys.executable))})"
    else:
        how = f"from source ({sys.executable})"
    return f"{how}, Python {platform.python_version()}, {platform.system()} {platform.machine()}"


# -- start ------------------------------------------------------------------------------
# Loaded only when the window opens, or never; before that, each costs every start its
# import time. (setuptools' tiny _distutils_hack is loaded by a .pth file in any Python
# environment that has setuptools; setuptools itself is not.)
HEAVY_AT_START = ("PySide6", "shiboken6", "setuptools", "distutils")


def check_start(loaded: frozenset[str]) -> Check:
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY_AT_START)
    if heavy:
        shown = ", ".join(heavy[:5]) + (f" and {len(heavy) - 5} more" if len(heavy) > 5 else "")
        return Check(
            "start",
            False,
            f"loaded before the program began: {shown}. Every command and screen-pop "
            "hand-over pays for that (a run-time hook of the frozen build?)",
        )
    return Check("start", True, f"{len(loaded)} modules loaded at start; no Qt, no setuptools")


# -- keyring ----------------------------------------------------------------------------
def check_keyring() -> Check:
    # The very test the program uses to decide whether secrets may be stored (credentials.py
    # is the only module that touches keyring): fail/null/plaintext/empty chainer, or a
    # backend that raises on a harmless read, is not secure.
    from viewer.credentials import backend_status

    secure, name = backend_status()
    if not secure:
        return Check(
            "keyring",
            False,
            f"no secure keyring backend (found: {name}); passwords cannot be stored",
        )
    label = next(
        (text for module, text in KEYRING_LABELS.items() if name.startswith(module + ".")), ""
    )
    return Check("keyring", True, f"{label}: {name}" if label else name)


# -- TLS ----------------------------------------------------------------------------
def check_tls() -> Check:
    import ssl

    import truststore

    from viewer.sources import http

    truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not isinstance(http._tls_context(), truststore.SSLContext):
        return Check("tls", False, "the HTTP clients do not use truststore (OS trust store)")
    if sys.platform == "win32":
        store = "Windows certificate store"
    elif sys.platform == "darwin":
        store = "macOS Keychain trust settings"
    else:
        store = _linux_ca_store()
        if not store:
            return Check(
                "tls", False, "truststore found no system CA certificates (install ca-certificates)"
            )
    return Check(
        "tls", True, f"truststore {truststore.__version__} → {store} ({ssl.OPENSSL_VERSION})"
    )


def _linux_ca_store() -> str:
    """Where truststore's OpenSSL backend finds the OS CAs, and how many load; "" if none."""
    import ssl

    from truststore import _openssl

    defaults = ssl.get_default_verify_paths()
    if defaults.capath and not defaults.cafile and _openssl._capath_contains_certs(defaults.capath):
        return f"CA folder {defaults.capath}"
    cafile = defaults.cafile or next(
        (f for f in _openssl._CA_FILE_CANDIDATES if os.path.isfile(f)), None
    )
    if not cafile:
        return ""
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    probe.load_verify_locations(cafile=cafile)
    count = probe.cert_store_stats()["x509_ca"]
    return f"{cafile}, {count} CAs" if count else ""


# -- cache ----------------------------------------------------------------------------
def check_cache() -> Check:
    """The real offline store opens: key from the keyring, SQLite file in the cache folder,
    and a sealed value reads back (a profile of its own, removed afterwards)."""
    import sqlite3

    from viewer.domain import IdentifierKind, Query
    from viewer.wiring import open_store

    store = open_store()
    try:
        probe, query = "__self-test__", Query(IdentifierKind.EXTERNAL_ID, "self-test")
        store.save_lookup(probe, query, "Self Test", {"sources": {"probe": {"ok": True}}})
        saved = store.load_lookup(probe, query, touch=False)
        store.clear_profile(probe)
    finally:
        store.close()
    if saved is None or saved.value != {"sources": {"probe": {"ok": True}}}:
        return Check("cache", False, "the offline store did not give back what it saved")
    # Without a secure keyring the store is memory-only by design; the keyring line fails then.
    where = "in memory only (no secure keyring)" if store.path is None else str(store.path)
    return Check(
        "cache", True, f"offline store opens at {where} (SQLite {sqlite3.sqlite_version}, AES-GCM)"
    )


def check_window(timeout: float) -> Check:
    from PySide6 import __version__ as pyside_version

    from viewer.app import make_application, make_loop, make_window
    from viewer.demo import DemoServer
    from viewer.wiring import demo_profile

    app = make_application()
    if app.windowIcon().pixmap(32, 32).isNull():
        return Check(
            "window", False, "the app icon does not load (resources or the SVG plugin missing)"
        )
    loop = make_loop(app)
    step = ["starting"]
    with DemoServer() as server:
        window = make_window(demo_profile(server.url))
        window.show()
        with loop:
            try:
                found = loop.run_until_complete(asyncio.wait_for(_drive(window, step), timeout))
            except TimeoutError:
                found = f"no answer within {timeout:.0f} s while {step[0]}"
            finally:
                loop.run_until_complete(window.shutdown())
                window.close()
    where = f"Qt {pyside_version} on {app.platformName()}"
    if found.startswith("ok:"):
        return Check("window", True, f"{found[3:]} ({where})")
    return Check("window", False, f"{found} ({where})")


def _settle(future: asyncio.Future[object], value: object) -> None:
    """The first answer wins; a signal emitted again later is ignored."""
    if not future.done():
        future.set_result(value)


async def _drive(window, step: list[str]) -> str:
    """Search the demo data and open an interaction; "ok:<summary>" or what went wrong."""
    from viewer.domain import Source

    loop = asyncio.get_running_loop()
    step[0] = f"looking up {PROBE_MOBILE}"
    searched = loop.create_future()
    window.search_finished.connect(lambda why: _settle(searched, why))
    window.search_bar.field.setText(PROBE_MOBILE)
    window.search_bar.field.returnPressed.emit()
    failure = await searched
    if failure:
        return f"the demo lookup failed: {failure}"
    window.select_channel(None)  # the "All" tab
    rows = [window.model.interaction(r) for r in range(window.model.rowCount())]
    row = next(
        (
            r
            for r, i in enumerate(rows)
            if i is not None and i.source is Source.CTRLHUB and i.id == PROBE_INTERACTION
        ),
        None,
    )
    if row is None:
        return f"the demo lookup showed {len(rows)} rows but not Ctrl-Hub interaction {PROBE_INTERACTION}"

    step[0] = "loading the interaction detail"
    loaded = loop.create_future()
    window.detail_shown.connect(lambda what: _settle(loaded, what))
    window.select_row(row)
    outcome = await loaded
    if outcome != PROBE_INTERACTION:
        return f"the interaction detail did not load: {outcome}"
    contact = window.detail.values().get("Contact", "")
    if contact != PROBE_CONTACT:
        return f"the interaction detail shows Contact {contact!r}, expected {PROBE_CONTACT!r}"
    if window.grab().isNull():
        return "the window did not render"
    ctrlhub = sum(1 for i in rows if i is not None and i.source is Source.CTRLHUB)
    return (
        f"ok:demo lookup showed {len(rows)} rows ({len(rows) - ctrlhub} Capillary, {ctrlhub} Ctrl-Hub); "
        f"interaction detail shows Contact “{contact}”"
    )
