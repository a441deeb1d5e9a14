"""Runs the agent's searches and paints each state of the stream as it arrives.

The rules of a search (saved copy vs live, one source waiting for none, a newer search
silencing an older one) live in viewer/search.py; this module only turns states into
what the agent sees: rows at once, a chip per source, the stale/previous banner, and one
sentence per failing source with Retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.domain import Customer, IdentifierKind, NotFound, Query, ViewerError
from viewer.i18n import _
from viewer.identifiers import parse_query
from viewer.present import age
from viewer.search import SearchState
from viewer.ui.customer_view import CustomerView
from viewer.ui.gc_guard import collections_deferred, freeze_large_result
from viewer.ui.masked_mode import OFF_THREAD_ROWS, MaskedMode
from viewer.ui.message_bar import MessageBar
from viewer.ui.search_bar import SearchBar

if TYPE_CHECKING:  # only a type here: the window shows before the lookup stack loads
    from viewer.lookup import LookupService

log = logging.getLogger("viewer.ui")
BUSY_AFTER_MS = 120


class SearchController(QObject):
    # A result is on screen (rows painted), with the seconds since Enter.
    result_shown = Signal(float)
    # A search ended without a new result (the sentence is shown).
    search_failed = Signal(str)
    # A source says the session ended and signing in again would fix it.
    sign_in_needed = Signal()
    # A search ended (not cancelled): "" when its final state is on screen, else the sentence.
    search_finished = Signal(str)

    def __init__(
        self,
        service: Callable[[], LookupService | None],
        bar: SearchBar,
        view: CustomerView,
        messages: MessageBar,
        status: Callable[[str], None],
        parent=None,
    ):
        super().__init__(parent)
        self._service = service
        self.bar = bar
        self.view = view
        self.messages = messages
        self._status = status
        self.task: asyncio.Task | None = None
        self.generation = 0  # searches started (tests wait on it)
        self.last: tuple[str, IdentifierKind | None] | None = None
        self.state: SearchState | None = None  # as the sources said it: never shown as such
        self.shown: SearchState | None = None  # the masked copy of it on screen
        self.mode = MaskedMode(False, self)  # the window gives its own
        self._paint_seq = 0  # a newer paint (a new state, a toggle) wins over an older one
        self._remasking: set[asyncio.Task] = set()
        self.notes: list[str] = []  # said by the saved data during this search
        # What the message bar said of the customer it painted (their warnings, "saved 3 h
        # ago"); while the bar still says exactly that, it speaks of the customer on screen.
        self._view_notice: str | None = None
        self._started = 0.0
        self._searching_shown = False  # the window says this search is under way
        self._finished_said = False  # search_finished was emitted for this search
        # While the window opens its connection (start-up, a profile switch), a search
        # typed meanwhile waits for it instead of failing ("set_connecting").
        self.connecting = False
        self.waiting: tuple[str, IdentifierKind | None] | None = None

    # -- starting and stopping -------------------------------------------------------------
    def start(self, text: str, kind: IdentifierKind | None = None) -> None:
        self.last = (text, kind)
        service = self._service()
        try:  # a mobile typed without "+" is national in the profile's country
            query = parse_query(
                text, kind, service.default_country if service is not None else None
            )
        except ViewerError as exc:
            self._fail_before_start(exc)
            return
        if service is None:
            if self.connecting:
                self.waiting = (text, kind)
                self.bar.set_busy(True)  # the agent sees it is under way
                self._status(_("Opening the connection… the search starts as soon as it is open."))
                return
            self.bar.set_busy(False)  # a search that waited, for a connection that failed
            self.messages.show_message(
                "error", [_("No connection is set up, so nothing can be searched.")]
            )
            return
        self.cancel(quiet=True)
        self.generation += 1
        self.notes = []
        self.state = self.shown = None
        self._started = time.perf_counter()
        self._searching_shown = False
        self._finished_said = False
        self.task = asyncio.ensure_future(self._run(service, query))
        # A search that answers at once is painted once, with its answer: the spinner, the
        # status line, the sources' "loading" and clearing the old message wait BUSY_AFTER_MS
        # (each relayouts the window first). Dimming the customer shown does not wait: it
        # repaints the whole list, which costs least now, before any worker parses (during a
        # large parse every call Qt makes into Python waits for the GIL: 0.37 s measured).
        QTimer.singleShot(BUSY_AFTER_MS, lambda task=self.task: self._still_busy(task, query))

    def set_connecting(self, connecting: bool) -> None:
        """A connection is being opened (True), or the opening ended, with or without a
        service: a search that waited for it starts now (or says why it cannot)."""
        self.connecting = connecting
        if not connecting and self.waiting is not None:
            text, kind = self.waiting
            self.waiting = None
            self.start(text, kind)

    @property
    def answered(self) -> bool:
        """The current search's final state is on screen. The search is over for the agent
        then, though its task lives on until the list has painted and the save started
        (_run): no spinner, no "Search cancelled." for it, and Esc clears the filter."""
        return self.shown is not None and self.shown.final

    @property
    def searching(self) -> bool:
        """A search is under way as the agent sees it."""
        return self.task is not None and not self.task.done() and not self.answered

    def _still_busy(self, task: asyncio.Task, query: Query) -> None:
        if task is self.task and self.searching:  # nothing would hide a spinner shown later
            # What the bar says of the customer still shown (dimmed) stays true until the new
            # one arrives, and hiding it would relayout the window and repaint the whole list
            # while the new customer is parsed: each call Qt makes into Python then waits for
            # the GIL, and at 100,000 rows that repaint froze the window for 0.6 s.
            keep = self.view.result is not None and self._bar_speaks_of_view()
            if (self.state is None or self.state.result is None) and not keep:
                self.messages.clear()
            self.bar.set_busy(True)
            self._status(_("Looking up {what}…").format(what=self.mode.query_text(query)))
            self._searching_shown = True
            if self.shown is not None and self.shown.result is None:
                self.view.card.chips.show_statuses(self.shown.sources)  # held back until now

    def retry(self) -> None:
        if self.last is not None:
            self.start(*self.last)

    def cancel(self, quiet: bool = False) -> None:
        if self.task is None or self.task.done():
            return
        answered = self.answered
        self.task.cancel()  # an answered search still saves its answer (search.py)
        if answered:  # its answer stays on screen, and nothing was cancelled for the agent
            return
        self.bar.set_busy(False)
        if not quiet:
            self._status(_("Search cancelled."))
            if self.view.is_stale and self.view.result is not None:
                self.view.set_stale(
                    _("Search cancelled. Below is the PREVIOUS customer ({query}).").format(
                        query=self.view.result.query
                    )
                )

    async def shutdown(self) -> None:
        task, self.task = self.task, None
        for pending in [task, *self._remasking]:
            if pending is not None and not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await pending

    # -- the stream --------------------------------------------------------------------------
    async def _run(self, service: LookupService, query: Query) -> None:
        try:
            # closed even on a bug; no garbage collection on this thread meanwhile (gc_guard.py)
            with collections_deferred():
                async with contextlib.aclosing(service.search(query)) as states:
                    async for state in states:
                        self.state = state
                        await self._paint_masked(state)  # says search_finished if final
                        if state.final and state.result is not None:
                            # The stream saves the answer when asked for more: once it is on
                            # screen, as the saving worker would slow its paint (next_paint.py).
                            await self.view.next_paint.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not take the window down, nor leave it spinning
            if self._finished_said:
                log.exception("a search failed after its answer was shown")
                return
            log.exception("a search failed unexpectedly")
            self.bar.set_busy(False)
            self._show_failure(
                ViewerError(
                    _("The answer arrived but could not be shown."), detail=type(exc).__name__
                ),
                replace(query, value=self.mode.query_text(query)),
            )
            self._finished_said = True
            self.search_finished.emit(_("The answer arrived but could not be shown."))

    # -- masked mode -------------------------------------------------------------------------
    async def _paint_masked(self, state: SearchState) -> None:
        """Paint `state` masked (OTPs are masked even with masked mode off); a large result
        is masked in a worker thread so the window keeps answering."""
        self._paint_seq += 1
        seq, masked_on, masker = self._paint_seq, self.mode.on, self.mode.masker()
        rows = len(state.result.interactions) if state.result is not None else 0
        if rows >= OFF_THREAD_ROWS:
            shown = await asyncio.to_thread(masker.mask_state, state)
        else:
            shown = masker.mask_state(state)
        if seq != self._paint_seq or state is not self.state:
            return  # something newer is painted, or on its way
        if self.mode.on != masked_on:  # switched while this was masked: mask it the new way
            await self._paint_masked(state)
            return
        self.shown = shown
        self.paint(shown)

    def remask(self) -> None:
        """Masked mode switched: paint the kept state again, masked the new way (no request)."""
        if self.state is None or (self.state.result is not None and self.view.result is None):
            return  # nothing of it on screen (the view was cleared: another connection)
        task = asyncio.ensure_future(self._paint_masked(self.state))
        self._remasking.add(task)
        task.add_done_callback(self._remasking.discard)

    def paint(self, state: SearchState) -> None:
        """Paint a state that is already masked (see _paint_masked)."""
        took = time.perf_counter() - self._started
        if state.result is not None or state.final or self._searching_shown:
            self.view.card.chips.show_statuses(state.sources)  # "loading": see start()
        if state.final:
            self.bar.set_busy(False)
        if state.result is not None:
            self.view.show_result(state.result, same_as=self._real_query(state))
            self._show_notices(state)
            self._status(_progress(state, took))
            self.result_shown.emit(took)
            if state.final:
                freeze_large_result(len(state.result.interactions))
        elif state.final and state.failure is not None:  # a final state without a result has one
            self._show_failure(state.failure, state.query, state)
        elif self.view.result is not None and self.view.shown_query != self._real_query(state):
            self.view.set_stale(
                _("Searching for {query}… (below: the previous customer)").format(query=state.query)
            )
        elif self.view.result is None:
            self.view.card.show_customer(
                Customer(), _("Searching for {query}…").format(query=state.query), ""
            )
        if state.final and not self._finished_said:  # its answer is on screen: over for the agent
            self._finished_said = True  # once: a remask paints it again
            self.search_finished.emit(str(state.failure) if state.failure is not None else "")

    def _real_query(self, state: SearchState) -> Query:
        """The unmasked query of a painted state: two customers masked alike stay apart."""
        return self.state.query if self.state is not None and state is self.shown else state.query

    # -- sentences ---------------------------------------------------------------------------
    def _show_notices(self, state: SearchState) -> None:
        result = state.result
        if result is None:  # nothing painted: nothing to say about it
            return
        lines: list[str] = []
        if result.from_cache and not state.final:
            lines.append(_("Saved {age} ago — refreshing…").format(age=age(result.fetched_at)))
        elif result.from_cache and result.errors:
            lines.append(
                _("Offline — showing data saved {age} ago.").format(age=age(result.fetched_at))
            )
        elif result.from_cache:
            lines.append(
                _("Working offline — showing data saved {age} ago.").format(
                    age=age(result.fetched_at)
                )
            )
        if state.final:
            lines += [str(e) for e in result.errors] + result.warnings
        lines += [n for n in self.notes if n not in lines]  # not wiped by a repaint
        if not lines:
            self.messages.clear()
            return
        only_note = not (result.errors or (state.final and result.warnings) or self.notes)
        self.messages.show_message(
            "info" if only_note else "warning",
            lines,
            _details(result.errors),
            self._sign_in_action(result.errors),
            retry=self.retry if state.final and result.errors else None,
        )
        self._view_notice = self.messages.text.text()

    def _bar_speaks_of_view(self) -> bool:
        bar = self.messages
        return not bar.isHidden() and bar.text.text() == self._view_notice

    def _show_failure(
        self, failure: ViewerError, query: Query, state: SearchState | None = None
    ) -> None:
        failed = [s.error for s in state.failed if s.error is not None] if state is not None else []
        errors = failed if len(failed) > 1 else [failure]
        lines = [str(e) for e in errors]
        shown = self.view.result
        if shown is not None and shown.query != query:
            who = shown.customer.name or str(shown.query)
            lines.append(
                _("The previous result is still shown, dimmed: it is {who}, not {query}.").format(
                    who=who, query=query
                )
            )
            self.view.set_stale(
                _("PREVIOUS CUSTOMER — {query} was not found or could not be looked up.").format(
                    query=query
                )
            )
        elif shown is not None:
            lines[-1] = _("{sentence} The previous result is still shown.").format(
                sentence=lines[-1]
            )
            self.view.set_stale("")
        else:  # nothing shown: the card says what became of this search, not "Searching…"
            outcome = (
                _("{query}: no such customer")
                if isinstance(failure, NotFound)
                else _("{query}: could not be looked up")
            )
            self.view.card.show_customer(Customer(), outcome.format(query=query), "")
        self.messages.show_message(
            "error", lines, _details(errors), self._sign_in_action(errors), retry=self.retry
        )
        self._status(str(failure))
        self.search_failed.emit(str(failure))

    def _fail_before_start(self, exc: ViewerError) -> None:
        """Bad input: nothing was sent, and what is on screen is untouched."""
        sentence = str(exc)
        if self.view.result is not None:
            sentence = _("{sentence} The previous result is still shown.").format(sentence=sentence)
        self.messages.show_message("error", [sentence], exc.detail)
        self._status(str(exc))
        self.search_failed.emit(str(exc))

    def _sign_in_action(self, errors: list[ViewerError]):
        if any(getattr(e, "needs_sign_in", False) for e in errors):
            return (_("Sign in again"), self.sign_in_needed.emit)
        return None

    def add_note(self, text: str) -> None:
        """A notice from the saved data (a damaged file set aside, a customer too large to
        keep), added to what the bar says, never replacing it."""
        self.notes.append(text)
        bar = self.messages
        kept = (
            [bar.text.text()] if not bar.isHidden() and bar.severity in ("warning", "info") else []
        )
        bar.show_message("warning", [*kept, text])


def _progress(state: SearchState, took: float) -> str:
    """The status line: "36 messages (live) · 0.42 s", and who is still awaited."""
    count = len(state.result.interactions) if state.result is not None else 0
    if state.result is not None and state.result.from_cache:
        text = _("{count:,} messages (saved) · {seconds:.2f} s")
    else:
        text = _("{count:,} messages (live) · {seconds:.2f} s")
    text = text.format(count=count, seconds=took)
    if not state.final:
        waiting = ", ".join(s.label for s in state.waiting)
        text = _("{progress} · waiting for {sources}").format(progress=text, sources=waiting)
    return text


def _details(errors: list[ViewerError]) -> str:
    return "\n".join(
        f"{e.source.label if e.source else ''}: {e.detail}" for e in errors if e.detail
    )
