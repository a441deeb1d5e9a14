"""How long the installed program takes for what is not the window: `--version`, and a
softphone's `open` handing a customer to the window already running.

    packaging/build.sh
    xvfb-run -a .venv/bin/python bench/bundle_commands.py [--runs 7] [--bundle PATH]

Starts the bundle's window on the demo data (empty settings, its own runtime folder), waits
until it answers hand-overs, then times each command --runs times as a softphone runs it (a
new process each time, until it exits) and prints the median and range. Both commands load
neither Qt nor the lookup stack; what they cost is the bundle's own start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPEN = ["open", "--mobile", "919845012345", "--demo"]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    # An `open` the window did not take would open a window of its own and never end.
    subprocess.run(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=30,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--bundle", default=str(ROOT / "dist" / "customer-viewer" / "customer-viewer")
    )
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit(
            "bundle_commands: needs a display for the window (run it under xvfb-run -a)"
        )
    with tempfile.TemporaryDirectory() as home:
        runtime = Path(home) / "runtime"
        runtime.mkdir(mode=0o700)
        env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),  # the hand-over socket lives here
            "VIEWER_CONFIG_DIR": f"{home}/config",
            "VIEWER_CACHE_DIR": f"{home}/cache",
            "VIEWER_LOG_DIR": f"{home}/logs",
        }
        window = subprocess.Popen(
            [args.bundle, "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 30
            # The window's socket (viewer/instance.py): it takes hand-overs once that exists.
            while not any(entry.is_socket() for entry in runtime.rglob("*")):
                if time.monotonic() > deadline or window.poll() is not None:
                    raise SystemExit("bundle_commands: the window did not start")
                time.sleep(0.1)
            time.sleep(1.0)  # the window's own start settles
            for name, command in (("--version", ["--version"]), ("open (hand-over)", OPEN)):
                timed([args.bundle, *command], env)  # warm-up
                took = [timed([args.bundle, *command], env) for _ in range(args.runs)]
                print(
                    f"{name:<18} median {statistics.median(took) * 1000:,.0f} ms "
                    f"(min {min(took) * 1000:,.0f}, max {max(took) * 1000:,.0f}, {args.runs} runs)"
                )
        finally:
            window.terminate()
            window.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
