"""Hostile data against the parts that keep and show it (issue 10, items 5, 6, 9 and 12).

A real loopback server (tests/hostile_server.py) answers Capillary's flat or nested shape
with 4,300-digit numbers, year-1 and year-9999 times, 12 MB of empty messages or a
customer too large to keep; the CLI runs as a real process and the window as real widgets
offscreen. What is asserted is what the agent notices: a row with "—" where a value cannot
be shown, a sentence instead of a traceback or a stuck spinner, bounded memory, a saved
copy that opens, files only the user can read, and a notice when saved data was lost.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import keyring
import pytest

from tests.conftest import capillary_client, until
from tests.hostile_server import HostileServer, Raw
from tests.test_main_window import search_and_wait
from viewer import credentials, logs
from viewer.cache import FILE_NAME, OfflineStore
from viewer.domain import IdentifierKind, Query
from viewer.lookup import LookupService
from viewer.present import age, iso, local_time, utc_time
from viewer.sources.capillary_parse import MAX_ROWS_PER_LOOKUP
from viewer.ui.main_window import MainWindow
from viewer.wiring import open_store

ROOT = Path(__file__).resolve().parent.parent
MOBILE = "919845012345"
HUGE = "9" * 4300  # the most digits Python turns into an int (and back into text)
TOO_HUGE = "9" * 4400  # past the limit: json.loads itself refuses
POSIX = os.name == "posix"


# -- replies ---------------------------------------------------------------------------------
def hostile_messages() -> list[dict]:
    """Messages whose numbers and times cannot be shown as they come, and one ordinary one."""
    return [
        {
            "id": "@HUGE@",
            "receiver": "a@example.com",
            "subject": "huge id",
            "status": "SENT",
            "campaignId": "@HUGE@",
            "userId": "@HUGE@",
            "sentDate": "26-05-2025 15:52:02",
        },
        {
            "id": 2,
            "subject": "year 1",
            "status": "SENT",
            "sentDate": "0001-01-01T00:00:00+05:00",
            "deliveredTime": "9999-12-31T23:59:59-05:00",
        },
        {
            "id": 3,
            "subject": "year 9999",
            "sentDate": "31-12-9999 23:59:59",
            "deliveredTime": "@HUGE@",
        },
        {"id": 4, "subject": "absurd epoch", "sentDate": 10**300, "deliveredTime": -5},
        {"id": 5, "subject": "ordinary", "status": "DELIVERED", "sentDate": "27-05-2025 10:00:00"},
    ]


def flat_doc(messages: list, count: object = "@HUGE@") -> dict:
    return {
        "name": "Hostile",
        "interaction": [
            {"name": "sms", "count": count, "messageList": messages},
            {"name": "missed_call", "count": "@HUGE@", "messageList": []},
        ],
        "warnings": [],
    }


def nested_doc(messages: list, count: object = "@HUGE@") -> dict:
    sms = {"type": "sms", "count": count, "messages": {"message": messages}}
    twice = {"type": "sms", "count": "@HUGE@", "messages": {"message": []}}  # 2 x 4,300 digits
    return {
        "response": {
            "status": {"success": "true", "code": 200},
            "customer": {
                "id": "@HUGE@",
                "mobile": MOBILE,
                "name": "Hostile",
                "interactions": {"network": [{"name": "capillary", "interaction": [sms, twice]}]},
            },
        }
    }


def body_of(doc: dict, huge: str = HUGE) -> bytes:
    """JSON text with the placeholders replaced by bare numbers of `huge` digits."""
    return json.dumps(doc).replace('"@HUGE@"', huge).encode()


def capillary_only(body: bytes):
    """The interaction endpoint says `body`; customerDetails is refused (never fatal)."""
    return lambda seen: Raw(200, body) if "/interaction" in seen.path else Raw(403, b"{}")


# -- the CLI -----------------------------------------------------------------------------------
def cli_env(server_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "VIEWER_CAPILLARY_URL": server_url,
        "VIEWER_CAPILLARY_USERNAME": "agent",
        "VIEWER_CAPILLARY_PASSWORD": "hostile-test-password",
        "VIEWER_CAPILLARY_TIMEZONE": "UTC",
        "TZ": "Pacific/Kiritimati",
    }  # UTC+14: the furthest any time is moved to be shown


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viewer", "lookup", "--mobile", MOBILE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("shape", [flat_doc, nested_doc])
def test_huge_numbers_and_impossible_dates_give_rows_in_the_cli_and_a_saved_copy_that_opens(
    tmp_path, shape
):
    with HostileServer(capillary_only(body_of(shape(hostile_messages())))) as server:
        env = cli_env(server.url, tmp_path)
        as_json = cli(env, "--json")
        table = cli(env)
    offline = cli(env, "--offline", "--json")  # the saved copy, with the server gone

    for run in (as_json, table, offline):
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    data = json.loads(as_json.stdout)
    rows = {row["subject"]: row for row in data["interactions"]}
    assert set(rows) == {"huge id", "year 1", "year 9999", "absurd epoch", "ordinary"}
    assert rows["huge id"]["campaign_id"] is None and rows["huge id"]["user_id"] is None
    assert len(rows["huge id"]["id"]) <= 40  # a 4,300-digit id is not shown as one
    for subject in ("year 1", "year 9999", "absurd epoch"):
        assert rows[subject]["occurred_at"] is None and rows[subject]["delivered_at"] is None
    assert rows["ordinary"]["occurred_at"].startswith("2025-05-27T10:00:00")
    assert data["counts"]["sms"] == 5  # the 4,300-digit counts are not believed
    assert all(subject in table.stdout for subject in rows)
    saved = json.loads(offline.stdout)
    assert saved["from_cache"] is True
    assert sorted(r["subject"] for r in saved["interactions"]) == sorted(rows)


def test_a_number_past_4300_digits_is_a_sentence_and_nothing_is_saved(tmp_path):
    with HostileServer(capillary_only(body_of(flat_doc(hostile_messages()), TOO_HUGE))) as server:
        env = cli_env(server.url, tmp_path)
        live = cli(env, "--json")
    offline = cli(env, "--offline")
    assert live.returncode == 5 and "Traceback" not in live.stderr
    assert "could not be read" in live.stderr
    assert offline.returncode == 3 and "not in the saved data" in offline.stderr


def test_twelve_megabytes_of_empty_messages_stay_within_a_row_budget(tmp_path):
    """Once 4 million rows and 11 GB: now the first MAX_ROWS_PER_LOOKUP, said, in bounded memory."""
    items = (12 * 1024 * 1024) // 3
    body = (
        b'{"name":"X","interaction":[{"name":"sms","count":1,"messageList":['
        + (b"{}," * items)[:-1]
        + b"]}]}"
    )
    with HostileServer(capillary_only(body)) as server:
        env = cli_env(server.url, tmp_path)
        with (tmp_path / "out.json").open("wb") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "viewer", "lookup", "--mobile", MOBILE, "--json"],
                env=env,
                stdout=out,
                stderr=subprocess.PIPE,
            )
            _pid, status, usage = os.wait4(child.pid, 0)
        stderr = child.stderr.read().decode()
        child.stderr.close()
    assert os.waitstatus_to_exitcode(status) == 0, stderr
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    assert peak_mb < 1500, f"peak memory {peak_mb:.0f} MB"  # measured ~730 MB (was 11 GB)
    data = json.loads((tmp_path / "out.json").read_text())
    assert len(data["interactions"]) == MAX_ROWS_PER_LOOKUP
    assert f"showing the first {MAX_ROWS_PER_LOOKUP:,} of {items:,} messages" in " ".join(
        data["warnings"]
    )
    assert data["channels"]["sms"] == {
        "label": "SMS",
        "listed": MAX_ROWS_PER_LOOKUP,
        "total": items,
        "itemised": True,
    }


@pytest.mark.asyncio
async def test_the_row_budget_spans_channels_and_the_tabs_say_n_of_m():
    channels = [
        {"type": word, "messages": {"message": [{}] * 100_000}}
        for word in ("sms", "email", "viber")
    ]
    doc = {
        "response": {
            "customer": {
                "mobile": MOBILE,
                "interactions": {"network": [{"name": "capillary", "interaction": channels}]},
            }
        }
    }
    with HostileServer(capillary_only(json.dumps(doc).encode())) as server:
        service = LookupService([capillary_client(server.url)])
        try:
            result = await service.lookup(Query(IdentifierKind.MOBILE, MOBILE))
        finally:
            await service.aclose()
    assert len(result.interactions) == MAX_ROWS_PER_LOOKUP
    assert [result.counts[c].label for c in ("sms", "email", "viber")] == [
        "100000",
        "100000",
        "50000 of 100000",
    ]
    assert any("showing the first 250,000 of 300,000 messages" in w for w in result.warnings)


# -- the window --------------------------------------------------------------------------------
@pytest.fixture
def hostile():
    with HostileServer(capillary_only(body_of(flat_doc(hostile_messages())))) as server:
        yield server


@pytest.fixture
def window(qtbot, qloop, hostile, tmp_path):
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    win = MainWindow(
        LookupService([capillary_client(hostile.url)], store, "office"), profile_label="office"
    )
    qtbot.addWidget(win)
    win.show()
    yield win
    qloop.run_until_complete(win.shutdown())
    store.close()


def test_the_window_shows_every_row_and_stops_the_spinner(window, qloop):
    qloop.run_until_complete(search_and_wait(window, MOBILE))
    assert window.search_bar.busy.isHidden()
    assert window.model.rowCount() == 5
    assert "unexpected" not in window.message_bar.text.text()
    subjects = {window.model.interaction(r).subject: r for r in range(window.model.rowCount())}
    window.select_row(subjects["year 1"])
    assert window.detail.values()["Time"] == "—" and window.detail.values()["Delivered"] == "—"
    window.select_row(subjects["huge id"])
    assert window.detail.values()["Campaign"] == "—"
    assert "SMS (5)" in window.tab_titles()


def test_an_answer_that_cannot_be_shown_still_ends_with_a_sentence(window, qloop, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(
        window.model, "set_interactions", broken
    )  # a fault in painting, not in data
    qloop.run_until_complete(search_and_wait(window, MOBILE))
    assert window.search_bar.busy.isHidden()
    assert window.message_bar.severity == "error"
    assert "could not be shown" in window.message_bar.text.text()


# -- times, shown ------------------------------------------------------------------------------
@pytest.fixture
def far_east_zone():
    """The agent's zone is UTC+14, so a time near year 9999 cannot be moved into it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(
    "moment",
    [
        datetime.min.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_times_at_the_ends_of_the_calendar_are_shown_not_raised(far_east_zone, moment):
    for text in (
        local_time(moment),
        local_time(moment, seconds=True),
        utc_time(moment),
        age(moment),
    ):
        assert text and isinstance(text, str)
    assert iso(moment).startswith(("0001", "9999"))


# -- saving ------------------------------------------------------------------------------------
def incompressible_doc(kilobytes: int) -> dict:
    subject = os.urandom(kilobytes * 512).hex()  # random hex: ~2:1 under zlib
    return flat_doc([{"id": 1, "subject": subject, "sentDate": "26-05-2025 15:52:02"}], count=1)


@pytest.mark.asyncio
async def test_a_customer_too_large_to_keep_is_said_and_evicts_no_one(tmp_path):
    store = OfflineStore.open(tmp_path, os.urandom(32), max_mb=1)  # one customer: at most 256 kB
    others = [Query(IdentifierKind.EXTERNAL_ID, f"kept-{n}") for n in range(3)]
    for query in others:
        store.save_lookup("office", query, query.value, {"sources": {"x": "small"}})
    told: list[str] = []
    with HostileServer(capillary_only(json.dumps(incompressible_doc(700)).encode())) as server:
        service = LookupService([capillary_client(server.url)], store, "office")
        service.on_notice = told.append
        try:
            result = await service.lookup(Query(IdentifierKind.MOBILE, MOBILE))
            await until(lambda: not service._saving, what="the save")
        finally:
            await service.aclose()
    assert len(result.interactions) == 1  # shown in full, just not kept
    assert any("too large to keep offline" in w for w in result.warnings)
    assert told and "too large to keep offline" in told[0]
    assert store.load_lookup("office", Query(IdentifierKind.MOBILE, MOBILE)) is None
    assert all(store.load_lookup("office", q) is not None for q in others)
    store.close()


def test_the_cli_says_a_customer_was_too_large_to_keep(tmp_path):
    config = Path(os.environ["VIEWER_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[saved_data]\nmax_mb = 1\n")
    with HostileServer(capillary_only(json.dumps(incompressible_doc(700)).encode())) as server:
        env = cli_env(server.url, tmp_path)
        live = cli(env, "--json")
    offline = cli(env, "--offline")
    assert live.returncode == 0, live.stderr
    assert any("too large to keep offline" in w for w in json.loads(live.stdout)["warnings"])
    assert offline.returncode == 3


# -- files only the user can read --------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_log_folder_and_every_log_file_are_user_only(tmp_path):
    folder = Path(os.environ["VIEWER_LOG_DIR"])
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    (folder / f"{logs.LOG_FILE}.1").write_text("an old rotated log\n")
    os.chmod(folder / f"{logs.LOG_FILE}.1", 0o644)
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    old_umask = os.umask(0o022)
    try:
        path = logs.setup_logging()
        logging.getLogger("viewer.test").warning("a line")
        handler = next(h for h in root.handlers if isinstance(h, logs.PrivateRotatingFileHandler))
        handler.doRollover()
        logging.getLogger("viewer.test").warning("after rotation")
    finally:
        os.umask(old_umask)
        root.setLevel(level)
        for added in [h for h in root.handlers if h not in before]:
            root.removeHandler(added)
            added.close()
    files = sorted(folder.iterdir())
    assert path in files and len(files) >= 3
    assert mode(folder) == 0o700
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}


# -- the saved-data key ------------------------------------------------------------------------
@pytest.mark.parametrize("damaged", ["00", "zz", "0" * 63, "g" * 64, " "])
def test_a_damaged_key_in_the_keyring_is_replaced_and_said(isolated_settings, damaged):
    first = open_store()  # a real key, a real file with a customer in it
    first.save_lookup("office", Query(IdentifierKind.EMAIL, "a@example.com"), "A", {"sources": {}})
    first.close()
    keyring.set_password(credentials.SERVICE, credentials.CACHE_KEY_ENTRY, damaged)

    store = open_store()
    notices = store.take_notices()
    assert store.path is not None  # still a file, not memory
    assert notices == [credentials.KEY_DAMAGED]
    assert "no secure keyring" not in " ".join(notices)
    stored = keyring.get_password(credentials.SERVICE, credentials.CACHE_KEY_ENTRY)
    assert len(stored) == 64 and bytes.fromhex(stored)
    assert list(store.path.parent.glob(f"{FILE_NAME}.unreadable-*"))  # the old file, set aside
    query = Query(IdentifierKind.EMAIL, "b@example.com")
    store.save_lookup("office", query, "B", {"sources": {}})
    assert store.load_lookup("office", query) is not None
    store.close()


def test_the_cli_starts_with_a_damaged_key(tmp_path):
    (tmp_path / "keyring.json").write_text(
        json.dumps({f"{credentials.SERVICE}/{credentials.CACHE_KEY_ENTRY}": "00"})
    )
    with HostileServer(capillary_only(body_of(flat_doc(hostile_messages())))) as server:
        run = cli(cli_env(server.url, tmp_path), "--json")
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert "saved-data key in the keyring was damaged" in run.stderr
    assert "no secure keyring" not in run.stderr


# -- damage found while working ----------------------------------------------------------------
def damaged_store(folder: Path, key: bytes) -> list[Query]:
    """A store of 40 customers, then 4 kB of garbage written into the middle of the file."""
    store = OfflineStore.open(folder, key)
    queries = [Query(IdentifierKind.EXTERNAL_ID, f"c{n}") for n in range(40)]
    for query in queries:
        store.save_lookup("office", query, query.value, {"sources": {"x": os.urandom(3000).hex()}})
    store.close()
    path = folder / FILE_NAME
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))
    return queries


