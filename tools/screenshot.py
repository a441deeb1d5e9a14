"""Open the window on the demo data, search, select a row, and save a PNG of the window.

    QT_QPA_PLATFORM=offscreen python tools/screenshot.py shot.png --query 917385022695 --row 0
Under Xvfb (DISPLAY set) it shows a real window instead. For looking at what agents see.
Masked mode is on (README images show no one's number); `--unmasked` turns it off, and
`--reveal Receiver` clicks Reveal on that field of the selected row first. `--dark` and
`--light` force the colour scheme (else the OS's, as the program does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

os.environ.setdefault("QT_API", "pyside6")
import qasync

from viewer.app import make_application, make_window
from viewer.demo import DemoServer
from viewer.ui import palette
from viewer.wiring import demo_profile


async def drive(window, args) -> None:
    shown = asyncio.get_running_loop().create_future()
    window.search_finished.connect(lambda msg: shown.done() or shown.set_result(msg or "shown"))
    window.search_bar.field.setText(args.query)
    window.search_bar.field.returnPressed.emit()
    print("result:", await asyncio.wait_for(shown, 60))
    bar = window.view.filter_bar
    if args.filter:
        bar.text.setText(args.filter)
    if args.status:
        bar.set_status(args.status)
    if args.period:
        bar.set_period(args.period)
    await asyncio.sleep(0.1)
    while not window.model.filtered and not bar.current_filter().is_empty:  # a large index
        await asyncio.sleep(0.05)
    if args.channel:
        window.select_channel(args.channel)
    if args.row is not None:
        window.select_row(args.row)
    if args.reveal:
        await reveal(window, args.reveal)
    for extra in args.then:
        window.search_bar.field.setText(extra)
        window.search_bar.field.returnPressed.emit()
        await asyncio.sleep(1.5)
    await asyncio.sleep(0.3)
    window.grab().save(args.out)
    print("saved", args.out)


async def reveal(window, field: str) -> None:
    """Click Reveal on `field` of the detail pane (waiting for a Ctrl-Hub row's full detail)."""
    for _ in range(100):
        buttons = {
            b.accessibleName().removeprefix("Reveal "): b for b in window.detail.reveal_buttons()
        }
        if field in buttons and not window.detail.note.isVisible():
            buttons[field].click()
            return
        await asyncio.sleep(0.05)
    print(f"no Reveal button for {field!r}; masked fields: {sorted(buttons)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--query", default="917385022695")
    parser.add_argument("--channel")
    parser.add_argument("--row", type=int)
    parser.add_argument(
        "--then", action="append", default=[], help="search this afterwards (e.g. an unknown id)"
    )
    parser.add_argument("--size", default="1360x820")
    parser.add_argument(
        "--unmasked", action="store_true", help="masked mode off (it is on by default)"
    )
    parser.add_argument("--reveal", metavar="FIELD", help="reveal this field of the selected row")
    scheme = parser.add_mutually_exclusive_group()
    scheme.add_argument("--dark", action="store_true", help="the dark colour scheme")
    scheme.add_argument("--light", action="store_true", help="the light colour scheme")
    parser.add_argument("--filter", help="words for the timeline filter")
    parser.add_argument("--status", choices=("all", "problems", "good"), help="status filter")
    parser.add_argument(
        "--period", choices=("today", "7d", "30d", "90d", "all"), help="date preset"
    )
    args = parser.parse_args()
    app = make_application()  # the icon, the translations and the OS's colour scheme
    if args.dark or args.light:
        palette.install(app, dark=args.dark)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with DemoServer() as server:
        window = make_window(demo_profile(server.url))
        window.masked.set_on(not args.unmasked)
        width, height = (int(v) for v in args.size.split("x"))
        window.resize(width, height)
        window.show()
        with loop:
            loop.run_until_complete(drive(window, args))
            loop.run_until_complete(window.shutdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
