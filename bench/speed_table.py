"""Every speed figure of issue 13, the project beside the raw cost of its data, in one run.

    xvfb-run -a .venv/bin/python bench/speed_table.py [--runs 5]

(Without an X display the start-up-to-window row is skipped; everything else runs offscreen.)

Rows (medians unless said):
  P1  start → first window (--demo)      vs a bare QMainWindow + QLineEdit (bench/floors/bare_window.py)
  P1  --version                           vs `python -c pass`
  P2  typical customer, Enter → painted   vs httpx GET + json.loads of the same replies
      (twice: the same customer again, and with another customer on screen, as on a call)
  P3  100,000 messages, Enter → painted   vs the same
  P4  from saved data, typical / 100k     vs reading the saved copy (decrypt, inflate, json.loads)
      (typical twice, as P2)
  P5  longest event-loop stall, 100k live / offline  vs the loop's idle tick
  P7  steady RSS with 100k open            vs P1's bare window holding the replies, decoded
                                           (and each idle)
The demo server runs in this process on loopback for P2–P5; P1 and P7 run the window in a
process of its own, and P7 the demo server in another (its data would count as the window's).
Each measure is timed in turn with its floor (which goes first alternates), and every run of
P2–P5 starts on a quiet window: the previous run's save landed, the rows it replaced freed.
This machine's speed drifts by half over a minute; timed in blocks, the ratios drifted with it.
P1 runs the project from bytecode, as an installed build (PyInstaller ships .pyc only) and every
start after the first from a clone do: the project and the packages it imports are compiled
once before timing, since with PYTHONDONTWRITEBYTECODE set (these machines) each start would
compile them again: ~90 modules of the project, and qasync, platformdirs, msgspec… (uv installs
packages without bytecode; those four alone took 125 ms to import from source, 65 ms compiled).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import gc
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import bench_home  # noqa: F401 - first: never the agent's own folders

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

TYPICAL, BULK = "919845012345", "BULK-100K"
# The customer on screen before TYPICAL in the "another customer on screen" rows: an agent
# looks up customer after customer, and replacing one costs more than refreshing it (the
# window lays out and paints new text everywhere, not only the list's cells).
OTHER = "917385022695"
IDLE_S = 0.2  # the window left alone before each timed run (see quiet)
ROWS: list[tuple[str, str, str, str, str]] = []  # (row, measure, project, floor, ratio)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 0.01 else f"{seconds * 1000:,.0f} ms"


def add(row: str, measure: str, project: float, floor: float, unit=ms) -> None:
    ratio = f"{project / floor:.1f}×" if floor > 0 else "—"
    ROWS.append((row, measure, unit(project), unit(floor), ratio))


def medians_alternating(project, floor, runs: int) -> tuple[float, float]:
    """Both medians, the two timed one after the other in turn (and which goes first in
    turn too): this machine's speed drifts by half over a minute, and timing all of one
    then all of the other moved the ratio with it (P1's floor ran 149–218 ms from one
    table to the next)."""
    took: list[float] = []
    floors: list[float] = []
    for run in range(runs):
        if run % 2:
            floors.append(floor())
            took.append(project())
        else:
            took.append(project())
            floors.append(floor())
    return statistics.median(took), statistics.median(floors)


# -- P1 ----------------------------------------------------------------------------------------
def compile_project() -> None:
    """Bytecode for the project's modules and the installed packages (read even when
    PYTHONDONTWRITEBYTECODE is set). The floor's PySide6 is compiled alike. This writes
    __pycache__ folders into the virtual environment, as pip does when it installs."""
    compileall.compile_dir(ROOT / "viewer", quiet=1)
    for folder in dict.fromkeys(sysconfig.get_paths()[kind] for kind in ("purelib", "platlib")):
        compileall.compile_dir(folder, quiet=2, workers=0)  # once: later runs find them current


def process_time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - start


def start_to_window(runs: int, env: dict[str, str]) -> None:
    if not os.environ.get("DISPLAY"):
        ROWS.append(
            ("P1", "start → window shown (--demo)", "skipped: no DISPLAY (use xvfb-run -a)", "", "")
        )
        return
    spec = importlib.util.spec_from_file_location(
        "measure_startup", ROOT / "packaging" / "measure-startup.py"
    )
    measure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(measure)
    watcher = measure.MapWatcher()
    shown_env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
    project = [sys.executable, "-m", "viewer", "--demo"]
    floor = [sys.executable, str(ROOT / "bench" / "floors" / "bare_window.py")]
    for command in (project, floor):
        measure.one_start(watcher, command, shown_env)  # warm-up
    add(
        "P1",
        "start → window shown (--demo)",
        *medians_alternating(
            lambda: measure.one_start(watcher, project, shown_env),
            lambda: measure.one_start(watcher, floor, shown_env),
            runs,
        ),
    )


# -- P2–P5 (in process) ------------------------------------------------------------------------
class Beat:
    """The longest gap between 5 ms ticks of the running loop: how long the window froze."""

    def __init__(self) -> None:
        self.longest, self._task = 0.0, None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0.005)
            now = loop.time()
            self.longest, last = max(self.longest, now - last), now

    def __enter__(self):
        self._task = asyncio.ensure_future(self._tick())
        return self

    def __exit__(self, *exc) -> None:
        self._task.cancel()


class PaintWatch(QObject):
    """When the list last painted, and when its rows last changed."""

    def __init__(self, table) -> None:
        super().__init__(table)
        self.painted = self.changed = 0.0
        table.viewport().installEventFilter(self)
        table.model().modelReset.connect(self._changed)
        table.model().layoutChanged.connect(self._changed)

    def _changed(self) -> None:
        self.changed = time.perf_counter()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = time.perf_counter()
        return False

    def shows_latest(self) -> bool:
        """A paint began after the rows last changed: the answer is on screen (a paint runs
        to its end before the loop does anything else)."""
        return self.painted > self.changed


def paint_watch(window) -> PaintWatch:
    watch = getattr(window, "_bench_paint_watch", None)
    if watch is None:
        watch = window._bench_paint_watch = PaintWatch(window.table)
    return watch


async def enter_to_painted(window, identifier: str) -> float:
    while window.service._saving:  # the previous run's background save (not timed)
        await asyncio.sleep(0.02)
    watch = paint_watch(window)
    done = asyncio.get_running_loop().create_future()
    window.search_finished.connect(lambda why: done.done() or done.set_result(why))
    window.search_bar.field.setText(identifier)
    start = time.perf_counter()
    QTest.keyClick(window.search_bar.field, Qt.Key.Key_Return)
    why = await done
    # Until the list paints by itself, as the agent sees it (forcing a repaint here, as this
    # script did, counted a paint earlier than the window's own: 3–6 ms for a typical customer).
    deadline = time.perf_counter() + 10
    while not watch.shows_latest():
        if time.perf_counter() > deadline:
            raise RuntimeError("the list never painted the answer")
        await asyncio.sleep(0.001)
    took = time.perf_counter() - start
    window.search_finished.disconnect()
    if why:
        raise RuntimeError(why)
    return took


def runs_asked(doc: str, default: int = 5) -> int:
    """The --runs of a bench that times one thing the agent does (row_step.py and the like);
    `doc` is its docstring, for --help."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=default)
    return parser.parse_args().runs


