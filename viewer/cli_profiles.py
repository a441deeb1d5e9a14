"""`customer-viewer profile add | list | remove | test`: scriptable set-up for administrators.

With --secret-stdin the secrets are read from standard input, one per line: the Capillary
secret first (if Capillary is configured), then the Ctrl-Hub one; otherwise they are
prompted for without echo. Nothing secret is ever an argument (it would show in `ps`).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from viewer.domain import BadInput, ExitCode, ViewerError
from viewer.identifiers import country_code
from viewer.profiles import DEFAULT_CTRLHUB_AUTH_URL, DEFAULT_CTRLHUB_URL, Profile, load_config
from viewer.safe_text import shown, visible


def _services():
    """The connection services, imported on first use: `--help` and `--version` build this
    module's parser and should not pay for HTTP, keyring and crypto imports (~0.2 s)."""
    from viewer import connections, credentials

    return connections, credentials


def run(args: argparse.Namespace) -> int:
    try:
        return {
            "add": _add,
            "list": _list,
            "remove": _remove,
            "test": _test,
            "sign-out": _sign_out,
        }[args.profile_command](args)
    except ViewerError as exc:
        _complain(str(exc))
        return int(exc.exit_code)


def _say(text: str) -> None:
    """Profile names and addresses come from config.toml or a command line: one line each,
    with control, bidi and invisible characters shown as visible marks."""
    print(visible(text))


def _complain(text: str) -> None:
    print(f"customer-viewer: {shown(text)}", file=sys.stderr)


def _profile_from(args: argparse.Namespace) -> Profile:
    ctrlhub = bool(args.ctrlhub_org or args.ctrlhub_url)
    if ctrlhub and not args.ctrlhub_org:
        raise BadInput("--ctrlhub-org is needed to set up Ctrl-Hub.")
    for value in vars(args).values():
        if isinstance(value, str) and not _is_text(value):
            raise BadInput(f"“{value}” is not valid text; check the terminal's character encoding.")
    return Profile(
        name=args.name,
        capillary_url=args.capillary_url or "",
        capillary_auth=args.capillary_auth,
        capillary_username=args.capillary_username or "",
        capillary_key=args.capillary_key or "",
        capillary_timezone=args.capillary_timezone,
        ctrlhub_url=args.ctrlhub_url or DEFAULT_CTRLHUB_URL,
        ctrlhub_auth_url=args.ctrlhub_auth_url or DEFAULT_CTRLHUB_AUTH_URL,
        ctrlhub_org=args.ctrlhub_org or "",
        ctrlhub_auth=args.ctrlhub_auth,
        ctrlhub_username=args.ctrlhub_username or "",
        ctrlhub_client_id=args.ctrlhub_client_id or "",
        default_country=country_code(args.country),  # BadInput for an unknown code: exit 2
    )


def _is_text(value: str) -> bool:
    """False for the lone surrogates Python makes of bytes that are not UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read_secrets(profile: Profile, from_stdin: bool) -> dict[str, str]:
    connections, credentials = _services()
    secrets = {}
    for _source, purpose, what in connections.secret_purposes(profile):
        if from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise BadInput(f"Standard input ended before the {what}.")
            value = line.rstrip("\r\n")
        else:
            try:
                value = getpass.getpass(f"{what}: ")
            except EOFError:  # no terminal to ask at (a script, a pipe that ended)
                raise BadInput(
                    f"Nothing was typed for the {what}; in a script, pass --secret-stdin."
                ) from None
        if not value:
            raise BadInput(f"The {what} is empty.")
        secrets[purpose] = value
    return secrets


def _add(args: argparse.Namespace) -> int:
    connections, credentials = _services()
    if args.capillary_url and args.capillary_auth == "basic" and not args.capillary_username:
        raise BadInput("--capillary-username is needed with --capillary-auth basic.")
    if args.capillary_url and args.capillary_auth == "oauth" and not args.capillary_key:
        raise BadInput("--capillary-key is needed with --capillary-auth oauth.")
    profile = connections.check_profile(_profile_from(args))
    secrets = _read_secrets(profile, args.secret_stdin)
    secrets = asyncio.run(connections.sign_in_if_needed(profile, secrets))
    config = load_config()
    existed = profile.name in config.profiles or profile.name in config.skipped
    notices = connections.save(profile, secrets)
    _say(f"Profile “{profile.name}” {'updated' if existed else 'added'}.")
    if notices or not credentials.backend_status()[0]:
        # A script must not believe the rollout worked: the secrets ended with this command.
        _complain(
            "the profile was saved, but its secrets were not: no secure keyring is available here."
        )
        return int(ExitCode.UNAVAILABLE)
    return int(ExitCode.OK)


def _list(_args: argparse.Namespace) -> int:
    connections, credentials = _services()
    config = load_config()
    if not config.profiles and not config.skipped:
        print("No profiles yet: customer-viewer profile add NAME …")
    for name, profile in sorted(config.profiles.items()):
        parts = []
        if profile.has_capillary:
            who = profile.capillary_username or profile.capillary_key
            parts.append(
                f"Capillary {profile.capillary_url} ({profile.capillary_auth}: {who}, {profile.capillary_timezone})"
            )
        if profile.has_ctrlhub:
            parts.append(
                f"Ctrl-Hub {profile.ctrlhub_url} org {profile.ctrlhub_org} ({profile.ctrlhub_auth})"
            )
        country = (
            f"; mobiles without + read as {profile.default_country}"
            if profile.default_country
            else ""
        )
        mark = "*" if name == config.last_profile else " "
        _say(f"{mark} {name}: " + ("; ".join(parts) or "nothing set up") + country)
    for name in sorted(config.skipped):
        _say(f"! {name}: not used (see the sentence above; fix it in config.toml or add it again)")
    secure, backend = credentials.backend_status()
    print(f"Secrets: {'OS keyring' if secure else 'NO secure keyring'} ({backend})")
    return int(ExitCode.OK)


def _remove(args: argparse.Namespace) -> int:
    connections, credentials = _services()
    if not connections.remove(args.name):
        raise BadInput(f"There is no profile named “{args.name}”.")
    _say(f"Profile “{args.name}” and its stored secrets removed.")
    return int(ExitCode.OK)


def _test(args: argparse.Namespace) -> int:
    connections, credentials = _services()
    config = load_config()
    if args.name in config.skipped:
        raise BadInput(config.skipped[args.name].why)
    profile = config.profiles.get(args.name)
    if profile is None:
        raise BadInput(f"There is no profile named “{args.name}”.")
    checks = asyncio.run(connections.check_connections(profile))
    for check in checks:
        _say(f"{'OK  ' if check.ok else 'FAIL'} {shown(check.message)}")
    failed = [c for c in checks if not c.ok]
    return failed[0].exit_code if failed else int(ExitCode.OK)


def _sign_out(args: argparse.Namespace) -> int:
    connections, _credentials = _services()
    config = load_config()
    profile = config.profiles.get(args.name)
    if profile is None:
        raise BadInput(f"There is no profile named “{args.name}”.")
    if not args.yes and not _confirmed(
        f"Sign out of “{args.name}”: end its Ctrl-Hub session and remove its "
        "passwords, tokens and saved customers from this computer? [y/N] "
    ):
        _say("Nothing changed.")
        return int(ExitCode.USAGE)
    result = asyncio.run(connections.sign_out(profile))
    if result.server_ended:
        _say(result.message)
        return int(ExitCode.OK)
    _complain(result.message)
    return int(ExitCode.UNAVAILABLE)


def _confirmed(question: str) -> bool:
    print(visible(question), end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")
