"""`python -m viewer` and `customer-viewer`: a command runs the CLI, none opens the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 1 and argv[0].lower().startswith(("customer-viewer:", "tel:")):
        argv = ["open", "--", *argv]  # a link handler's `customer-viewer %u` (packaging/linux)
    if argv and argv[0] == "open":  # a softphone waits for this: no more imports than needed
        return _open(argv[1:])
    from viewer.cli_parser import build_parser

    args = build_parser().parse_args(argv)  # handles --help and --version itself (cheaply)
    from viewer.logs import setup_logging

    setup_logging()  # rotated and redacted, in the platform log folder
    if args.self_test:
        from viewer.selftest import run_self_test  # checks the (frozen) program works

        return run_self_test()
    if args.command:
        from viewer import cli

        return cli.main(argv)
    from viewer import instance

    first = instance.take_startup_message()  # the lookup `open` started this window with
    if not args.new_window:  # one window per user: the running one comes forward instead
        message = first or instance.show_message("demo" if args.demo else args.profile)
        if instance.hand_over(message) is instance.Delivery.DELIVERED:
            return 0
    from viewer.app import run_gui  # Qt is loaded only for the window

    return run_gui(
        demo=args.demo, profile_name=args.profile, first=first, single_instance=not args.new_window
    )


def _open(argv: list[str]) -> int:
    from viewer import cli_open  # it sets up logging once the request is handed over
    from viewer.cli_parser import open_parser

    return cli_open.run(open_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
