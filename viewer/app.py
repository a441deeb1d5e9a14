"""Builds the QApplication and the qasync loop, wires the parts, and runs the window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")  # qasync must bind to PySide6, imported first

import asyncio
import contextlib
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

# Before any other user of PySide6: each module imported after it is scanned (see there).
import viewer.ui.pyside_scan  # noqa: F401 - imported for what importing it does

# isort: split
import qasync
from PySide6.QtWidgets import QApplication

from viewer import __version__
from viewer.domain import ViewerError

if TYPE_CHECKING:
    from viewer.lookup import LookupService
    from viewer.profiles import Profile

# The network, keyring and saved-data stack (httpx, cryptography, keyring: ~0.2 s of imports)
# is imported inside the functions below, after the window is shown.

log = logging.getLogger("viewer.app")


def make_application() -> QApplication:
    from viewer.ui import palette
    from viewer.ui.assets import app_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not isinstance(app, QApplication):  # a QCoreApplication made elsewhere has no windows
        raise RuntimeError("a Qt application without widgets is already running")
    app.setWindowIcon(app_icon())
    palette.install(app)  # the colours of the OS's light or dark scheme, and its switches
    app.setApplicationName("Customer Interaction Viewer")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("customer-viewer")
    from viewer.ui.translations import install_translations

    install_translations(app)  # Qt's own buttons and the program's words in the OS language
    return app


GIL_SWITCH_S = 0.001


def make_loop(app: QApplication) -> qasync.QEventLoop:
    """The asyncio loop on Qt's, with a plain thread pool and GUI-thread garbage collection."""
    from viewer.ui.event_loop import ViewerEventLoop
    from viewer.ui.gc_guard import GuiThreadGarbageCollector

    loop = ViewerEventLoop(app)
    # The window needs the GIL for every call Qt makes into Python (each cell it paints);
    # while a worker parses a large reply, each such call waited up to Python's default
    # 5 ms for it, and the window froze for up to a second (bench/speed_table.py, P5).
    sys.setswitchinterval(GIL_SWITCH_S)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="viewer-worker"))
    loop.set_exception_handler(_asyncio_failure)
    if not hasattr(app, "_viewer_gc"):
        # Not a Qt attribute but our own: a Python reference that keeps the collector alive
        # as long as the app.
        app._viewer_gc = GuiThreadGarbageCollector(app)  # type: ignore[attr-defined]
    asyncio.set_event_loop(loop)
    return loop


DEMO_HINT = (
    "Demo data — try 919845012345 (Priya Sharma), +44 7700 900123 (Oliver Smith, both systems), "
    "amelia.jones@example.org, BULK-100K (100,000 messages) or the interaction "
    "08dc5100-69e2-45a8-89f9-eb3045264115. `customer-viewer demo-server --list` lists everyone."
)


def show_start_messages(
    window, profile: Profile | None, problem: str = "", notices: list[str] | None = None
) -> None:
    """What a freshly opened window says, for run_gui and make_window alike: a problem with
    the profile; else what the saved data must tell (no keyring, a replaced key) and, for
    the demo, whom to look up: the hint is shown even when there is a notice to tell."""
    if problem:
        window.message_bar.show_message("error", [problem])
        return
    lines = list(notices or [])
    if profile is not None and profile.name == "demo":
        lines.append(DEMO_HINT)
    if lines:
        window.message_bar.show_message("warning" if notices else "info", lines)


def make_window(profile: Profile):
    """The main window for a profile, without the profile menus (the self-test, benches,
    tests); a profile that cannot work still opens a window."""
    from viewer.ui.main_window import MainWindow
    from viewer.wiring import build_service

    service: LookupService | None = None
    problem = ""
    try:
        service = build_service(profile)
        if not service.sources:
            problem = f"Profile “{profile.name}” has no source set up (Capillary URL and username)."
    except ViewerError as exc:
        problem = str(exc)
    window = MainWindow(service, profile_label=profile.name)
    show_start_messages(window, profile, problem)
    return window


