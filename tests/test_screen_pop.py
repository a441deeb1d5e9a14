"""Screen-pop, as a softphone and an agent meet it: the real program in its own process, the
`open` command as separate processes, and a demo server run by the test that counts every
request the window sends. Then the window's side in-process: sentences, profiles, the last
of two pops, tel: links, macOS link events, the clipboard, and a socket fed junk.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QFileOpenEvent, QGuiApplication
from PySide6.QtTest import QTest

from tests.conftest import CTRLHUB_MOBILE, CTRLHUB_ONLY_MOBILE, TEST_SECRETS, TYPICAL_MOBILE, until
from viewer import instance, profiles
from viewer.demo import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CAPILLARY_TIMEZONE,
    DEMO_CAPILLARY_USERNAME,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_TOKEN,
    DemoServer,
)
from viewer.profiles import Profile
from viewer.wiring import demo_profile

ROOT = Path(__file__).resolve().parents[1]
PAINTED = re.compile(
    r"^(\S+ \S+) INFO viewer\.ui\.pop: screen-pop: rows painted "
    r"(\d+) ms after the request was made, (\d+) ms after it arrived",
    re.M,
)


# -- the real program, in processes ------------------------------------------------------------


class Program:
    """The program's environment for one test: its own settings, logs, instance name, and a
    profile (from VIEWER_* variables) pointing at a demo server the test runs and counts."""

    def __init__(self, folder: Path, server: DemoServer):
        self.folder, self.server = folder, server
        self.name = f"test-{uuid.uuid4().hex[:12]}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("VIEWER_")}
        self.env.update(
            {
                "PYTHONPATH": str(ROOT),
                "QT_QPA_PLATFORM": "offscreen",
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "VIEWER_CONFIG_DIR": str(folder / "config"),
                "VIEWER_CACHE_DIR": str(folder / "cache"),
                "VIEWER_LOG_DIR": str(folder / "logs"),
                instance.INSTANCE_NAME_ENV: self.name,
                "VIEWER_CAPILLARY_URL": server.url,
                "VIEWER_CAPILLARY_USERNAME": DEMO_CAPILLARY_USERNAME,
                "VIEWER_CAPILLARY_PASSWORD": DEMO_CAPILLARY_PASSWORD,
                "VIEWER_CAPILLARY_TIMEZONE": DEMO_CAPILLARY_TIMEZONE,
                "VIEWER_CTRLHUB_URL": server.url,
                "VIEWER_CTRLHUB_AUTH_URL": server.url,
                "VIEWER_CTRLHUB_ORG": DEMO_CTRLHUB_ORG,
                "VIEWER_CTRLHUB_TOKEN": DEMO_CTRLHUB_TOKEN,
            }
        )

    def start_window(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "viewer", *args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def run(self, *args: str) -> tuple[subprocess.CompletedProcess, float, datetime]:
        """Run the program to its end: (result, seconds it took, wall-clock time it started)."""
        started_at, started = datetime.now(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "viewer", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done, time.perf_counter() - started, started_at

    def wait_until_listening(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while (
            instance.hand_over(instance.show_message(), self.env) is not instance.Delivery.DELIVERED
        ):
            assert time.monotonic() < deadline, f"no window listening; log:\n{self.log()}"
            time.sleep(0.1)

    def settle(self, quiet: float = 0.5, timeout: float = 20) -> None:
        """Until the window has sent nothing for `quiet` seconds (a search's later pages)."""
        deadline, count, since = time.monotonic() + timeout, -1, time.monotonic()
        while time.monotonic() - since < quiet:
            assert time.monotonic() < deadline, "the window kept sending"
            if self.server.request_count != count:
                count, since = self.server.request_count, time.monotonic()
            time.sleep(0.05)

    def log(self) -> str:
        path = self.folder / "logs" / "customer-viewer.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def log_count(self, text: str) -> int:
        return self.log().count(text)

    def painted(self) -> list[re.Match]:
        return list(PAINTED.finditer(self.log()))

    def wait_for_log(self, text: str, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.log_count(text) < count:
            assert time.monotonic() < deadline, f"waited for {count}× {text!r}; log:\n{self.log()}"
            time.sleep(0.02)

    def windows(self) -> list[int]:
        """Every process running with this test's instance name: the windows (and nothing else
        once each `open` has exited)."""
        marker = f"{instance.INSTANCE_NAME_ENV}={self.name}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if marker in (entry / "environ").read_bytes().split(b"\0"):
                        found.append(int(entry.name))
                except OSError:
                    continue
        return sorted(found)

    def listening_pid(self) -> int:
        """The process behind this user's socket (its peer credentials)."""
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(instance.address(self.env).server_name)
            credentials = client.getsockopt(
                socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
            )
        return struct.unpack("3i", credentials)[0]

    def forget_socket(self) -> None:
        """A window ended by SIGTERM leaves its socket file (harmless: the next window of
        that name takes it over); the test's own are removed."""
        Path(instance.address(self.env).server_name).unlink(missing_ok=True)

    def assert_no_secret_written(self) -> None:
        for path in self.folder.rglob("*"):
            if path.is_file():
                assert not [s for s in TEST_SECRETS if s.encode() in path.read_bytes()], path


def lookups(server: DemoServer, value: str) -> list[int]:
    """Positions, in the server's request log, of the Capillary lookups of `value` (each
    search asks Capillary exactly once for the customer's interactions)."""
    with server._lock:
        requests = list(server.requests)
    return [
        i
        for i, (_method, path) in enumerate(requests)
        if path.startswith("/v2/customers/interaction?") and f"identifierValue={value}&" in path
    ]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """A window started as an agent would, already open when the pops come."""
    with DemoServer() as server:
        program = Program(tmp_path_factory.mktemp("screen-pop"), server)
        window = program.start_window()
        try:
            program.wait_until_listening()
            program.window = window
            yield program
        finally:
            window.terminate()
            window.wait(timeout=30)
            program.forget_socket()
        program.assert_no_secret_written()


def test_a_softphone_command_and_a_link_pop_the_customer_in_the_running_window(running):
    """The issue's "done": `open --mobile` and `open LINK` exit 0 within a second, no second
    window stays, and the window looks each customer up exactly once."""
    server, painted = running.server, len(running.painted())

    done, took, _ = running.run("open", "--mobile", "+91 98450 12345")
    assert done.returncode == 0, done.stderr
    assert took < 1.0, f"`open --mobile` took {took:.2f} s"
    running.wait_for_log("rows painted", painted + 1)
    assert len(lookups(server, TYPICAL_MOBILE)) == 1
    assert running.windows() == [running.window.pid]

    done, took, _ = running.run("open", "customer-viewer://lookup?mobile=%2B44%207700%20900123")
    assert done.returncode == 0, done.stderr
    assert took < 1.0, f"`open LINK` took {took:.2f} s"
    running.wait_for_log("rows painted", painted + 2)
    assert len(lookups(server, CTRLHUB_MOBILE)) == 1
    assert len(lookups(server, TYPICAL_MOBILE)) == 1  # the first pop was not repeated
    assert running.windows() == [running.window.pid]


def test_a_link_handed_over_as_a_desktop_launcher_does(running):
    """`customer-viewer LINK` (the .desktop entry's Exec, %u filled in) is `open LINK`."""
    painted = len(running.painted())
    done, _took, _ = running.run(
        "customer-viewer://lookup?email=amelia.jones%40example.org&utm=crm"
    )
    assert done.returncode == 0, done.stderr
    running.wait_for_log("rows painted", painted + 1)
    assert (
        running.log_count("ignored link parameter(s) utm") == 2
    )  # said by `open` and by the window
    assert running.windows() == [running.window.pid]


def test_a_malformed_link_is_refused_and_nothing_is_sent(running):
    running.settle()
    sent, refused = running.server.request_count, running.log_count("malformed link was refused")
    done, took, _ = running.run("open", "customer-viewer://lookup?mobile=12ab%3Cscript%3E")
    assert done.returncode == 2
    assert "“12ab<script>” is not a mobile number" in done.stderr
    assert took < 1.0
    # `open` and the window both refuse it (the window shows the sentence: tested below).
    running.wait_for_log("malformed link was refused", refused + 2)
    time.sleep(0.3)
    assert running.server.request_count == sent


def test_two_rapid_pops_end_on_the_last(running):
    running.settle()
    painted, started = len(running.painted()), running.log_count("mobile lookup started")
    first = running.run("open", "--mobile", "+91 98450 12345")[0]
    second = running.run("open", "--mobile", CTRLHUB_ONLY_MOBILE)[0]
    assert first.returncode == second.returncode == 0
    running.wait_for_log("mobile lookup started", started + 2)
    running.wait_for_log("rows painted", painted + 1)
    running.settle()
    server = running.server
    last = lookups(server, CTRLHUB_ONLY_MOBILE)
    assert len(last) == 1
    # Nothing was looked up after the last pop: the window ends on that customer.
    assert max(lookups(server, TYPICAL_MOBILE)) < last[0]
    assert not [
        p for _m, p in server.requests[last[0] + 1 :] if p.startswith("/v2/customers/interaction?")
    ]


def test_starting_the_program_again_brings_the_running_window_forward(running):
    forward = running.log_count("brought forward by another start")
    done, took, _ = running.run()
    assert done.returncode == 0 and took < 5
    running.wait_for_log("brought forward by another start", forward + 1)
    assert running.windows() == [running.window.pid]


def test_new_window_opens_a_second_copy_that_leaves_the_first_in_charge(running):
    second = running.start_window("--new-window")
    try:
        deadline = time.monotonic() + 30
        while len(running.windows()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # long enough to have quit, were it going to
        assert second.poll() is None
        assert running.windows() == sorted([running.window.pid, second.pid])
        assert running.listening_pid() == running.window.pid  # pops still go to the first
    finally:
        second.terminate()
        second.wait(timeout=30)


def test_the_socket_is_this_users_alone(running):
    path = Path(instance.address(running.env).server_name)
    folder = os.lstat(path.parent)
    assert folder.st_uid == os.getuid() and folder.st_mode & 0o777 == 0o700
    assert os.lstat(path).st_uid == os.getuid()
    assert not str(path).startswith("/tmp/customer-viewer-") or path.parent.name.endswith(
        str(os.getuid())
    )
    if os.getuid() == 0:  # root can become another user and try: it must not get in
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            code = 2
            try:
                os.setgid(65534)
                os.setuid(65534)
                with socket.socket(socket.AF_UNIX) as client:
                    client.connect(str(path))
                code = 1
            except PermissionError:
                code = 0
            finally:
                os._exit(code)
        assert os.waitpid(child, 0)[1] >> 8 == 0, "another user reached the window's socket"


def test_open_starts_a_window_with_the_lookup_when_none_is_running(tmp_path):
    with DemoServer() as server:
        program = Program(tmp_path, server)
        done, took, _ = program.run("open", "--external-id", "CRM-100236")
        assert done.returncode == 0, done.stderr
        assert took < 1.0, f"`open` with no window took {took:.2f} s"
        try:
            program.wait_for_log("rows painted", 1, timeout=60)
            assert (
                len(
                    [
                        p
                        for _m, p in server.requests
                        if "identifierValue=CRM-100236&" in p
                        and p.startswith("/v2/customers/interaction?")
                    ]
                )
                == 1
            )
            windows = program.windows()
            assert len(windows) == 1 and program.listening_pid() == windows[0]
            # The lookup travelled in the environment, never on the command line others can read.
            assert b"CRM-100236" not in Path(f"/proc/{windows[0]}/cmdline").read_bytes()
        finally:
            for pid in program.windows():
                os.kill(pid, signal.SIGTERM)
            program.forget_socket()
        program.assert_no_secret_written()


def test_pop_to_rows_painted_with_the_window_running(running, capsys):
    """Measured, not asserted: the issue's goal is ≤ 300 ms on the demo data."""
    customers = [
        "+447700900234",
        "+4915112345678",
        "+34612345678",
        "+84912345678",
        "+905321234567",
        "+353871234567",
        "+819012345678",
        "+66812345678",
    ]
    since_made, since_command = [], []
    for number in customers:
        painted = len(running.painted())
        done, _took, started_at = running.run("open", "--mobile", number)
        assert done.returncode == 0, done.stderr
        running.wait_for_log("rows painted", painted + 1)
        line = running.painted()[-1]
        since_made.append(int(line.group(2)))
        when = datetime.strptime(line.group(1), "%Y-%m-%d %H:%M:%S,%f")
        since_command.append((when - started_at).total_seconds() * 1000)
    with capsys.disabled():
        print(
            f"\nscreen-pop, window running: request sent → rows painted median "
            f"{statistics.median(since_made):.0f} ms (max {max(since_made)}); `open` started → rows "
            f"painted median {statistics.median(since_command):.0f} ms (max {max(since_command):.0f})"
        )


# -- the window's side, in-process --------------------------------------------------------------


@pytest.fixture
def popping(qtbot, qloop, demo_server):
    from viewer.ui.connection_controller import ConnectionController
    from viewer.ui.main_window import MainWindow
    from viewer.ui.screen_pop import ScreenPop

    window = MainWindow(None)
    qtbot.addWidget(window)
    controller = ConnectionController(window, lambda: demo_profile(demo_server.url))
    pop = ScreenPop(window, controller)
    qloop.run_until_complete(controller.use(demo_profile(demo_server.url)))
    window.show()
    yield window, controller, pop
    qloop.run_until_complete(pop.shutdown())
    qloop.run_until_complete(controller.shutdown())
    qloop.run_until_complete(window.shutdown())


def message(link: str, stamp: int | None = None) -> dict:
    sent = instance.lookup_message(link)
    return instance.decode(
        instance.encode({**sent, "stamp": sent["stamp"] if stamp is None else stamp})
    )


async def finished(window, generation: int) -> None:
    await until(
        lambda: window.searches.generation > generation and window.searches.task.done(),
        what="the pop's search",
    )


def test_a_pop_searches_like_typing_and_shows_what_was_asked(popping, qloop, demo_server):
    window, _controller, pop = popping
    generation = window.searches.generation
    pop.handle(message("customer-viewer://lookup?mobile=%2B91%2098450%2012345"))
    qloop.run_until_complete(finished(window, generation))
    assert window.card.name.text() == "Priya Sharma"
    assert window.search_bar.field.text() == "+91 98450 12345"
    assert len(lookups(demo_server, TYPICAL_MOBILE)) >= 1


def test_a_malformed_link_is_a_sentence_in_the_window_and_nothing_is_sent(
    popping, qloop, demo_server
):
    window, _controller, pop = popping
    qloop.run_until_complete(asyncio.sleep(0.2))
    sent, generation = demo_server.request_count, window.searches.generation
    for link in (
        "customer-viewer://lookup?mobile=12ab",
        "customer-viewer://lookup?external_id=a%1Bb",
        "customer-viewer://lookup?q=" + "9" * 5000,
        "https://evil.example/?mobile=1",
    ):
        pop.handle(message(link))
        assert window.message_bar.severity == "error"
        assert window.message_bar.text.text().startswith("A link could not be used:")
    assert "“12ab” is not a mobile number" not in window.message_bar.text.text()  # the last one's
    qloop.run_until_complete(asyncio.sleep(0.3))
    assert window.searches.generation == generation and demo_server.request_count == sent


def test_a_link_never_switches_profile_by_itself(popping, qloop, demo_server):
    window, controller, pop = popping
    office = Profile(
        name="office", capillary_url="https://capillary.invalid", capillary_username="agent"
    )
    qloop.run_until_complete(controller.use(office))  # no password stored: it cannot search
    sent, generation = demo_server.request_count, window.searches.generation

    pop.handle(message("customer-viewer://lookup?mobile=919845012345&profile=Acme"))
    assert "profile “Acme”, which this computer does not have" in window.message_bar.text.text()
    assert window.message_bar.action_button.isHidden()

    pop.handle(message(f"customer-viewer://lookup?mobile={TYPICAL_MOBILE}&profile=demo"))
    text = window.message_bar.text.text()
    assert (
        f"A link asked for {TYPICAL_MOBILE} in profile “demo”, but this window uses “office”"
        in text
    )
    assert "Nothing was looked up." in text
    qloop.run_until_complete(asyncio.sleep(0.3))
    assert controller.profile.name == "office"
    assert window.searches.generation == generation and demo_server.request_count == sent
    assert profiles.load_config().last_profile is None  # no setting changed either

    assert window.message_bar.action_button.text() == "Switch to “demo” and look up"
    QTest.mouseClick(
        window.message_bar.action_button, Qt.MouseButton.LeftButton
    )  # the agent's choice
    qloop.run_until_complete(finished(window, generation))
    assert controller.profile.name == "demo" and window.card.name.text() == "Priya Sharma"


def test_of_two_rapid_pops_the_last_one_stays(popping, qloop):
    window, _controller, pop = popping
    generation = window.searches.generation
    pop.handle(message(f"customer-viewer://lookup?mobile={TYPICAL_MOBILE}", stamp=10))
    pop.handle(message(f"customer-viewer://lookup?mobile={CTRLHUB_MOBILE}", stamp=20))
    pop.handle(
        message("customer-viewer://lookup?mobile=919148574269", stamp=15)
    )  # older, arrived late
    qloop.run_until_complete(finished(window, generation))
    qloop.run_until_complete(asyncio.sleep(0.3))
    assert window.card.name.text() == "Oliver Smith"
    assert window.search_bar.field.text() == CTRLHUB_MOBILE


def test_tel_links_are_off_until_the_agent_turns_them_on(popping, qloop):
    window, _controller, pop = popping
    generation = window.searches.generation
    pop.handle(message("tel:+44-7700-900123"))
    assert "tel: links are turned off" in window.message_bar.text.text()
    assert window.searches.generation == generation and not profiles.load_config().tel_links

    assert pop.tel_action in window.search_menu.actions() and not pop.tel_action.isChecked()
    pop.tel_action.trigger()
    assert profiles.load_config().tel_links  # saved: `open` and the next start read it too
    pop.handle(message("tel:+44-7700-900123"))
    qloop.run_until_complete(finished(window, generation))
    assert window.card.name.text() == "Oliver Smith"


def test_a_macos_link_event_pops_the_customer(popping, qloop, qapp):
    from viewer.ui.screen_pop import LinkEvents

    window, _controller, pop = popping
    events = LinkEvents(qapp)
    try:
        early = QFileOpenEvent(QUrl("customer-viewer://lookup?mobile=%2B447700900123"))
        assert QCoreApplication.sendEvent(qapp, early)  # taken, and kept until there is a window
        generation = window.searches.generation
        events.attach(pop.open_link)
        qloop.run_until_complete(finished(window, generation))
        assert window.card.name.text() == "Oliver Smith"
        # A file (not a link) is none of its business.
        assert not events.eventFilter(qapp, QFileOpenEvent("/tmp/report.pdf"))
    finally:
        qapp.removeEventFilter(events)
        events.setParent(None)


def test_clipboard_lookup_from_the_shortcut_and_the_menu(popping, qloop):
    window, _controller, _pop = popping
    clipboard = QGuiApplication.clipboard()
    entry = next(a for a in window.search_menu.actions() if a.text() == "Look up clipboard")
    assert entry.shortcut().toString() == "Ctrl+Shift+V"

    clipboard.setText("  +44 7700 900123\n")
    generation = window.searches.generation
    window.search_bar.field.setFocus()
    QTest.keyClick(
        window.search_bar.field,
        Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qloop.run_until_complete(finished(window, generation))
    assert window.card.name.text() == "Oliver Smith"
    assert window.search_bar.field.text() == "+44 7700 900123"

    clipboard.setText("919845012345\nsomething else")
    entry.trigger()
    assert "The clipboard holds no single identifier" in window.message_bar.text.text()
    clipboard.setText("not@an@address")
    generation = window.searches.generation
    entry.trigger()
    assert "“not@an@address” is not an e-mail address" in window.message_bar.text.text()
    assert window.searches.generation == generation  # nothing sent
    clipboard.setText("x" * 5_000_000)
    entry.trigger()
    assert "too long for an identifier" in window.message_bar.text.text()


def test_the_socket_refuses_junk_and_slow_callers_and_keeps_serving(qapp, qloop):
    from viewer.ui.single_instance import Claim, InstanceServer

    server = InstanceServer()
    received: list[dict] = []
    server.received.connect(received.append)
    assert server.claim(instance.show_message()) is Claim.LISTENING
    path = instance.address().server_name

    def send(data: bytes, wait: float = 5) -> bytes:
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(wait)
            client.connect(path)
            client.sendall(data)
            try:
                return client.recv(16)
            except OSError:
                return b"(no answer)"

    def silent_caller() -> bytes:
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(10)
            client.connect(path)
            started = time.monotonic()
            closed = client.recv(16)
            return closed + f" after {time.monotonic() - started:.1f} s".encode()

    async def scenario():
        run = asyncio.get_running_loop().run_in_executor
        assert await run(None, send, b"not json\n") == b"no\n"
        assert await run(None, send, b'{"v": 1, "action": "format-disk", "stamp": 1}\n') == b"no\n"
        assert (
            await run(None, send, b'{"v": 1, "action": "lookup", "link": 5, "stamp": 1}\n')
            == b"no\n"
        )
        assert await run(None, send, b"[" * 100_000) == b"no\n"  # over the size cap, no newline
        silent = await run(None, silent_caller)
        assert (
            silent.startswith(b" after") and float(silent.split()[1]) <= instance.READ_TIMEOUT_S + 1
        )
        good = instance.encode(
            instance.lookup_message("customer-viewer://lookup?mobile=919845012345")
        )
        assert await run(None, send, good) == b"ok\n"
        await until(lambda: received, what="the good request")

    # A window starting at the same moment finds the socket taken when it listens: it hands
    # its request over and quits (a process of its own, as it would be).
    racer = (
        "import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]); "
        "from viewer import instance; from viewer.ui.single_instance import InstanceServer; "
        "print(InstanceServer().claim(instance.show_message('demo')).name)"
    )

    async def racing_window() -> str:
        done = await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: subprocess.run(
                [sys.executable, "-c", racer],
                capture_output=True,
                text=True,
                timeout=60,
                env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
            ),
        )
        return done.stdout.strip() or done.stderr

    try:
        qloop.run_until_complete(scenario())
        assert [m["action"] for m in received] == ["lookup"]
        assert qloop.run_until_complete(racing_window()) == Claim.HANDED_OVER.name
        assert received[-1]["action"] == "show" and received[-1]["profile"] == "demo"
    finally:
        server.close()
    assert not os.path.exists(path)  # closing removes the socket


def test_a_folder_someone_else_could_reach_means_no_single_instance(tmp_path, monkeypatch):
    """The socket folder in a shared temp folder: planted as a link, it is refused (no
    window listens there, `open` finds nobody); left loose by us, it is tightened."""
    import tempfile

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"customer-viewer-{os.getuid()}"
    elsewhere = tmp_path / "attacker"
    elsewhere.mkdir()
    planted.symlink_to(elsewhere)
    with pytest.raises(instance.UnsafeFolder):
        instance.address()
    assert instance.hand_over(instance.show_message()) is instance.Delivery.NOBODY

    planted.unlink()
    planted.mkdir(mode=0o755)
    planted.chmod(0o755)
    assert Path(instance.address().server_name).parent == planted
    assert planted.stat().st_mode & 0o777 == 0o700


def test_a_crashed_windows_socket_is_taken_over(qapp, qloop):
    from viewer.ui.single_instance import Claim, InstanceServer

    path = instance.address().server_name
    with socket.socket(socket.AF_UNIX) as dead:  # bound, then gone: what a killed window leaves
        dead.bind(path)
    assert os.path.exists(path)
    assert instance.hand_over(instance.show_message()) is instance.Delivery.NOBODY
    server = InstanceServer()
    try:
        assert server.claim(instance.show_message()) is Claim.LISTENING
    finally:
        server.close()


def test_the_instance_follows_the_settings_folder(monkeypatch, tmp_path):
    """Two set-ups (VIEWER_CONFIG_DIR) are two instances; the rule is profiles'."""
    assert instance.config_folder() == profiles.config_dir()
    first = instance.instance_key()
    monkeypatch.setenv("VIEWER_CONFIG_DIR", str(tmp_path / "other"))
    assert instance.config_folder() == profiles.config_dir() and instance.instance_key() != first
