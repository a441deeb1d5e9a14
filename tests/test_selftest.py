"""`customer-viewer --self-test` as an agent's IT team runs it: a subprocess, a report, an exit code.

The frozen program runs the same check in .ci/run (packaging/build.sh, then the bundle's
--self-test); here it runs from source, once with no usable keyring and once with a real one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WITH_SECRET_SERVICE = ROOT / "packaging" / "with-secret-service.sh"


def self_test(*wrapper: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    return subprocess.run(
        [*wrapper, sys.executable, "-m", "viewer", "--self-test"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def report(run: subprocess.CompletedProcess) -> dict[str, str]:
    """Check name → its PASS/FAIL line."""
    lines = [line for line in run.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    return {line.split()[1]: line for line in lines}


def test_without_a_secure_keyring_the_self_test_fails_and_says_why():
    run = self_test(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    checks = report(run)
    assert run.returncode == 1, run.stdout + run.stderr
    assert checks["keyring"].startswith("FAIL") and "no secure keyring" in checks["keyring"]
    for name in ("start", "tls", "cache", "window"):  # everything else still works, and says so
        assert checks[name].startswith("PASS"), run.stdout + run.stderr
    assert "Mr Oliver Smith" in checks["window"]
    assert run.stdout.splitlines()[-1].startswith("self-test: FAIL (keyring)")


@pytest.mark.secret_service
@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon (apt-get install dbus-x11 gnome-keyring)",
)
def test_with_a_secret_service_every_check_passes():
    run = self_test(str(WITH_SECRET_SERVICE))
    checks = report(run)
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(checks) == ["cache", "keyring", "start", "tls", "window"]
    assert all(line.startswith("PASS") for line in checks.values()), run.stdout
    assert "SecretService" in checks["keyring"]
    assert "self-test: PASS" in run.stdout
