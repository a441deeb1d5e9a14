"""ONE test against a real Secret Service (gnome-keyring in a private D-Bus session).

Every other test uses the in-memory backend of tests/memory_keyring.py. .ci/run installs
gnome-keyring and dbus; on a developer machine without them this test is skipped, in CI
it must run (CI=true turns the skip into a failure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = ROOT / "packaging" / "with-secret-service.sh"


def test_profiles_store_secrets_in_the_real_keyring_and_nowhere_else(tmp_path):
    if not (shutil.which("gnome-keyring-daemon") and shutil.which("dbus-run-session")):
        if os.environ.get("CI"):
            pytest.fail("CI must provide gnome-keyring and dbus (see .ci/run)")
        pytest.skip("gnome-keyring / dbus-run-session not installed on this machine")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIEWER_", "DBUS_"))}
    env.update(
        VIEWER_CONFIG_DIR=str(tmp_path / "config"),
        VIEWER_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        ["bash", str(WRAPPER), sys.executable, str(ROOT / "tests" / "keyring_scenario.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    secure, backend = seen["backend"]
    assert secure and "SecretService" in backend
    assert seen["add"]["code"] == 0, seen["add"]["err"]
    assert seen["stored_password"] == DEMO_CAPILLARY_PASSWORD
    assert seen["stored_token"]  # the password sign-in left a session token...
    assert seen["stored_ctrlhub_password"] is None  # ...and the password itself was not kept
    assert seen["test"]["code"] == 0, seen["test"]["out"] + seen["test"]["err"]
    assert "Demo Agent" in seen["test"]["out"]  # whoami: whom the session belongs to
    assert seen["lookup"]["code"] == 0, seen["lookup"]["err"]
    assert {i["source"] for i in json.loads(seen["lookup"]["out"])["interactions"]} == {
        "capillary",
        "ctrlhub",
    }
    assert seen["remove"]["code"] == 0 and seen["left_after_remove"] == []
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for secret in (DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_PASSWORD):
        assert secret.encode() not in written
