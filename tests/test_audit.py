"""The access log (issue 15 item 2): one record per lookup, export or copy, kept in the log
folder user-only, holding a keyed hash and a masked form of the identifier and never the
identifier or any message content; copies for IT to a file or the system log."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import socket
import stat
import sys

import pytest

from tests.conftest import TYPICAL_MOBILE
from viewer import audit, credentials
from viewer.cli import main
from viewer.domain import IdentifierKind, Query
from viewer.identifiers import parse_query
from viewer.profiles import Profile, load_config, save_profile
from viewer.wiring import build_service, demo_profile, open_store


@pytest.fixture(autouse=True)
def fresh_key():
    audit.reset_key()  # each test has its own in-memory keyring
    yield
    audit.reset_key()


def log_file(tmp_path):
    return tmp_path / "logs" / audit.AUDIT_FILE


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def looked_up(profile: Profile, mobile: str = TYPICAL_MOBILE):
    store = open_store()
    service = build_service(profile, store)
    try:
        query = parse_query(mobile, IdentifierKind.MOBILE)
        state = await service.final_state(query)
        return service, query, state
    finally:
        await service.aclose()
        store.close()


@pytest.mark.asyncio
async def test_one_record_per_action_without_the_identifier_or_any_content(demo_server, tmp_path):
    service, query, state = await looked_up(demo_profile(demo_server.url))
    service.record_action("export", query, 7)
    service.record_action("copy", query, 1)

    path = log_file(tmp_path)
    raw = path.read_text(encoding="utf-8")
    records = lines(path)
    assert [r["action"] for r in records] == ["lookup", "export", "copy"]
    assert records[0]["count"] == len(state.result.interactions) > 0
    assert records[0]["outcome"] == "found" and records[0]["profile"] == "demo"
    # Nothing that names or contacts the customer, nothing they were sent.
    assert (
        TYPICAL_MOBILE not in raw
        and TYPICAL_MOBILE[2:] not in raw
        and TYPICAL_MOBILE[-7:] not in raw
    )
    assert state.result.customer.name and state.result.customer.name not in raw
    for row in state.result.interactions[:50]:
        if row.subject and len(row.subject) > 8:
            assert row.subject not in raw
    # What IT can still do: match a customer by hashing with the keyring's key.
    key = credentials.access_log_key()[0]
    expected = hmac.new(key, f"mobile\0{TYPICAL_MOBILE}".encode(), hashlib.sha256).hexdigest()
    assert {r["identifier_hash"] for r in records} == {expected}
    assert records[0]["identifier_masked"] == "+91 ••••• ••345"
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_masked_forms_are_recognisable_but_not_usable():
    assert (
        audit.masked_identifier(Query(IdentifierKind.EMAIL, "priya.sharma@example.com"))
        == "p•••@example.com"
    )
    assert audit.masked_identifier(Query(IdentifierKind.EXTERNAL_ID, "CUST-0042-XY")) == "C•••XY"
    assert (
        audit.masked_identifier(Query(IdentifierKind.MOBILE, "447700900123")) == "+44 •••• •••123"
    )


def test_cli_lookup_is_recorded_and_audit_prints_it(tmp_path, capsys):
    assert main(["lookup", "--demo", "--mobile", TYPICAL_MOBILE, "--json"]) == 0
    capsys.readouterr()
    assert len(lines(log_file(tmp_path))) == 1

    assert main(["audit", "--since", "7d"]) == 0
    text = capsys.readouterr().out
    assert "lookup" in text and "+91 ••••• ••345" in text and TYPICAL_MOBILE not in text

    assert main(["audit", "--csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("time,profile,action,kind,identifier_hash")
    assert len(csv_lines) == 2 and ",lookup,mobile," in csv_lines[1]

    assert main(["audit", "--since", "2999-01-01"]) == 0
    assert "No access recorded since then." in capsys.readouterr().out
    assert main(["audit", "--since", "last tuesday"]) == 2
    assert "is not a time" in capsys.readouterr().err


def test_the_log_is_rotated_by_size_and_read_back_in_order(monkeypatch, tmp_path):
    monkeypatch.setattr(audit, "MAX_BYTES", 2000)
    query = Query(IdentifierKind.EMAIL, "priya@example.com")
    for number in range(100):
        audit.record("lookup", "eu", query, number)
    folder = tmp_path / "logs"
    files = sorted(p.name for p in folder.iterdir())
    assert files[0] == audit.AUDIT_FILE and len(files) == audit.BACKUPS + 1
    assert all(p.stat().st_size <= 2000 for p in folder.iterdir())
    if sys.platform != "win32":
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    counts = [r["count"] for r in audit.read_records()]
    assert counts == sorted(counts) and counts[-1] == 99  # the oldest went, the newest kept


@pytest.mark.asyncio
async def test_a_profile_sends_the_same_records_to_it_s_file_and_syslog(
    demo_server, tmp_path, monkeypatch
):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    monkeypatch.setattr(audit, "SYSLOG_ADDRESS", receiver.getsockname())
    monkeypatch.setattr(audit, "_syslog", None)
    it_file = tmp_path / "it" / "access.jsonl"
    it_file.parent.mkdir()
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        f'[profiles.eu]\ncapillary_url = "{demo_server.url}"\ncapillary_username = "demo"\n'
        f'audit_file = "{it_file.as_posix()}"\naudit_syslog = true\n',
        encoding="utf-8",
    )
    profile = load_config().profiles["eu"]
    assert profile.audit_file == it_file.as_posix() and profile.audit_syslog is True
    demo = demo_profile(demo_server.url)
    profile = Profile(**{**profile.__dict__, "memory_secrets": demo.memory_secrets})
    try:
        await looked_up(profile)
        datagram = receiver.recv(65536).decode()
    finally:
        receiver.close()
        with contextlib.suppress(Exception):
            for handler in list(audit._syslog.handlers if audit._syslog else []):
                audit._syslog.removeHandler(handler)
                handler.close()
    local = lines(log_file(tmp_path))
    assert lines(it_file) == local and len(local) == 1
    assert local[0]["identifier_hash"] in datagram and TYPICAL_MOBILE not in datagram
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(it_file).st_mode) == 0o600


def test_without_a_secure_keyring_a_session_key_is_used_and_said(monkeypatch):
    monkeypatch.setattr(credentials, "backend_status", lambda: (False, "fail.Keyring"))
    entry = audit.record("copy", "eu", Query(IdentifierKind.EMAIL, "priya@example.com"), 1)
    assert len(entry["identifier_hash"]) == 64
    assert "for this session only" in audit.key_notice()


def test_saved_profile_privacy_settings_survive_a_rewrite(tmp_path):
    save_profile(
        Profile(
            name="eu",
            capillary_url="https://eu.api.capillarytech.com",
            capillary_username="u",
            max_offline_days=14,
            audit_file="/var/log/viewer.jsonl",
            audit_syslog=True,
        )
    )
    again = load_config().profiles["eu"]
    assert (again.max_offline_days, again.audit_file, again.audit_syslog) == (
        14,
        "/var/log/viewer.jsonl",
        True,
    )
