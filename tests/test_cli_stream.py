"""`customer-viewer lookup --stream`: the search stream on the command line, as a process."""

from __future__ import annotations

import os

from tests.conftest import CTRLHUB_MOBILE
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN


def test_cli_stream_prints_each_state_in_order_and_ends_with_the_lookup_answer(demo_server):
    """`lookup --stream --json`: one JSON line per state; the last one is `lookup --json`."""
    import json
    import subprocess
    import sys

    from viewer.demo import DEMO_CAPILLARY_TIMEZONE, DEMO_CAPILLARY_USERNAME

    def run(*args: str, ctrlhub_url: str) -> subprocess.CompletedProcess:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("VIEWER_CAPILLARY", "VIEWER_CTRLHUB"))
        }
        env.update(
            {
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "VIEWER_CAPILLARY_URL": demo_server.url,
                "VIEWER_CAPILLARY_USERNAME": DEMO_CAPILLARY_USERNAME,
                "VIEWER_CAPILLARY_PASSWORD": DEMO_CAPILLARY_PASSWORD,
                "VIEWER_CAPILLARY_TIMEZONE": DEMO_CAPILLARY_TIMEZONE,
                "VIEWER_CTRLHUB_URL": ctrlhub_url,
                "VIEWER_CTRLHUB_AUTH_URL": demo_server.url,
                "VIEWER_CTRLHUB_ORG": DEMO_CTRLHUB_ORG,
                "VIEWER_CTRLHUB_TOKEN": DEMO_CTRLHUB_TOKEN,
            }
        )
        return subprocess.run(
            [sys.executable, "-m", "viewer", "lookup", "--mobile", CTRLHUB_MOBILE, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    streamed = run("--stream", "--json", ctrlhub_url=f"{demo_server.url}/fault/delay/1")
    assert streamed.returncode == 0, streamed.stderr
    states = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert [s["final"] for s in states] == [False] * (len(states) - 1) + [True]
    assert states[0]["customer"] is None and {s["state"] for s in states[0]["sources"]} == {
        "waiting"
    }
    capillary_first = next(s for s in states if s["interactions"])
    assert {i["source"] for i in capillary_first["interactions"]} == {"capillary"}
    assert [s["state"] for s in capillary_first["sources"]] == ["live", "waiting"]

    whole = run("--json", ctrlhub_url=demo_server.url)
    assert whole.returncode == 0, whole.stderr
    final, answer = states[-1], json.loads(whole.stdout)
    for moment in ("fetched_at", "saved_at"):
        final.pop(moment), answer.pop(moment)
    assert final == answer
