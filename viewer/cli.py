"""The command-line face: lookup, demo-server. No Qt is imported here.

Exit codes (DESIGN.md): 0 found, 2 bad usage, 3 not found, 4 authentication failed,
5 network/server unavailable or unreadable reply.

Nothing from a server, config.toml or the command line reaches the terminal raw: text
output shows control, bidi and invisible characters as visible marks (an ESC sequence in a
customer's name could retitle the window, clear the screen or write the clipboard), and
--json writes them as \\u escapes, so a program still reads the exact strings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime

from viewer import cli_audit, cli_open, cli_profiles
from viewer.cli_parser import build_parser
from viewer.domain import (
    BadInput,
    ExitCode,
    IdentifierKind,
    Query,
    Source,
    ViewerError,
    channel_label,
)
from viewer.export import to_csv
from viewer.identifiers import normalise_uuid, parse_query
from viewer.masking import Masker
from viewer.present import (
    detail_json,
    dumps,
    interaction_detail_fields,
    local_time,
    render_fields,
    render_table,
    state_json,
    status_line,
)
from viewer.profiles import Profile, load_config, resolve_profile
from viewer.safe_text import shown, visible
from viewer.search import SearchState
from viewer.timeline import TimelineFilter, build_filter, filter_json, filtered_result
from viewer.wiring import build_service, demo_profile, open_store


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    _never_fail_on_encoding()
    if args.command in ("lookup", "interaction", "profile") and not _config_usable(args):
        return int(ExitCode.USAGE)
    if args.command == "lookup":
        return run_lookup(args)
    if args.command == "interaction":
        return run_interaction(args)
    if args.command == "profile":
        return cli_profiles.run(args)
    if args.command == "open":
        return cli_open.run(args)
    if args.command == "audit":
        return cli_audit.run(args)
    if args.command == "demo-server":
        return run_demo_server(args)
    return int(ExitCode.USAGE)


# -- what reaches the terminal ---------------------------------------------------------


def say(text: str) -> None:
    """Print text output: every control, bidi and invisible character as a visible mark."""
    print(visible(text, multiline=True))


def complain(text: str) -> None:
    """One sentence on stderr; server text can reach it, so it is made visible and bounded."""
    print(f"customer-viewer: {shown(text)}", file=sys.stderr)


_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e\n]+")


def json_text(data, indent: int | None = 2) -> str:
    """JSON whose strings keep every character, with those a terminal would act on (C1
    controls, bidi, invisible; json.dumps already escapes C0) written as \\u escapes."""

    def escaped(match: re.Match) -> str:
        run = match.group()
        if visible(run) == run:  # the usual case: a word in another script
            return run
        return "".join(c if visible(c) == c else f"\\u{ord(c):04x}" for c in run)

    return _NOT_PLAIN_ASCII.sub(escaped, dumps(data, indent))


def _never_fail_on_encoding() -> None:
    # A console or pipe in a narrow encoding (cp1252) gets "\u241b" instead of a traceback.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not so when replaced (tests, embedding)
            with contextlib.suppress(ValueError):
                stream.reconfigure(errors="backslashreplace")


def _config_usable(args: argparse.Namespace) -> bool:
    """Say what config.toml gets wrong; False when it cannot be read at all (exit 2).
    A skipped profile is only a warning: the others still work."""
    if args.demo or getattr(args, "lookup_demo", False):
        return True
    config = load_config()
    if config.damaged:
        complain(f"{config.damaged} Fix that line, or move the file away to start again.")
        return False
    for problem in config.problems:
        complain(problem)
    return True


def _query_from(args: argparse.Namespace, default_country: str = ""):
    """The query; a mobile typed without "+" is national in the profile's country."""
    if args.mobile is not None:
        return parse_query(args.mobile, IdentifierKind.MOBILE, default_country)
    if args.email is not None:
        return parse_query(args.email, IdentifierKind.EMAIL)
    return parse_query(args.external_id, IdentifierKind.EXTERNAL_ID)


@contextlib.contextmanager
def _profile(args: argparse.Namespace) -> Iterator[Profile]:
    """The profile to use; with --demo, one pointing at a demo server run for this command."""
    if args.demo or getattr(args, "lookup_demo", False):
        from viewer.demo import DemoServer

        with DemoServer() as server:
            yield demo_profile(server.url)
        return
    name = getattr(args, "lookup_profile", None) or args.profile
    try:
        yield resolve_profile(name)
    except KeyError:
        raise BadInput(f"There is no profile named “{name}”.") from None


def run_lookup(args: argparse.Namespace) -> int:
    try:
        flt = build_filter(
            datetime.now().astimezone(),
            text=args.search,
            since=args.since,
            until=args.until,
            status=args.status,
            source=args.source,
            direction=args.direction,
        )
        if args.csv and (args.json or args.stream):
            raise BadInput("Choose one of --csv, --json and --stream.")
        with _profile(args) as profile:
            query = _query_from(args, profile.default_country)  # bad input: nothing is sent
            masker = _masker(args, profile)
            show = _stream_printer(args.json, flt, masker) if args.stream else None
            state = masker.mask_state(
                asyncio.run(_lookup(profile, query, args.channel, args.offline, show))
            )
        result = state.outcome()  # raises the failure of a search with nothing to show
    except ViewerError as exc:
        return _failed(exc)
    if args.stream and args.json:
        pass  # the final state was the last line
    elif args.csv:
        _print_csv(to_csv(filtered_result(result, flt).interactions))
    elif args.json:
        print(json_text(_filtered_json(state, flt)))
    else:
        shown_result = result if flt.is_empty else filtered_result(result, flt)
        say(render_table(shown_result))
        if not flt.is_empty:
            say(
                f"Filter: {flt.describe()} — {len(shown_result.interactions):,} of "
                f"{len(result.interactions):,} rows"
            )
    return int(ExitCode.OK)


