"""`customer-viewer lookup` and saved data, across processes (a file keyring holds the key)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CTRLHUB_INTERACTION, TYPICAL_MOBILE
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN, DemoServer

ROOT = Path(__file__).resolve().parent.parent


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_answers_from_saved_data_when_offline_or_down(tmp_path):
    server = DemoServer()
    server.start()
    env = {
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "VIEWER_CAPILLARY_URL": server.url,
        "VIEWER_CAPILLARY_USERNAME": "demo",
        "VIEWER_CAPILLARY_PASSWORD": DEMO_CAPILLARY_PASSWORD,
        "VIEWER_CAPILLARY_TIMEZONE": "Asia/Kolkata",
        "VIEWER_CTRLHUB_URL": server.url,
        "VIEWER_CTRLHUB_ORG": DEMO_CTRLHUB_ORG,
        "VIEWER_CTRLHUB_TOKEN": DEMO_CTRLHUB_TOKEN,
    }
    try:
        live = run(env, "lookup", "--mobile", TYPICAL_MOBILE, "--json")
        assert live.returncode == 0 and json.loads(live.stdout)["from_cache"] is False
        assert run(env, "interaction", CTRLHUB_INTERACTION).returncode == 0
        before = server.request_count
        offline = run(env, "lookup", "--mobile", TYPICAL_MOBILE, "--offline", "--json")
        assert server.request_count == before  # --offline sent nothing
    finally:
        server.stop()
    data = json.loads(offline.stdout)
    assert data["from_cache"] is True and data["saved_at"]
    assert len(data["interactions"]) == len(json.loads(live.stdout)["interactions"])

    down = run(env, "lookup", "--mobile", TYPICAL_MOBILE, "--json")  # the server is gone now
    assert down.returncode == 0, down.stderr
    data = json.loads(down.stdout)
    assert data["from_cache"] is True and "Cannot reach" in data["errors"][0]["message"]
    table = run(env, "lookup", "--mobile", TYPICAL_MOBILE)
    assert "FROM SAVED DATA, saved" in table.stdout
    detail = run(env, "interaction", CTRLHUB_INTERACTION, "--offline")
    assert detail.returncode == 0 and "Mr Oliver Smith" in detail.stdout
    unknown = run(env, "lookup", "--mobile", "919999999999", "--offline")
    assert unknown.returncode == 3 and "not in the saved data" in unknown.stderr
