"""The command line's grammar: every command and option, and nothing that runs them.

It lives apart from viewer/cli.py so that `--help` and `--version` (and the start of the
window) build the parser without importing HTTP, crypto or the parsers behind the commands.
"""

from __future__ import annotations

import argparse

from viewer import __version__, cli_audit, cli_open, cli_profiles


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

    cli_profiles.add_parser(commands)
    cli_open.add_parser(commands)
    cli_audit.add_parser(commands)

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