def print_runs(title: str, medians: list[float], digits: int = 1) -> None:
    """A bench's title, then each run's median in milliseconds on one line."""
    print(title)
    print("  " + "  ".join(f"{1000 * m:.{digits}f}" for m in medians))


def with_typical_customer(work) -> None:
    """A real window on the demo server (offscreen unless a display is set), with the typical
    customer looked up and nothing left running; then `await work(window)`, then shut down.
    For the benches that time one thing the agent does with a customer on screen."""
    from viewer.app import make_application, make_loop, make_window
    from viewer.demo import DemoServer
    from viewer.wiring import demo_profile

    app = make_application()
    loop = make_loop(app)
    with DemoServer() as server:
        window = make_window(demo_profile(server.url))
        window.show()

        async def run() -> None:
            await asyncio.sleep(0.5)
            await enter_to_painted(window, TYPICAL)
            await quiet(window)
            await asyncio.sleep(0.3)
            await work(window)

        with loop:
            loop.run_until_complete(run())
            loop.run_until_complete(window.shutdown())


async def floor_fetch(url: str, identifier: str) -> float:
    """The raw cost of the data: the replies a lookup needs, fetched and decoded, nothing more.

    The same requests with the same dependencies as the sources make them: Capillary's
    messages and customer details side by side; Ctrl-Hub (for a number only) its contacts,
    then each contact's interaction pages (the first, then the rest side by side)."""
    from viewer.demo import DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN
    from viewer.sources import ctrlhub

    by_number = identifier != BULK
    ctrl_hub = {"X-Session-Token": DEMO_CTRLHUB_TOKEN}

    async with httpx.AsyncClient() as client:

        async def doc(path: str, params, headers) -> object:
            reply = await client.get(f"{url}{path}", params=params, headers=headers)
            return json.loads(reply.content) if reply.status_code == 200 else None

        async def ctrl_hub_pages() -> None:
            org = DEMO_CTRLHUB_ORG
            contacts = await doc(
                ctrlhub.CONTACTS_PATH.format(org=org),
                {"filter[telephone]": identifier, "limit": ctrlhub.PAGE_SIZE},
                ctrl_hub,
            )
            for contact in (contacts or {}).get("data", [])[: ctrlhub.MAX_CONTACTS]:
                base = {
                    ctrlhub.INTERACTION_FILTER_BY_CONTACT: contact["id"],
                    "include": ctrlhub.LIST_INCLUDE,
                    "sort": ctrlhub.LIST_SORT,
                    "limit": ctrlhub.PAGE_SIZE,
                }
                path = ctrlhub.INTERACTIONS_PATH.format(org=org)
                first = await doc(path, {**base, "offset": 0}, ctrl_hub) or {}
                counts = ((first.get("meta") or {}).get("pagination") or {}).get("counts") or {}
                total = min(counts.get("resources") or 0, ctrlhub.MAX_ROWS)
                await asyncio.gather(
                    *(
                        doc(path, {**base, "offset": offset}, ctrl_hub)
                        for offset in range(ctrlhub.PAGE_SIZE, total, ctrlhub.PAGE_SIZE)
                    )
                )

        start = time.perf_counter()
        await asyncio.gather(
            *(
                doc(path, params, headers)
                for path, params, headers in capillary_requests(identifier)
            ),
            *([ctrl_hub_pages()] if by_number else []),
        )
        return time.perf_counter() - start


