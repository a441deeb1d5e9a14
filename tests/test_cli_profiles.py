"""`customer-viewer profile …` as an administrator's script runs it (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import TEST_SECRETS
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG

# These processes get no keyring backend at all (as on a bare Linux box); the real Secret
# Service case is tests/test_secret_service.py.
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, **NO_KEYRING}
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def add_args(url: str, name: str = "eu") -> list[str]:
    return [
        "profile",
        "add",
        name,
        "--capillary-url",
        url,
        "--capillary-username",
        "demo",
        "--capillary-timezone",
        "Asia/Kolkata",
        "--ctrlhub-url",
        url,
        "--ctrlhub-org",
        DEMO_CTRLHUB_ORG,
        "--secret-stdin",
    ]


def test_without_a_secure_keyring_the_script_is_told_and_no_secret_is_written(
    demo_server, tmp_path
):
    done = run(*add_args(demo_server.url), stdin=f"{DEMO_CAPILLARY_PASSWORD}\ndemo-session-token\n")
    assert done.returncode == 5
    assert "no secure keyring" in (done.stdout + done.stderr).lower()
    config = (tmp_path / "config" / "config.toml").read_text()
    assert "eu" in tomllib.loads(config)["profiles"]
    assert not any(secret in config for secret in TEST_SECRETS)
    listed = run("profile", "list")
    assert (
        listed.returncode == 0 and "eu:" in listed.stdout and "NO secure keyring" in listed.stdout
    )
    tested = run("profile", "test", "eu")
    assert tested.returncode == 2 and "No Capillary password is stored" in tested.stdout


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (["--capillary-url", "ftp://example.com"], "must start with https://"),
        (["--capillary-timezone", "Mars/Olympus"], "not a time zone"),
        (["--ctrlhub-org", "acme"], "not a valid Ctrl-Hub organisation id"),
    ],
)
def test_bad_settings_are_refused_before_anything_is_kept(demo_server, change, says):
    args = add_args(demo_server.url)
    flag = change[0]
    args[args.index(flag) + 1] = change[1]
    done = run(*args, stdin="x\ny\n")
    assert done.returncode == 2 and says in done.stderr
    assert "No profiles yet" in run("profile", "list").stdout


def test_too_few_secret_lines(demo_server):
    done = run(*add_args(demo_server.url), stdin=f"{DEMO_CAPILLARY_PASSWORD}\n")
    assert done.returncode == 2 and "ended before the Ctrl-Hub session token" in done.stderr


def test_without_a_terminal_or_secret_stdin_the_script_is_told_how(demo_server):
    args = [a for a in add_args(demo_server.url) if a != "--secret-stdin"]
    done = run(*args)  # stdin is an empty pipe: nobody can type the password
    assert done.returncode == 2, done.stderr
    assert "pass --secret-stdin" in done.stderr and "Traceback" not in done.stderr


def test_remove_and_unknown_names(demo_server):
    run(*add_args(demo_server.url), stdin="a\nb\n")
    assert run("profile", "remove", "eu").returncode == 0
    assert run("profile", "remove", "eu").returncode == 2
    assert run("profile", "test", "nobody").returncode == 2
