"""The command line's grammar: every command and option, and nothing that runs them.

It lives apart from viewer/cli.py so that `--help` and `--version` (and the start of the
window) build the parser without importing HTTP, crypto or the parsers behind the commands.
"""

from __future__ import annotations

import argparse

from viewer import __version__

# The defaults `profile add` applies (viewer/profiles.py; tests/test_cli_parser.py keeps them
# equal), written here so that the help needs no import.
CTRLHUB_URL = "https://api.ctrl-hub.com"
CTRLHUB_AUTH_URL = "https://auth.ctrl-hub.com"

OPEN_DESCRIPTION = (
    "Show a customer in the window that is already open (it comes to the front), or "
    "open one. For softphones: run `customer-viewer open --mobile NUMBER` on ring or answer."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-viewer",
        description="Look a customer up in Capillary and Ctrl-Hub. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"customer-viewer {__version__}")
    parser.add_argument("--demo", action="store_true", help="use the built-in demo server and data")
    parser.add_argument("--profile", metavar="P", help="connection profile to use")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation works (window, demo, keyring, TLS, cache)",
    )
    parser.add_argument(
        "--new-window",
        action="store_true",
        help="open another window even when one is already open (see `open`)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    lookup = commands.add_parser("lookup", help="print one customer's messages")
    which = lookup.add_mutually_exclusive_group(required=True)
    which.add_argument("--mobile", metavar="N", help='mobile number, any format: "+91 99001-12233"')
    which.add_argument("--email", metavar="E")
    which.add_argument("--external-id", metavar="X")
    lookup.add_argument("--profile", metavar="P", dest="lookup_profile", help="connection profile")
    lookup.add_argument(
        "--channel", metavar="C", action="append", default=[], help="only this channel (repeatable)"
    )
    lookup.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lookup.add_argument(
        "--stream",
        action="store_true",
        help="print each state as it arrives (with --json: one JSON line per state)",
    )
    lookup.add_argument(
        "--offline", action="store_true", help="answer from saved data only; send nothing"
    )
    lookup.add_argument(
        "--demo", action="store_true", dest="lookup_demo", help="ask the built-in demo server"
    )
    # The window's filter bar, as flags: the same TimelineFilter (viewer/timeline.py).
    lookup.add_argument(
        "--since", metavar="WHEN", help="only rows from then on: 7d, 24h, today, 30d, 2025-01-01"
    )
    lookup.add_argument(
        "--until", metavar="WHEN", help="only rows before then (a date includes that day)"
    )
    lookup.add_argument(
        "--status",
        metavar="S",
        default="all",
        help="all, problems (failed, bounced, "
        "blocked, not delivered, open callbacks) or good (delivered and read)",
    )
    lookup.add_argument(
        "--search",
        metavar="TEXT",
        default="",
        help="only rows whose subject, notes, receiver/contact, status or campaign hold every word",
    )
    lookup.add_argument("--source", metavar="SRC", help="capillary, ctrl-hub or both")
    lookup.add_argument("--direction", metavar="D", help="inbound, outbound or both")
    lookup.add_argument("--csv", action="store_true", help="print the (filtered) rows as CSV")
    _add_mask_options(lookup)

    detail = commands.add_parser("interaction", help="print one Ctrl-Hub interaction in full")
    detail.add_argument("interaction_id", metavar="UUID", help="the Ctrl-Hub interaction id")
    detail.add_argument("--profile", metavar="P", dest="lookup_profile", help="connection profile")
    detail.add_argument("--json", action="store_true", help="print JSON instead of text")
    detail.add_argument(
        "--offline", action="store_true", help="answer from saved data only; send nothing"
    )
    detail.add_argument(
        "--demo", action="store_true", dest="lookup_demo", help="ask the built-in demo server"
    )
    _add_mask_options(detail)

    _add_profile_commands(commands)
    _add_open_arguments(
        commands.add_parser(
            "open",
            help="show a customer in the running window (softphones, links)",
            description=OPEN_DESCRIPTION,
        )
    )
    _add_audit_command(commands)

    server = commands.add_parser("demo-server", help="run the demo API server")
    server.add_argument(
        "--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)"
    )
    server.add_argument("--list", action="store_true", help="print the demo customers and exit")
    server.add_argument(
        "--fault",
        metavar="NAME[/ARG]",
        help="misbehave: delay/SECONDS, 401…521, malformed, wrong-shape, html, empty, "
        "cutoff, reset, drip/SECONDS, huge (see viewer/demo/faults.py)",
    )
    server.add_argument(
        "--fault-rate",
        metavar="P",
        type=float,
        default=1.0,
        help="share of requests that get the fault (0–1, default 1)",
    )
    return parser


def _add_mask_options(command: argparse.ArgumentParser) -> None:
    """--mask / --no-mask; neither: the profile's mask_by_default decides."""
    mask = command.add_mutually_exclusive_group()
    mask.add_argument(
        "--mask",
        action="store_const",
        const=True,
        dest="mask",
        default=None,
        help="hide names, mobiles, e-mail addresses, receivers and addresses",
    )
    mask.add_argument(
        "--no-mask",
        action="store_const",
        const=False,
        dest="mask",
        help="show them even when the profile masks by default",
    )


def open_parser() -> argparse.ArgumentParser:
    """`customer-viewer open …` alone: a softphone waits for it, so nothing else is built."""
    parser = argparse.ArgumentParser(prog="customer-viewer open", description=OPEN_DESCRIPTION)
    _add_open_arguments(parser)
    return parser


def _add_profile_commands(commands) -> None:
    profile = commands.add_parser("profile", help="add, list, remove or test connection profiles")
    actions = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add or update a profile")
    add.add_argument("name")
    add.add_argument(
        "--capillary-url",
        metavar="URL",
        help="https URL or cluster host, e.g. eu.api.capillarytech.com",
    )
    add.add_argument("--capillary-auth", choices=("basic", "oauth"), default="basic")
    add.add_argument("--capillary-username", metavar="U")
    add.add_argument("--capillary-key", metavar="KEY", help="OAuth client key")
    add.add_argument(
        "--capillary-timezone", metavar="ZONE", default="UTC", help="the tenant's zone (IANA name)"
    )
    add.add_argument("--ctrlhub-url", metavar="URL", default=None, help=f"default {CTRLHUB_URL}")
    add.add_argument("--ctrlhub-auth-url", metavar="URL", help=f"default {CTRLHUB_AUTH_URL}")
    add.add_argument("--ctrlhub-org", metavar="ORG", help="organisation UUID")
    add.add_argument("--ctrlhub-auth", choices=("token", "password", "service"), default="token")
    add.add_argument("--ctrlhub-username", metavar="EMAIL", help="for --ctrlhub-auth password")
    add.add_argument("--ctrlhub-client-id", metavar="ID", help="for --ctrlhub-auth service")
    add.add_argument(
        "--country",
        metavar="XX",
        default="",
        help="default country (ISO code: IN, GB, SG…): mobiles typed without + are national there",
    )
    add.add_argument(
        "--secret-stdin", action="store_true", help="read secrets from stdin, one per line"
    )

    actions.add_parser("list", help="list profiles (no secrets)")
    remove = actions.add_parser("remove", help="remove a profile and its secrets")
    remove.add_argument("name")
    test = actions.add_parser("test", help="check every configured source answers")
    test.add_argument("name")
    sign_out = actions.add_parser(
        "sign-out",
        help="end the Ctrl-Hub session, remove the profile's "
        "secrets and saved customers (the profile stays)",
    )
    sign_out.add_argument("name")
    sign_out.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _add_open_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "link",
        nargs="?",
        metavar="LINK",
        help="a customer-viewer://lookup?… link (or tel:…, when turned on)",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--mobile", metavar="N", dest="open_mobile", help="mobile number, any format"
    )
    which.add_argument("--email", metavar="E", dest="open_email")
    which.add_argument("--external-id", metavar="X", dest="open_external_id")
    which.add_argument(
        "--interaction", metavar="UUID", dest="open_interaction", help="a Ctrl-Hub interaction id"
    )
    which.add_argument(
        "--query", metavar="TEXT", dest="open_query", help="anything: its kind is detected"
    )
    parser.add_argument(
        "--profile",
        metavar="P",
        dest="open_profile",
        help="the profile the lookup is meant for (the window asks before switching)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        dest="open_demo",
        help="when no window is running, start the demo",
    )


def _add_audit_command(commands) -> None:
    audit = commands.add_parser("audit", help="print the access log (lookups, exports, copies)")
    audit.add_argument(
        "--since", metavar="WHEN", help="only records from then on: 7d, 24h, today, 2025-01-01"
    )
    shape = audit.add_mutually_exclusive_group()
    shape.add_argument("--csv", action="store_true", help="print CSV")
    shape.add_argument("--json", action="store_true", help="print JSON lines, as kept")
