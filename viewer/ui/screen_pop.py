"""Screen-pop: a request from a softphone or a link brings the window forward and looks the
customer up the way typing would (SearchController.start: the same checks, the same stream).

A link is untrusted (viewer/links.py): a malformed one is a sentence and nothing is sent;
a link never changes settings or credentials, and a link naming another profile than the
one in use does not switch it: the agent reads which, and switches with one click. Two
rapid pops end on the last (each carries the time its request was made; an older one
arriving late is dropped, and a newer search cancels the one in flight).

Requests arrive from the per-user socket (ui/single_instance.py), from the environment of
a window `open` started, or, on macOS, as URL open events (LinkEvents below).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction

from viewer import instance
from viewer.domain import BadInput
from viewer.i18n import _
from viewer.links import SCHEME, PopRequest, describe, parse_link, set_tel_links, tel_links_on
from viewer.safe_text import shown
from viewer.ui.single_instance import Claim, InstanceServer
from viewer.ui.tasks import BackgroundTasks

if TYPE_CHECKING:  # types only: the application wires these together
    from viewer.ui.connection_controller import ConnectionController
    from viewer.ui.main_window import MainWindow

log = logging.getLogger("viewer.ui.pop")


@dataclass
class _Painting:
    """A pop's search, until its first rows are on screen (for the log's timing line)."""

    generation: int
    arrived: float  # perf_counter when the window got the request
    made_ns: int  # wall-clock time the request was made (0: not known)


class ScreenPop(QObject):
    def __init__(
        self, window: MainWindow, connection: ConnectionController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent or window)
        self.window = window
        self.connection = connection  # ui.connection_controller.ConnectionController
        self.latest = 0  # stamp of the newest lookup request taken
        self._tasks = BackgroundTasks()
        self._painting: _Painting | None = None
        window.result_shown.connect(self._painted)
        self.tel_action = QAction(_("Open tel: links"), self, checkable=True)
        self.tel_action.setToolTip(
            _(
                "Look up the number of a tel: link (for a softphone or CRM "
                "that opens tel: links). Off unless you turn it on."
            )
        )
        self.tel_action.setChecked(tel_links_on())
        self.tel_action.toggled.connect(self._tel_toggled)
        window.search_menu.addAction(self.tel_action)

    # -- requests ----------------------------------------------------------------------------
    def handle(self, message: dict) -> None:
        """A checked request from the socket or the environment (viewer.instance.decode)."""
        bring_forward(self.window)
        if message["action"] == "show":
            log.info("screen-pop: brought forward by another start of the program")
            self._check_profile(message.get("profile"))
            return
        stamp = message["stamp"]
        if stamp <= self.latest:  # overtaken by a newer pop that arrived first
            log.info("screen-pop: an older request arrived late and was dropped")
            return
        self.latest = stamp
        self.open_link(message["link"], stamp, time.perf_counter())

    def open_link(self, link: str, made_ns: int = 0, arrived: float | None = None) -> None:
        """Look up what `link` asks for, once it has been checked like typed input."""
        arrived = time.perf_counter() if arrived is None else arrived
        try:
            pop = parse_link(link, accept_tel=self.tel_action.isChecked())
        except BadInput as exc:
            log.info("screen-pop: a malformed link was refused; nothing was looked up")
            self._say("error", _("A link could not be used: {reason}").format(reason=exc.message))
            return
        if pop.ignored:
            log.info(
                "screen-pop: ignored link parameter(s) %s in a %s",
                ", ".join(pop.ignored),
                describe(pop),
            )
        if not self._check_profile(pop.profile, pop):
            return
        self._tasks.start(self._look_up(pop, made_ns, arrived))

    async def _look_up(self, pop: PopRequest, made_ns: int, arrived: float) -> None:
        opening = self.connection.opening
        if opening is not None and not opening.done():  # the profile is still being opened
            await asyncio.wait([opening])
        if made_ns and made_ns != self.latest:
            return  # a newer pop came while waiting
        if self.connection.profile is None:
            self._say(
                "error",
                _(
                    "A link asked for a customer, but no connection is set up yet; "
                    "nothing was looked up."
                ),
            )
            return
        searches = self.window.searches
        before = searches.generation
        self.window.search_bar.field.setText(pop.text)  # the agent sees what was asked for
        self.window.start_search(pop.text, pop.kind)  # the typed path: checked again, then sent
        if searches.generation != before:
            self._painting = _Painting(searches.generation, arrived, made_ns)
        log.info("screen-pop: %s started", describe(pop))

    def _painted(self, _took: float) -> None:
        painting, searches = self._painting, self.window.searches
        if painting is None or painting.generation != searches.generation:
            return
        self._painting = None
        rows = (
            searches.state.result.interactions if searches.state and searches.state.result else ()
        )
        since_made = (
            f"{(time.time_ns() - painting.made_ns) / 1e6:.0f} ms after the request was made, "
            if painting.made_ns
            else ""
        )
        log.info(
            "screen-pop: rows painted %s%.0f ms after it arrived (%d rows)",
            since_made,
            (time.perf_counter() - painting.arrived) * 1000,
            len(rows),
        )

    # -- profiles: shown, never switched by a link ---------------------------------------------
    def _check_profile(self, wanted: str | None, pop: PopRequest | None = None) -> bool:
        """True when the request may go ahead in the profile in use; otherwise the agent reads
        which profile was asked for, with a button to switch (and look up) if it exists."""
        current = self.connection.profile.name if self.connection.profile is not None else None
        if not wanted or wanted == current:
            return True
        asked = (
            _("A link asked for {what} in profile “{profile}”").format(
                what=pop.text, profile=wanted
            )
            if pop
            else _("Another start of the program asked for profile “{profile}”").format(
                profile=wanted
            )
        )
        using = (
            _("this window uses “{profile}”").format(profile=current)
            if current
            else _("no profile is open")
        )
        from viewer import connections  # here: the window shows before it loads

        if wanted not in connections.saved_profiles() and wanted != "demo":
            self._say(
                "warning",
                _(
                    "{asked}, which this computer does not have ({using}). Nothing was looked up."
                ).format(asked=asked, using=using),
            )
            return False
        label = (
            _("Switch to “{profile}” and look up") if pop else _("Switch to “{profile}”")
        ).format(profile=shown(wanted, 40))
        self._say(
            "warning",
            _("{asked}, but {using}. Nothing was looked up.").format(asked=asked, using=using),
            (label, lambda: self._tasks.start(self._switch(wanted, pop))),
        )
        return False

    async def _switch(self, name: str, pop: PopRequest | None) -> None:
        opening = self.connection.use_named(name)  # the agent's click, not the link
        if opening is not None:
            await asyncio.wait([opening])
        profile = self.connection.profile
        if pop is not None and profile is not None and profile.name == name:
            await self._look_up(pop, 0, time.perf_counter())

    # -- the agent's setting ------------------------------------------------------------------
    def _tel_toggled(self, on: bool) -> None:
        try:
            set_tel_links(on)
        except (OSError, BadInput) as exc:
            self._say(
                "error",
                _("The tel: link setting could not be saved ({reason}).").format(reason=exc),
            )

    # -- helpers ----------------------------------------------------------------------------
    def _say(self, severity: str, sentence: str, action=None) -> None:
        self.window.show_page(None)
        self.window.message_bar.show_message(severity, [sentence], action=action)

    async def shutdown(self) -> None:
        await self._tasks.shutdown()


def bring_forward(window) -> None:
    """Raise and focus the window; a minimised one is restored, a maximised one stays so."""
    if window.isMinimized():
        window.setWindowState(
            (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
    window.show()
    window.raise_()
    window.activateWindow()


class LinkEvents(QObject):
    """macOS hands a clicked customer-viewer:// (or tel:) link to the running application as
    a QFileOpenEvent, starting it first if needed. Installed on the QApplication at once;
    links that arrive before the window is ready wait for `attach`."""

    link_opened = Signal(str)

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._waiting: list[str] = []
        self._attached = False
        app.installEventFilter(self)

    def attach(self, handler) -> None:
        self.link_opened.connect(handler)
        self._attached = True
        for link in self._waiting:
            self.link_opened.emit(link)
        self._waiting.clear()

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.FileOpen:
            return False
        url = event.url()
        if url.scheme().lower() not in (SCHEME, "tel"):
            return False
        link = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        if self._attached:
            self.link_opened.emit(link)
        elif len(self._waiting) < 10:
            self._waiting.append(link)
        return True


class PopInbox(QObject):
    """Everything that can ask the window for a customer, from the start of the program:
    the per-user socket (or, when another window already has it, handing this start's
    request to that window: `handed_over`), macOS link events, and the request this window
    was started with. Requests wait until `attach` gives them a window."""

    def __init__(
        self,
        app,
        first: dict | None,
        single_instance: bool = True,
        asked_profile: str | None = None,
    ):
        super().__init__(app)
        self.pop: ScreenPop | None = None
        self._waiting: list[dict] = [first] if first else []
        # Only macOS sends links as events. A Python filter on the application sees every
        # event of every widget (and made Qt build its event enums during start-up).
        self.links = LinkEvents(app) if sys.platform == "darwin" else None
        self.server: InstanceServer | None = None
        self.handed_over = False
        if single_instance:
            self.server = InstanceServer(self)
            claim = self.server.claim(first or instance.show_message(asked_profile))
            self.handed_over = claim is Claim.HANDED_OVER
            self.server.received.connect(self._received)

    def _received(self, message: dict) -> None:
        if self.pop is not None:
            self.pop.handle(message)
        elif len(self._waiting) < 10:
            self._waiting.append(message)

    def attach(self, window, connection) -> ScreenPop:
        self.pop = ScreenPop(window, connection)
        if self.links is not None:
            self.links.attach(self.pop.open_link)
        for message in self._waiting:
            self.pop.handle(message)
        self._waiting.clear()
        return self.pop

    async def shutdown(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.pop is not None:
            await self.pop.shutdown()