def _filtered_json(state: SearchState, flt: TimelineFilter) -> dict:
    """state_json with only the matching rows and counts, plus "filter" when one is used."""
    if flt.is_empty or state.result is None:
        return state_json(state)
    shown_result = filtered_result(state.result, flt)
    data = state_json(replace(state, result=shown_result))
    data["counts"] = {
        c: n.listed if n.itemised else n.total for c, n in shown_result.counts.items()
    }
    data["filter"] = filter_json(state.result, flt, shown_result)
    return data


def _print_csv(text: str) -> None:
    """CSV as written to a file or pipe; on a terminal, control characters become visible."""
    text = text.replace("\r\n", "\n")  # stdout adds the platform's line end itself
    if sys.stdout.isatty():
        text = visible(text, multiline=True)
    sys.stdout.write(text)


def _masker(args: argparse.Namespace, profile: Profile) -> Masker:
    """--mask / --no-mask, else the profile's default. OTPs are masked either way."""
    return Masker(profile.mask_by_default if args.mask is None else args.mask)


def _stream_printer(
    as_json: bool, flt: TimelineFilter | None = None, masker: Masker | None = None
) -> Callable[[SearchState], None]:
    """`lookup --stream`: one line per state as it arrives (JSON lines, or a status line
    on stderr before the final table)."""

    def show(state: SearchState) -> None:
        if masker is not None:
            state = masker.mask_state(state)
        if as_json:
            print(
                json_text(_filtered_json(state, flt or TimelineFilter()), indent=None), flush=True
            )
        elif not state.final:
            rows = len(state.result.interactions) if state.result else 0
            complain(f"{' · '.join(status_line(s) for s in state.sources)} ({rows:,} rows so far)")

    return show


async def _lookup(
    profile: Profile,
    query: Query,
    channels: list[str],
    offline: bool,
    show: Callable[[SearchState], None] | None = None,
) -> SearchState:
    store = open_store()
    for notice in store.take_notices():
        complain(notice)
    service = build_service(profile, store)
    service.offline = offline
    last: SearchState | None = None
    try:
        states = service.search(query, [c.strip().lower() for c in channels], supersede=False)
        async with contextlib.aclosing(states):
            async for last in states:
                if show is not None:
                    show(last)
        assert last is not None, "a search always ends with a final state"
        return last
    finally:
        await service.aclose()  # waits for the save: a refusal lands in the result's warnings
        for notice in store.take_notices():  # damage found while working, said once
            complain(notice)
        store.close()


def run_interaction(args: argparse.Namespace) -> int:
    try:
        interaction_id = normalise_uuid(args.interaction_id)  # exit 2, nothing sent
        with _profile(args) as profile:
            detail = _masker(args, profile).mask_detail(
                asyncio.run(_detail(profile, interaction_id, args.offline))
            )
    except ViewerError as exc:
        return _failed(exc)
    if args.json:
        print(json_text(detail_json(detail)))
    else:
        item = detail.interaction
        title = f"Ctrl-Hub {channel_label(item.channel)}, {local_time(item.occurred_at)}"
        say(render_fields(title, interaction_detail_fields(detail)))
    return int(ExitCode.OK)


async def _detail(profile: Profile, interaction_id: str, offline: bool):
    store = open_store()
    service = build_service(profile, store)
    service.offline = offline
    try:
        return await service.interaction_detail(Source.CTRLHUB, interaction_id)
    finally:
        await service.aclose()
        for notice in store.take_notices():  # the key, damage, a detail too large to keep
            complain(notice)
        store.close()


def _failed(exc: ViewerError) -> int:
    complain(str(exc))
    if exc.detail:
        print(f"  ({shown(exc.detail)})", file=sys.stderr)
    return int(exc.exit_code)


def run_demo_server(args: argparse.Namespace) -> int:
    from viewer.demo import (
        DEMO_CAPILLARY_PASSWORD,
        DEMO_CAPILLARY_USERNAME,
        DemoServer,
        customer_list_text,
    )

    if args.list:
        print(customer_list_text())
        return int(ExitCode.OK)
    server = DemoServer(port=args.port)
    if args.fault:
        from viewer.demo.faults import Fault

        try:
            server.fault, server.fault_rate = Fault.parse(args.fault), args.fault_rate
        except ValueError as exc:
            complain(str(exc))
            return int(ExitCode.USAGE)
        print(f"Injecting fault {args.fault} into {args.fault_rate:.0%} of requests.", flush=True)
    print(
        f"Demo server on {server.url}  (Capillary user {DEMO_CAPILLARY_USERNAME!r}, "
        f"password {DEMO_CAPILLARY_PASSWORD!r}; Ctrl-C stops it)",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.stop()
    return int(ExitCode.OK)
