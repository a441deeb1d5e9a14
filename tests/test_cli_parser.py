"""The command line's grammar (viewer/cli_parser.py) stays cheap: `--version`, `--help` and a
softphone's `open` build it without loading the network, keyring or parser stack."""

from __future__ import annotations

import json
import subprocess
import sys

from viewer import cli_parser, profiles

HEAVY = ("httpx", "cryptography", "keyring", "phonenumbers", "viewer.domain", "viewer.profiles")


def modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_and_version_import_nothing_that_runs_a_command():
    loaded = modules_after(
        "from viewer.cli_parser import build_parser, open_parser\nbuild_parser(); open_parser()"
    )
    assert not {m for m in loaded for heavy in HEAVY if m == heavy or m.startswith(heavy + ".")}


def test_the_help_names_the_defaults_profile_add_applies():
    assert cli_parser.CTRLHUB_URL == profiles.DEFAULT_CTRLHUB_URL
    assert cli_parser.CTRLHUB_AUTH_URL == profiles.DEFAULT_CTRLHUB_AUTH_URL
    text = cli_parser.build_parser().parse_known_args(["profile", "add", "x"])
    assert text[0].ctrlhub_auth_url is None  # cli_profiles applies the default itself


def test_every_command_is_in_the_grammar():
    args = cli_parser.build_parser().parse_args(["audit", "--since", "7d", "--csv"])
    assert (args.command, args.since, args.csv) == ("audit", "7d", True)
    args = cli_parser.open_parser().parse_args(["--mobile", "+44 7700 900123", "--demo"])
    assert (args.open_mobile, args.open_demo) == ("+44 7700 900123", True)