def capillary_requests(identifier: str) -> list[tuple[str, dict, dict]]:
    """Capillary's two requests for a lookup, side by side: (path, params, headers)."""
    from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_USERNAME
    from viewer.sources.capillary import basic_auth_value

    by_number = identifier != BULK
    kind = "mobile" if by_number else "external_id"
    headers = {"Authorization": basic_auth_value(DEMO_CAPILLARY_USERNAME, DEMO_CAPILLARY_PASSWORD)}
    return [
        (
            "/v2/customers/interaction",
            {"identifierName": kind, "identifierValue": identifier, "network": "capillary"},
            headers,
        ),
        (
            "/v2/customers/lookup/customerDetails",
            {
                "source": "ALL",
                "identifierName": kind if by_number else "externalId",
                "identifierValue": identifier,
            },
            headers,
        ),
    ]


async def settled(window, seconds: float = 60) -> None:
    """The previous lookup's background save has landed (it is not part of any figure)."""
    deadline = time.perf_counter() + seconds
    while window.service._saving:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"a background save still running after {seconds:.0f} s")
        await asyncio.sleep(0.02)


async def quiet(window) -> None:
    """Nothing of the window's left running: its save, the rows it let go (freed on a
    worker, viewer/graveyard.py) and its other background work. Every timed run starts
    then. Left to compete with them, the 100k floor ran 300 → 500 ms (flattering the ratio),
    and a lookup run right after another 100k one was a lookup no agent makes that fast."""
    from viewer import graveyard

    await settled(window)
    deadline = time.perf_counter() + 10  # a list held elsewhere is freed later: go on
    while (graveyard.busy() or window.view._background) and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    # And the layouts and paints the last answer left queued: timed from Enter one frame
    # later, a lookup of another customer paid ~15–25 ms of them (the card and the list
    # laid out and painted again), which no agent, typing the next number, waits for.
    await asyncio.sleep(IDLE_S)


