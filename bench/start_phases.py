"""Where the window's start goes, step by step (issue 13, P1), in this fresh process.

    xvfb-run -a .venv/bin/python bench/start_phases.py

Imports, builds and shows the window as viewer.app.run_gui does before its first paint, and
prints each step's milliseconds: the imports, the application, the search and message bars,
the customer view, the rest of the window, show and first paint. Run it a few times: the
first run after a change also compiles the project. bench/speed_table.py's P1 row times the
whole start against a bare window.
"""

import time

STARTED = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
steps: list[tuple[str, float]] = []


def step(name: str) -> None:
    steps.append((name, time.perf_counter()))


def main() -> int:
    import viewer.app as app_module

    step("import viewer.app (qasync, asyncio, PySide6's widgets, the domain)")
    import viewer.ui.message_bar
    import viewer.ui.search_bar

    step("import the search and message bars")
    import viewer.ui.customer_view

    step("import the customer view")
    import viewer.ui.main_window as main_window

    step("import the rest of the window")
    import viewer.ui.screen_pop  # noqa: F401

    step("import the screen-pop inbox")
    app = app_module.make_application()
    step("make_application")
    app_module.make_loop(app)
    step("make_loop")
    customer_view = main_window.CustomerView

    def timed_view(*args, **kwargs):
        step("build the window up to the customer view (search and message bars)")
        view = customer_view(*args, **kwargs)
        step("build the customer view")
        return view

    main_window.CustomerView = timed_view
    window = main_window.MainWindow(None)
    step("build the rest of the window")
    window.show()
    app.processEvents()
    step("show and first paint")
    before = STARTED
    for name, at in steps:
        print(f"{(at - before) * 1000:7.1f} ms  {name}")
        before = at
    print(f"{(before - STARTED) * 1000:7.1f} ms  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
