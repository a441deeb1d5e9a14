"""`customer-viewer lookup` with the window's filter as flags: a real process, --demo."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta

from tests.conftest import CTRLHUB_MOBILE, TYPICAL_MOBILE
from viewer.export import CSV_COLUMNS

PROBLEMS = {
    "FAILED",
    "NOT-DELIVERED",
    "DND_BLOCKED",
    "BLOCKED",
    "HARD_BOUNCED",
    "SOFT_BOUNCED",
    "GTW_NOT_FOUND",
    "awaiting_callback",
}


def lookup(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viewer", "lookup", "--demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def lookup_json(*args: str) -> dict:
    done = lookup(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_status_problems_on_priya_prints_exactly_her_problem_rows_and_counts():
    everything = lookup_json("--mobile", TYPICAL_MOBILE)
    data = lookup_json("--mobile", TYPICAL_MOBILE, "--status", "problems")
    expected = [i for i in everything["interactions"] if i["status"] in PROBLEMS]
    assert data["interactions"] == expected and expected
    assert {"FAILED", "NOT-DELIVERED", "DND_BLOCKED"} <= {i["status"] for i in expected}
    assert data["filter"]["status"] == "problems" and data["filter"]["described"] == "Problems"
    assert data["filter"]["matched"] == len(expected)
    assert data["filter"]["of"] == len(everything["interactions"])
    sms = sum(1 for i in expected if i["channel"] == "sms")
    assert data["counts"]["sms"] == sms  # counts follow the filter
    assert "filter" not in everything  # no filter, no "filter" member


def test_search_source_and_dates_narrow_the_rows():
    data = lookup_json("--mobile", CTRLHUB_MOBILE, "--search", "RÜCKRUF", "--source", "ctrl-hub")
    assert data["interactions"] and all(i["source"] == "ctrlhub" for i in data["interactions"])
    assert all("rückruf" in f"{i['subject']} {i['notes']}".casefold() for i in data["interactions"])
    everything = lookup_json("--mobile", CTRLHUB_MOBILE)["interactions"]
    times = sorted(datetime.fromisoformat(i["occurred_at"]) for i in everything if i["occurred_at"])
    middle = times[len(times) // 2].date().isoformat()
    later = lookup_json("--mobile", CTRLHUB_MOBILE, "--since", middle)["interactions"]
    earlier = lookup_json("--mobile", CTRLHUB_MOBILE, "--until", middle)["interactions"]
    assert later and earlier
    start = datetime.fromisoformat(middle).replace(tzinfo=datetime.now().astimezone().tzinfo)
    assert all(datetime.fromisoformat(i["occurred_at"]) >= start for i in later)
    assert all(
        datetime.fromisoformat(i["occurred_at"]) < start + timedelta(days=1) for i in earlier
    )
    dated = [i for i in everything if i["occurred_at"]]
    # --until a day includes that day, --since starts at it: one shared day, nothing lost.
    assert len(later) + len(earlier) >= len(dated)
    assert {i["id"] for i in later} | {i["id"] for i in earlier} == {i["id"] for i in dated}


def test_csv_prints_the_filtered_rows():
    done = lookup("--mobile", CTRLHUB_MOBILE, "--status", "problems", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert done.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert rows and {r["status"] for r in rows} <= PROBLEMS
    assert "awaiting_callback" in {r["status"] for r in rows}
    same = lookup_json("--mobile", CTRLHUB_MOBILE, "--status", "problems")["interactions"]
    assert [r["id"] for r in rows] == [i["id"] for i in same]
    assert [r["occurred_at"] for r in rows] == [i["occurred_at"] or "" for i in same]


def test_table_says_the_filter_and_the_tabs_say_n_of_m():
    done = lookup("--mobile", TYPICAL_MOBILE, "--status", "problems", "--since", "all")
    assert done.returncode == 0, done.stderr
    assert "Filter: Problems — " in done.stdout and " of 36 rows" in done.stdout
    assert "SMS (" in done.stdout and " of " in done.stdout.split("\n")[2]


def test_bad_filter_words_are_a_sentence_and_exit_2_before_anything_is_sent():
    for flags, sentence in (
        (["--since", "last tuesday"], "is not a time"),
        (["--until", "2025-02-30"], "is not a time"),
        (["--status", "broken"], "is not a status"),
        (["--source", "salesforce"], "is not a source"),
        (["--direction", "sideways"], "is not a direction"),
        (["--since", "2025-06-01", "--until", "2025-01-01"], "range is empty"),
        (["--csv", "--json"], "Choose one of --csv, --json and --stream"),
    ):
        done = lookup("--mobile", TYPICAL_MOBILE, *flags)
        assert done.returncode == 2, (flags, done.stderr)
        assert sentence in done.stderr and "Traceback" not in done.stderr
        assert done.stdout == ""


def test_each_streamed_state_is_filtered_too():
    done = lookup(
        "--mobile",
        CTRLHUB_MOBILE,
        "--status",
        "problems",
        "--direction",
        "outbound",
        "--stream",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    states = [json.loads(line) for line in done.stdout.splitlines()]
    assert states[-1]["final"] and states[-1]["filter"]["direction"] == "outbound"
    for state in states:
        assert {i["status"] for i in state["interactions"]} <= PROBLEMS
        assert {i["direction"] for i in state["interactions"]} <= {"outbound"}
    assert states[-1]["filter"]["matched"] == len(states[-1]["interactions"]) > 0
