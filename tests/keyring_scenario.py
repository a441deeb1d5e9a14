"""Run under packaging/with-secret-service.sh by test_secret_service.py: the real keyring.

Prints one JSON object of observations; the test asserts on them.
"""

import json
import os
import subprocess
import sys

import keyring

from viewer import credentials
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_PASSWORD, DemoServer


def viewer(*args, stdin=""):
    done = subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {"code": done.returncode, "out": done.stdout, "err": done.stderr}


seen = {"backend": credentials.backend_status()}
with DemoServer() as server:
    add = viewer(
        "profile",
        "add",
        "office",
        "--capillary-url",
        server.url,
        "--capillary-username",
        "demo",
        "--capillary-timezone",
        "Asia/Kolkata",
        "--ctrlhub-url",
        server.url,
        "--ctrlhub-auth-url",
        server.url,
        "--ctrlhub-org",
        "5f0c3a1e-8b7d-4c2a-9e61-3d4b2a1c0f9e",
        "--ctrlhub-auth",
        "password",
        "--ctrlhub-username",
        "agent@northfield-homes.example.com",
        "--secret-stdin",
        stdin=f"{DEMO_CAPILLARY_PASSWORD}\n{DEMO_CTRLHUB_PASSWORD}\n",
    )
    seen["add"] = add
    seen["stored_password"] = keyring.get_password("customer-viewer", "office:capillary_password")
    seen["stored_token"] = bool(keyring.get_password("customer-viewer", "office:ctrlhub_token"))
    seen["stored_ctrlhub_password"] = keyring.get_password(
        "customer-viewer", "office:ctrlhub_password"
    )
    seen["test"] = viewer("profile", "test", "office")
    seen["lookup"] = viewer("lookup", "--profile", "office", "--mobile", "447700900123", "--json")
    seen["remove"] = viewer("profile", "remove", "office")
    seen["left_after_remove"] = [
        p for p in credentials.PURPOSES if keyring.get_password("customer-viewer", f"office:{p}")
    ]
seen["config_dir"] = os.environ["VIEWER_CONFIG_DIR"]
print(json.dumps(seen))