class DemoOnDemand:
    """Starts the embedded demo server the first time the demo is asked for."""

    def __init__(self):
        self.server = None

    def __call__(self) -> Profile:
        if self.server is None:
            from viewer.demo import DemoServer
            from viewer.wiring import demo_profile

            self.server = DemoServer()
            self.server.start()
        return demo_profile(self.server.url)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def initial_profile(
    demo: bool, profile_name: str | None, start_demo: DemoOnDemand
) -> tuple[Profile | None, str]:
    """The profile to open with (None: first run, show the welcome page) and a problem to show."""
    from viewer.profiles import load_config, resolve_profile

    if demo:
        return start_demo(), ""
    notes = list(load_config().problems)  # a bad line or profile in config.toml: said, not fatal
    try:
        profile = resolve_profile(profile_name)
    except KeyError:
        return None, " ".join([f"There is no profile named “{profile_name}”.", *notes])
    except ViewerError as exc:  # a profile the file or the environment describes unsafely
        return None, " ".join(dict.fromkeys([*notes, str(exc)]))
    return (profile if (profile.has_capillary or profile.has_ctrlhub) else None), " ".join(notes)


_error_bar = None  # the window's report function, once there is a window


def _report_unexpected(kind_name: str) -> None:
    if _error_bar is not None:
        with contextlib.suppress(Exception):
            _error_bar(kind_name)


def _asyncio_failure(loop, context: dict) -> None:
    """An exception nobody awaited (a background task): logged and shown, never fatal."""
    error = context.get("exception")
    log.error("background task failed: %s", context.get("message", ""), exc_info=error)
    _report_unexpected(type(error).__name__ if error else "background task")


def install_excepthook(window) -> None:
    """An error in a slot is logged and shown; the window keeps running."""
    global _error_bar

    def show(kind_name: str) -> None:
        window.message_bar.show_message(
            "error",
            [
                "Something unexpected went wrong; the window is still usable. "
                "Help → Copy diagnostics has the details for support."
            ],
            kind_name,
        )

    def hook(kind, value, tb):
        log.error("uncaught error", exc_info=(kind, value, tb))
        _report_unexpected(kind.__name__)

    _error_bar = show
    sys.excepthook = hook


def _load_services_and_open_store():
    """Imports what a lookup needs (HTTP and its async backend, crypto, keyring, the parsers,
    the dialogs: ~0.25 s) and opens the saved data; run on a worker thread once the window
    is on screen."""
    import phonenumbers  # noqa: F401 (the first mobile typed needs it: ~25 ms)

    import viewer.ui.connection_controller  # noqa: F401 (imported for the GUI thread)
    from viewer.sources.http import import_first_request_modules
    from viewer.wiring import open_store

    import_first_request_modules()  # else the first lookup imports them on the GUI thread
    return open_store()


def run_gui(
    demo: bool = False,
    profile_name: str | None = None,
    first: dict | None = None,
    single_instance: bool = True,
) -> int:
    """The window; `first`: the request `open` started it with (viewer/instance.py);
    `single_instance` False for --new-window."""
    from viewer.ui.main_window import MainWindow
    from viewer.ui.screen_pop import PopInbox

    app = make_application()
    loop = make_loop(app)
    inbox = PopInbox(app, first, single_instance, "demo" if demo else profile_name)
    if inbox.handed_over:  # a window of this user started meanwhile and took the request
        return 0
    start_demo = DemoOnDemand()
    window = MainWindow(None)
    window.set_connecting(True)  # a search typed before the profile is open waits for it
    install_excepthook(window)
    window.show()  # first paint: reading the keyring and opening saved data come after it
    # The window keeps painting while a worker loads the services and opens the saved data.
    store = loop.run_until_complete(asyncio.to_thread(_load_services_and_open_store))
    from viewer.ui.connection_controller import ConnectionController  # loaded by now

    controller = ConnectionController(window, start_demo, store)
    profile, problem = initial_profile(demo, profile_name, start_demo)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def until_closed() -> None:
        # One run of the loop from here on: a search typed while the profile opens starts
        # when it is open, and qasync runs pending callbacks outside the loop whenever
        # run_until_complete returns.
        opening = controller.use(profile)
        if opening is not None:
            # Its sources are built on a worker thread (a keyring may ask to be unlocked)
            # while the window paints; the start-up messages follow, so opening does not
            # clear them.
            await asyncio.wait([opening])
        # The store's notices are said once; later ones reach the window via on_notice.
        show_start_messages(window, profile, problem, [] if problem else store.take_notices())
        inbox.attach(window, controller)  # screen-pops: the first request, and all that follow
        await closed.wait()

    try:
        with loop:
            loop.run_until_complete(until_closed())
            loop.run_until_complete(inbox.shutdown())
            loop.run_until_complete(controller.shutdown())
            loop.run_until_complete(window.shutdown())
    finally:
        start_demo.stop()
        store.close()
    return 0
