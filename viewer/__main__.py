"""`python -m viewer` and `customer-viewer`: a command runs the CLI, none opens the window."""

from __future__ import annotations

import sys

from viewer import cli


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = cli.build_parser().parse_args(argv)  # handles --help and --version itself
    from viewer.logs import setup_logging

    setup_logging()  # rotated and redacted, in the platform log folder
    if args.self_test:
        from viewer.selftest import run_self_test  # checks the (frozen) program works

        return run_self_test()
    if args.command:
        return cli.main(argv)
    from viewer.app import run_gui  # Qt is loaded only for the window

    return run_gui(demo=args.demo, profile_name=args.profile)


if __name__ == "__main__":
    sys.exit(main())