async def project_and_floor(window, project, floor, runs: int) -> tuple[float, float, float]:
    """Medians of `project` and `floor`, timed in turn (see medians_alternating; which goes
    first alternates too), each run on a quiet window, and the longest stall of the loop
    while the project ran and then saved what it found and freed what it replaced. The
    floor decodes on the loop itself, so its runs are left out of the stall."""
    took: list[float] = []
    floors: list[float] = []
    longest = 0.0

    async def project_run() -> None:
        nonlocal longest
        with Beat() as beat:
            took.append(await project())
            await quiet(window)
        longest = max(longest, beat.longest)

    async def floor_run() -> None:
        floors.append(await floor())
        await quiet(window)

    await quiet(window)  # the untimed warm-up run's save and freeing
    for run in range(runs):
        for step in (project_run, floor_run) if run % 2 == 0 else (floor_run, project_run):
            await step()
    return statistics.median(took), statistics.median(floors), longest


async def in_process(window, url: str, store, runs: int) -> None:
    from viewer.domain import IdentifierKind, Query

    with Beat() as idle:
        await asyncio.sleep(1.0)
    for row, label, identifier in (
        ("P2", "typical customer, Enter → painted", TYPICAL),
        ("P3", "100,000 messages, Enter → painted", BULK),
    ):

        async def lookup(identifier: str = identifier) -> float:
            return await enter_to_painted(window, identifier)

        async def fetched(identifier: str = identifier) -> float:
            return await floor_fetch(url, identifier)

        kind = IdentifierKind.EXTERNAL_ID if identifier == BULK else IdentifierKind.MOBILE

        async def read_saved(query: Query = Query(kind, identifier)) -> float:  # noqa: B008 - bound per loop
            start = time.perf_counter()
            saved = store.load_lookup("bench", query, False)
            for part in saved.value["sources"].values():  # replies kept as received: parse them
                for value in part.values():
                    if isinstance(value, bytes | bytearray):
                        json.loads(value)
            return time.perf_counter() - start

        async def after_other(identifier: str = identifier) -> float:
            await enter_to_painted(window, OTHER)  # untimed: another customer on screen
            await quiet(window)
            return await enter_to_painted(window, identifier)

        window.set_offline(False)
        await enter_to_painted(window, identifier)  # warm: the demo server builds big replies once
        project, floor, live_stall = await project_and_floor(window, lookup, fetched, runs)
        add(row, label, project, floor)
        if identifier != BULK:
            await after_other()  # warm (and OTHER saved, for P4)
            project, floor, _ = await project_and_floor(window, after_other, fetched, runs)
            add(row, "  the same, another customer on screen", project, floor)
        await settled(window)
        window.set_offline(True)
        await enter_to_painted(window, identifier)  # warm: the notice that says "offline"
        saved, floor, saved_stall = await project_and_floor(window, lookup, read_saved, runs)
        add("P4", f"from saved data, {'100k' if identifier == BULK else 'typical'}", saved, floor)
        if identifier != BULK:
            await after_other()
            saved, floor, _ = await project_and_floor(window, after_other, read_saved, runs)
            add("P4", "  the same, another customer on screen", saved, floor)
        if identifier == BULK:
            add("P5", "longest stall, 100k live", live_stall, idle.longest)
            add("P5", "longest stall, 100k from saved data", saved_stall, idle.longest)
    window.set_offline(False)


def rss() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) * 1024


def rss_floor_child(job: str) -> int:
    """P7's floor in a fresh process: the bare window of P1's floor, then the same holding the
    100k customer's replies, fetched (httpx) and decoded (json.loads). `job`: the server's
    address and the requests, as JSON, so that this process imports nothing of the project
    (its modules would count as data: ~9 MB)."""
    from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow

    url, requests = json.loads(job)
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLineEdit())
    window.resize(1360, 820)
    window.show()
    app.processEvents()
    time.sleep(0.5)
    gc.collect()
    idle = rss()
    with httpx.Client(timeout=120) as client:
        held = [
            json.loads(client.get(f"{url}{path}", params=params, headers=headers).content)
            for path, params, headers in requests
        ]
    app.processEvents()
    time.sleep(1.0)
    gc.collect()
    loaded = rss()
    print(json.dumps({"idle": idle, "loaded": loaded, "replies": len(held)}))
    return 0


