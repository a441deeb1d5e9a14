"""Every injected fault × each source × (window, CLI): the right sentence, the right exit
code, the other source's rows and the saved rows still shown, nothing escaping, and the
window answering throughout (a heartbeat measures the longest event-loop gap)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import CTRLHUB_MOBILE, Heartbeat
from tests.fault_cases import CASES, DEADLINE_S, expected
from tests.test_main_window import search_and_wait
from viewer.cache import OfflineStore
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN
from viewer.domain import IdentifierKind, Query, Source
from viewer.lookup import LookupService
from viewer.sources import http
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings
from viewer.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("capillary", "ctrlhub")
LONGEST_GAPS: list[float] = []


def clients(url: str, faulted: str, spec: str):
    cap_url = f"{url}/fault/{spec}" if faulted == "capillary" else url
    ch_url = f"{url}/fault/{spec}" if faulted == "ctrlhub" else url
    return [
        CapillaryClient(
            CapillarySettings(
                cap_url, "demo", DEMO_CAPILLARY_PASSWORD, "Asia/Kolkata", read_timeout=DEADLINE_S
            )
        ),
        CtrlHubClient(
            CtrlHubSettings(ch_url, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN, read_timeout=DEADLINE_S)
        ),
    ]


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(http, "BACKOFF_BASE_S", 0.01)


@pytest.mark.parametrize("faulted", SOURCES)
@pytest.mark.parametrize("spec", list(CASES))
def test_window(spec, faulted, qtbot, qloop, demo_server, tmp_path, quick_retries):
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    query = Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE)

    async def seed():  # the customer was looked at before the trouble started
        good = LookupService(clients(demo_server.url, "", ""), store, "office")
        await good.lookup(query)
        while good._saving:
            await asyncio.sleep(0.02)
        await good.aclose()

    qloop.run_until_complete(seed())
    escaped = []
    qloop.set_exception_handler(lambda _loop, context: escaped.append(context))
    window = MainWindow(
        LookupService(
            clients(demo_server.url, faulted, spec), store, "office", deadline_s=DEADLINE_S
        )
    )
    qtbot.addWidget(window)
    window.show()

    async def scenario() -> float:
        async with Heartbeat() as beat:
            await search_and_wait(window, CTRLHUB_MOBILE)
        return beat.longest

    try:
        longest = qloop.run_until_complete(scenario())
    finally:
        qloop.run_until_complete(window.shutdown())
        store.close()
    LONGEST_GAPS.append(longest)
    other = Source.CTRLHUB if faulted == "capillary" else Source.CAPILLARY
    _code, words = expected(spec, faulted)
    shown = {i.source for i in window.result.interactions}
    assert other in shown  # the other source's rows
    assert Source(faulted) in shown  # and the failed source's saved rows: nothing lost
    text = window.message_bar.text.text()
    assert words in text and "showing the data saved" in text, text
    assert not escaped
    assert longest < 0.5, f"the window froze for {longest:.2f} s"


def _cli(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viewer", "lookup", "--mobile", CTRLHUB_MOBILE, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_cli(demo_server):
    """Every fault × each source through the CLI, with only that source set up (run in
    parallel processes to keep CI quick)."""

    def env_for(spec: str, source: str) -> dict[str, str]:
        url = f"{demo_server.url}/fault/{spec}"
        env = {"VIEWER_DEADLINE_S": str(DEADLINE_S), "VIEWER_READ_TIMEOUT_S": str(DEADLINE_S)}
        if source == "capillary":
            env.update(
                VIEWER_CAPILLARY_URL=url,
                VIEWER_CAPILLARY_USERNAME="demo",
                VIEWER_CAPILLARY_PASSWORD=DEMO_CAPILLARY_PASSWORD,
                VIEWER_CAPILLARY_TIMEZONE="UTC",
            )
        else:
            env.update(
                VIEWER_CTRLHUB_URL=url,
                VIEWER_CTRLHUB_ORG=DEMO_CTRLHUB_ORG,
                VIEWER_CTRLHUB_TOKEN=DEMO_CTRLHUB_TOKEN,
            )
        return env

    cases = [(spec, source) for spec in CASES for source in SOURCES]
    with ThreadPoolExecutor(max_workers=6) as pool:
        runs = list(pool.map(lambda case: _cli(env_for(*case)), cases))
    problems = []
    for (spec, source), done in zip(cases, runs, strict=True):
        code, words = expected(spec, source)
        if done.returncode != code or words not in done.stderr or "Traceback" in done.stderr:
            problems.append(
                f"{spec} × {source}: exit {done.returncode}, said {done.stderr.strip()[:160]!r}"
            )
    assert not problems, "\n".join(problems)


def test_cli_other_source_still_answers(demo_server):
    env = {
        "VIEWER_DEADLINE_S": "2",
        "VIEWER_CAPILLARY_URL": f"{demo_server.url}/fault/503",
        "VIEWER_CAPILLARY_USERNAME": "demo",
        "VIEWER_CAPILLARY_PASSWORD": DEMO_CAPILLARY_PASSWORD,
        "VIEWER_CTRLHUB_URL": demo_server.url,
        "VIEWER_CTRLHUB_ORG": DEMO_CTRLHUB_ORG,
        "VIEWER_CTRLHUB_TOKEN": DEMO_CTRLHUB_TOKEN,
    }
    done = _cli(env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {i["source"] for i in data["interactions"]} == {"ctrlhub"}
    assert data["errors"][0]["source"] == "capillary" and "HTTP 503" in data["errors"][0]["message"]


def test_report_longest_gap():
    """Not a check of its own: prints the longest event-loop gap seen across the matrix."""
    if LONGEST_GAPS:
        print(
            f"\nlongest event-loop gap during the fault matrix: {max(LONGEST_GAPS) * 1000:.0f} ms "
            f"over {len(LONGEST_GAPS)} cases"
        )
