"""`customer-viewer lookup` as a script would run it: a real process, the demo server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FLAT_SAMPLE_MOBILE, TYPICAL_MOBILE, UNKNOWN_MOBILE
from viewer import __version__
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_TIMEZONE, DEMO_CAPILLARY_USERNAME


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VIEWER_CAPILLARY")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )


@pytest.fixture
def demo_env(demo_server):
    return {
        "VIEWER_CAPILLARY_URL": demo_server.url,
        "VIEWER_CAPILLARY_USERNAME": DEMO_CAPILLARY_USERNAME,
        "VIEWER_CAPILLARY_PASSWORD": DEMO_CAPILLARY_PASSWORD,
        "VIEWER_CAPILLARY_TIMEZONE": DEMO_CAPILLARY_TIMEZONE,
    }


def test_version():
    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"customer-viewer {__version__}"


def test_lookup_json_has_the_contract_shape(demo_env):
    done = run("lookup", "--mobile", "+91 73850-22695", "--json", env=demo_env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) >= {
        "customer",
        "interactions",
        "counts",
        "warnings",
        "errors",
        "from_cache",
        "fetched_at",
    }
    assert data["customer"]["mobile"] == FLAT_SAMPLE_MOBILE
    assert data["counts"]["viber"] == 3 and data["counts"]["sms"] == 4
    assert data["from_cache"] is False
    first = data["interactions"][0]
    assert set(first) >= {
        "source",
        "id",
        "channel",
        "direction",
        "occurred_at",
        "status",
        "subject",
        "counterpart",
        "campaign_id",
        "user_id",
        "delivered_at",
    }
    assert first["occurred_at"].endswith("+05:30")  # the tenant's zone, with its offset
    times = [i["occurred_at"] for i in data["interactions"]]
    assert times == sorted(times, reverse=True)


def test_lookup_table_is_readable(demo_env):
    done = run("lookup", "--mobile", TYPICAL_MOBILE, env=demo_env)
    assert done.returncode == 0, done.stderr
    assert "Priya Sharma" in done.stdout
    assert "SMS (" in done.stdout and "Subject" in done.stdout


def test_channel_filter(demo_env):
    done = run(
        "lookup",
        "--mobile",
        TYPICAL_MOBILE,
        "--channel",
        "sms",
        "--channel",
        "email",
        "--json",
        env=demo_env,
    )
    assert {i["channel"] for i in json.loads(done.stdout)["interactions"]} == {"sms", "email"}


@pytest.mark.parametrize(
    ("args", "env_change", "code", "says"),
    [
        (("--mobile", UNKNOWN_MOBILE), {}, 3, "no customer"),
        (
            ("--mobile", TYPICAL_MOBILE),
            {"VIEWER_CAPILLARY_PASSWORD": "nope"},
            4,
            "username or password",
        ),
        (
            ("--mobile", TYPICAL_MOBILE),
            {"VIEWER_CAPILLARY_URL": "http://127.0.0.1:9"},
            5,
            "Cannot reach",
        ),
        (("--mobile", "call me"), {}, 2, "not a mobile number"),
        (("--email", "nobody"), {}, 2, "not an e-mail address"),
    ],
)
def test_exit_codes(demo_env, args, env_change, code, says):
    done = run("lookup", *args, env={**demo_env, **env_change})
    assert done.returncode == code, done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert "nope" not in done.stderr


def test_no_profile_is_a_usage_error():
    done = run("lookup", "--mobile", TYPICAL_MOBILE)
    assert done.returncode == 2
    assert "No source is set up" in done.stderr


def test_demo_flag_needs_no_setup():
    done = run("lookup", "--demo", "--email", "PRIYA.SHARMA@example.com", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["customer"]["name"] == "Priya Sharma"


def test_demo_server_list():
    done = run("demo-server", "--list")
    assert done.returncode == 0
    assert "Priya Sharma" in done.stdout and "BULK-100K" in done.stdout


@pytest.fixture
def both_env(demo_env, demo_server):
    from viewer.demo import DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN

    return {
        **demo_env,
        "VIEWER_CTRLHUB_URL": demo_server.url,
        "VIEWER_CTRLHUB_ORG": DEMO_CTRLHUB_ORG,
        "VIEWER_CTRLHUB_TOKEN": DEMO_CTRLHUB_TOKEN,
    }


def test_lookup_includes_ctrlhub_rows(both_env):
    from tests.conftest import CTRLHUB_MOBILE

    done = run("lookup", "--mobile", CTRLHUB_MOBILE, "--json", env=both_env)
    assert done.returncode == 0, done.stderr
    ctrlhub_rows = [i for i in json.loads(done.stdout)["interactions"] if i["source"] == "ctrlhub"]
    assert ctrlhub_rows and set(ctrlhub_rows[0]) >= {
        "contacted",
        "notes",
        "direction",
        "occurred_at",
    }


def test_interaction_detail_json(both_env):
    from tests.conftest import CTRLHUB_INTERACTION

    done = run("interaction", CTRLHUB_INTERACTION, "--json", env=both_env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["related"]["contact"]["name"] == "Mr Oliver Smith"
    assert data["related"]["organisation"]["name"] == "Northfield Homes"
    text = run("interaction", CTRLHUB_INTERACTION, env=both_env).stdout
    assert "Mr Oliver Smith" in text and "Notes:" in text


@pytest.mark.parametrize(
    ("uuid", "env_change", "code"),
    [
        ("00000000-0000-4000-8000-000000000000", {}, 3),
        ("not-a-uuid", {}, 2),
        ("08dc5100-69e2-45a8-89f9-eb3045264115", {"VIEWER_CTRLHUB_TOKEN": "tok-SECRET-123"}, 4),
        ("08dc5100-69e2-45a8-89f9-eb3045264115", {"VIEWER_CTRLHUB_ORG": "not-a-uuid"}, 2),
    ],
)
def test_interaction_exit_codes(both_env, uuid, env_change, code):
    done = run("interaction", uuid, env={**both_env, **env_change})
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "tok-SECRET-123" not in done.stderr