def rss_child(url: str) -> int:
    """P7 in a fresh process: RSS idle with the window shown, then with 100k rows open, from
    the demo server at `url`. The server runs in a process of its own: in this one, its
    100,000 generated messages and its cached 23 MB reply (~55 MB) would count as the
    window's."""
    from viewer.app import make_application, make_loop, make_window
    from viewer.wiring import demo_profile

    app = make_application()  # as the program: its style sheet, icon and translations
    loop = make_loop(app)
    window = make_window(demo_profile(url))
    window.show()

    async def measure() -> dict[str, float]:
        await asyncio.sleep(0.5)
        gc.collect()
        idle = rss()
        await enter_to_painted(window, BULK)
        await asyncio.sleep(1.0)
        gc.collect()
        loaded = rss()
        await window.shutdown()
        return {"idle": idle, "loaded": loaded}

    with loop:  # one run of the loop: see in_window
        sizes = loop.run_until_complete(measure())
    print(json.dumps(sizes))
    return 0


def rss_sizes(arguments: list[str], env: dict[str, str]) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if child.returncode != 0:
        raise RuntimeError(f"{arguments[0]} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def demo_server_process() -> Iterator[str]:
    """`viewer demo-server` on a free port in a child process; yields its address."""
    with subprocess.Popen(
        [sys.executable, "-m", "viewer", "demo-server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as server:
        try:
            assert server.stdout is not None
            banner = server.stdout.readline()  # "Demo server on http://127.0.0.1:PORT  (…"
            url = re.search(r"http://127\.0\.0\.1:\d+", banner)
            if url is None:
                raise RuntimeError(f"the demo server did not start: {banner!r}")
            yield url.group()
        finally:
            server.terminate()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only", choices=["P1", "P2-P5", "P7"], help="one group of rows (quicker while working)"
    )
    parser.add_argument("--rss-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--rss-floor-child", metavar="JOB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        return rss_child(args.rss_child)
    if args.rss_floor_child:
        return rss_floor_child(args.rss_floor_child)
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "VIEWER_CONFIG_DIR": f"{home}/config",
            "VIEWER_CACHE_DIR": f"{home}/cache",
            "VIEWER_LOG_DIR": f"{home}/logs",
        }
        if args.only in (None, "P1"):
            compile_project()
            start_to_window(args.runs, env)
            version = [sys.executable, "-m", "viewer", "--version"]
            bare = [sys.executable, "-c", "pass"]
            process_time(version, env), process_time(bare, env)  # warm-up
            add(
                "P1",
                "--version",
                *medians_alternating(
                    lambda: process_time(version, env), lambda: process_time(bare, env), args.runs
                ),
            )
        if args.only in (None, "P2-P5"):
            in_window(args.runs, home)
        if args.only in (None, "P7"):
            with demo_server_process() as url:
                project = rss_sizes(["--rss-child", url], env)
                job = json.dumps([url, capillary_requests(BULK)])
                floor = rss_sizes(["--rss-floor-child", job], env)
            mb = lambda b: f"{b / 2**20:,.0f} MB"  # noqa: E731
            add("P7", "RSS with 100k open", project["loaded"], floor["loaded"], unit=mb)
            add("P7", "  the same, idle (no customer)", project["idle"], floor["idle"], unit=mb)
    width = max(len(r[1]) for r in ROWS)
    print(f"{'':3} {'measure':<{width}}  {'project':>12}  {'floor':>12}  ratio")
    for row, measure, project, floor, ratio in ROWS:
        print(f"{row:3} {measure:<{width}}  {project:>12}  {floor:>12}  {ratio}")
    return 0


def in_window(runs: int, home: str) -> None:
    from viewer.app import make_application, make_loop, make_window
    from viewer.cache import OfflineStore
    from viewer.demo import DemoServer
    from viewer.wiring import demo_profile

    app = make_application()  # as the program: its style sheet, icon and translations
    loop = make_loop(app)
    with DemoServer() as server:
        store = OfflineStore.open(Path(home) / "saved", os.urandom(32))
        window = make_window(demo_profile(server.url))
        window.service.store, window.service.profile_name = store, "bench"
        window.show()

        async def measure_then_close() -> None:
            try:
                await in_process(window, server.url, store, runs)
            finally:
                await window.shutdown()

        # One run of the loop: between two runs Qt still paints, and a task woken by that
        # paint (the attention strip's worker) found no running loop and printed a traceback.
        with loop:
            loop.run_until_complete(measure_then_close())


if __name__ == "__main__":
    sys.exit(main())