@pytest.mark.asyncio
async def test_damage_found_while_working_is_told_once(tmp_path):
    key = os.urandom(32)
    queries = damaged_store(tmp_path, key)
    store = OfflineStore.open(tmp_path, key)
    told: list[str] = []
    service = LookupService([], store, "office")
    service.on_notice = told.append
    try:
        for query in queries:
            await service.cached(query)
        await service.recent()
    finally:
        await service.aclose()
    assert len(told) == 1 and "damaged" in told[0] and "set aside" in told[0]
    assert list(tmp_path.glob(f"{FILE_NAME}.unreadable-*"))
    store.close()


def test_the_window_tells_the_agent_when_saved_data_was_set_aside(qtbot, qloop, tmp_path):
    key = os.urandom(32)
    damaged_store(tmp_path / "saved", key)
    store = OfflineStore.open(tmp_path / "saved", key)
    with HostileServer(capillary_only(body_of(flat_doc(hostile_messages())))) as server:
        win = MainWindow(
            LookupService([capillary_client(server.url)], store, "office"), profile_label="office"
        )
        qtbot.addWidget(win)
        win.show()
        try:
            for query in ("c1", "c2", "c3"):  # opening saved customers meets the damage
                qloop.run_until_complete(search_and_wait(win, query))
                if "damaged" in win.message_bar.text.text():
                    break
            shown = win.message_bar.text.text()
        finally:
            qloop.run_until_complete(win.shutdown())
            store.close()
    assert "damaged" in shown and "set aside" in shown
    assert win.search_bar.busy.isHidden()
