"""`customer-viewer open`: show a customer in this user's window, for softphones and links.

    customer-viewer open --mobile +447700900123          (a softphone's "run on answer")
    customer-viewer open 'customer-viewer://lookup?mobile=%2B447700900123'   (a clicked link)

The running window gets the request over the user's local socket (viewer/instance.py),
comes to the front and looks the customer up; this command exits at once with 0. When no
window runs, it starts one, detached, with that lookup. No Qt is imported here: a softphone
waits for this command, so it must be quick.

Exit codes: 0 handed over (or a window started); 2 a malformed link or value (the sentence
is printed, and shown by the window too, which sends nothing); 5 a window is running but
did not answer.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from viewer import instance
from viewer.domain import BadInput, ExitCode, IdentifierKind
from viewer.links import describe, link_for, parse_link, tel_links_on
from viewer.safe_text import shown

log = logging.getLogger("viewer.open")

_FLAGS = (  # (flag, dest, kind)
    ("--mobile", "open_mobile", IdentifierKind.MOBILE),
    ("--email", "open_email", IdentifierKind.EMAIL),
    ("--external-id", "open_external_id", IdentifierKind.EXTERNAL_ID),
    ("--interaction", "open_interaction", IdentifierKind.INTERACTION_ID),
    ("--query", "open_query", None),
)


def run(args: argparse.Namespace) -> int:
    try:
        link = _link(args)
    except BadInput as exc:
        _complain(str(exc))
        return int(ExitCode.USAGE)
    message = instance.lookup_message(link)
    instance.allow_window_to_come_forward()
    delivery = instance.hand_over(message)  # first: the window starts looking while we check
    from viewer.logs import setup_logging

    setup_logging()
    problem = _problem(link)
    if delivery is instance.Delivery.NO_ANSWER:
        _complain(
            "A Customer Interaction Viewer window is running but did not answer; "
            "nothing was looked up."
        )
        return int(ExitCode.UNAVAILABLE)
    if delivery is instance.Delivery.NOBODY:
        try:
            start_window(message, demo=_demo(args))
        except OSError as exc:
            _complain(f"The window could not be started ({exc.strerror or exc}).")
            return int(ExitCode.UNAVAILABLE)
    if problem:  # the window shows the same sentence, and sends nothing
        _complain(problem)
        return int(ExitCode.USAGE)
    return int(ExitCode.OK)


def _link(args: argparse.Namespace) -> str:
    given = [(dest, kind) for _flag, dest, kind in _FLAGS if getattr(args, dest) is not None]
    named = args.open_profile or getattr(
        args, "profile", None
    )  # `customer-viewer --profile P open`
    profile = named or ("demo" if _demo(args) else None)
    if args.link is not None and (given or named):
        raise BadInput("Give either a link or --mobile/--email/… (with --profile), not both.")
    if args.link is not None:
        return args.link
    if not given:
        raise BadInput(
            "Say who to show: a link, or --mobile, --email, --external-id, --interaction or --query."
        )
    dest, kind = given[0]
    return link_for(getattr(args, dest), kind, profile)


def _demo(args: argparse.Namespace) -> bool:
    return bool(args.open_demo or getattr(args, "demo", False))


def _problem(link: str) -> str:
    """The sentence for a link the window will refuse, or ""; unknown parameters are logged."""
    try:
        pop = parse_link(link, accept_tel=tel_links_on())
    except BadInput as exc:
        log.info("open: a malformed link was refused; nothing was looked up")
        return exc.message
    if pop.ignored:
        log.info(
            "open: ignored link parameter(s) %s in a %s", ", ".join(pop.ignored), describe(pop)
        )
    return ""


def _complain(text: str) -> None:
    print(f"customer-viewer: {shown(text)}", file=sys.stderr)


# -- starting a window ----------------------------------------------------------------------


def window_command() -> list[str]:
    """How to start this program's window: the frozen program itself (on Windows its
    windowed twin, which opens no console), or this Python with `-m viewer`."""
    if getattr(sys, "frozen", False):
        program = Path(sys.executable)
        windowed = program.with_name("customer-viewer-gui.exe")
        return [str(windowed if instance.WINDOWS and windowed.exists() else program)]
    python = Path(sys.executable)
    windowless = python.with_name("pythonw.exe")
    return [str(windowless if instance.WINDOWS and windowless.exists() else python), "-m", "viewer"]


def start_window(message: dict, demo: bool = False) -> subprocess.Popen:
    """A new window, detached from this command (which exits at once), with `message` as
    its first request. The request travels in the environment, not on the command line."""
    env = {**os.environ, instance.POP_ENV: json.dumps(message, ensure_ascii=True)}
    detached: dict = {"start_new_session": True}
    # sys.platform spelt out (not instance.WINDOWS): type checkers then know these flags exist.
    if sys.platform == "win32":  # pragma: no cover - Windows
        detached = {
            "creationflags": subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
        }
    return subprocess.Popen(
        [*window_command(), *(["--demo"] if demo else [])],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        **detached,
    )
