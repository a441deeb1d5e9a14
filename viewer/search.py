"""One search as a stream of states: what the window paints and `lookup --stream` prints.

An agent on a call needs the first answer, not the slowest one. A search asks every source
at once and reads the saved copy alongside; each time something arrives, a new immutable
`SearchState` says what is known so far:

    saved copy (if it comes before any live answer)
    → each source's live answer, merged with what the others have said (a source still
      loading contributes its saved rows, marked as saved)
    → the final state (`final=True`): the whole answer, or the failure in one sentence.

Rules that live here, not in the window, so that they are tested without Qt:
- the saved copy paints only before any live answer, and only when small enough to rebuild
  quickly online (a 100,000-message copy would compete with the live answer for the CPU);
- a failing source shows its saved rows, if any, with its sentence ("no lost data");
- only a whole live answer replaces what was saved;
- a newer search supersedes an older one: the older stream ends at once, and a late answer
  never reaches the screen (`LookupService.search` keeps the generation).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from viewer.domain import (
    LookupResult,
    NotConfigured,
    NotFound,
    Query,
    Source,
    SourceResult,
    ViewerError,
)
from viewer.i18n import _
from viewer.identifiers import with_advice

if TYPE_CHECKING:
    from viewer.lookup import LookupService, ProgressCallback

log = logging.getLogger("viewer.search")
# A source answering this soon after another is painted with it (see SearchRun._settle).
SETTLE_S = 0.025
# Turns of the loop the sources' tasks get before the first state (see SearchRun._run).
SENDING_TURNS = 8


class SourceState(StrEnum):
    WAITING = "waiting"  # asked, no answer yet
    LIVE = "live"  # answered now
    SAVED = "saved"  # showing saved rows (still refreshing, or the refresh failed)
    NOT_FOUND = "not_found"  # answered: this source does not know the customer
    FAILED = "failed"  # could not answer, nothing saved to show instead
    RESTING = "resting"  # kept failing, not asked for a while
    OFFLINE = "offline"  # working offline: not asked


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source's part in a search, for the card's chip and `--stream`."""

    source: Source
    state: SourceState
    sentence: str = ""  # why it failed / rests, in the agent's words
    detail: str = ""  # technical part, for Details
    saved_at: datetime | None = None  # when its rows shown are from saved data
    rest_until: float = 0.0  # time.monotonic() when a resting source is asked again
    refreshing: bool = False  # SAVED while its live answer is still on the way
    error: ViewerError | None = field(default=None, compare=False)

    def seconds_left(self) -> float:
        return max(0.0, self.rest_until - time.monotonic())

    @property
    def loading(self) -> bool:
        return self.state is SourceState.WAITING or self.refreshing

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source.value,
            "state": self.state.value,
            "sentence": self.sentence or None,
            "detail": self.detail or None,
            "saved_at": self.saved_at.isoformat() if self.saved_at else None,
            "refreshing": self.refreshing,
            "resting_s": round(self.seconds_left()) if self.state is SourceState.RESTING else None,
        }


@dataclass(frozen=True, slots=True)
class SearchState:
    """What is known about one search at one moment. `result` is None until something
    can be shown; `failure` is set only on a final state with nothing to show."""

    query: Query
    generation: int
    sources: tuple[SourceStatus, ...]
    result: LookupResult | None = None
    final: bool = False
    failure: ViewerError | None = None

    @property
    def waiting(self) -> tuple[Source, ...]:
        return tuple(s.source for s in self.sources if s.loading)

    def status_of(self, source: Source) -> SourceStatus | None:
        return next((s for s in self.sources if s.source is source), None)

    def outcome(self) -> LookupResult:
        """A final state's result, or its failure raised when there is nothing to show."""
        if self.failure is not None:
            raise self.failure
        if self.result is None:
            raise RuntimeError("a search state with neither a result nor a failure")
        return self.result

    @property
    def failed(self) -> tuple[SourceStatus, ...]:
        """Every source that could not answer live, each with its own sentence."""
        bad = (SourceState.FAILED, SourceState.RESTING)
        return tuple(
            s for s in self.sources if s.state in bad or (s.state is SourceState.SAVED and s.error)
        )


@dataclass
class SavedCopy:
    """The saved copy, split per source so a source still loading can show its own part.
    `parts` is empty when the copy was too large to rebuild before the live answer."""

    parts: dict[Source, SourceResult]
    saved_at: datetime
    whole: LookupResult | None  # merged, for painting before any live answer
    complete: bool = True  # False: too large, not rebuilt (load it whole if it is needed)


class SearchRun:
    """One search in progress: asks, collects and merges; `states()` yields as things arrive."""

    def __init__(
        self,
        service: LookupService,
        query: Query,
        channels: Iterable[str],
        generation: int | None,
        prepaint_max_bytes: int | None,
        progress: ProgressCallback | None = None,
    ):
        self.service = service
        self.query = query
        self.channels = tuple(channels)
        self.generation = generation
        self.prepaint_max_bytes = prepaint_max_bytes
        self.progress = progress
        self.statuses: dict[Source, SourceStatus] = {}
        self.live: dict[Source, SourceResult] = {}
        self.failures: dict[Source, ViewerError] = {}
        self.saved: SavedCopy | None = None
        self._saved_task: asyncio.Task | None = None
        self._tasks: dict[asyncio.Task, Source | None] = {}
        self._taken: set[asyncio.Task] = set()  # finished tasks whose answer is recorded
        self._to_keep: tuple[LookupResult, list[SourceResult]] | None = None
        self._clears_when_asked = service.clears  # see LookupService._save_later
        self._save_due: asyncio.Future[None] | None = None  # see LookupService.save_due

    # -- the stream ------------------------------------------------------------------------
    async def states(self) -> AsyncGenerator[SearchState, None]:
        try:
            async for state in self._run():
                if not self.service.is_current(self.generation):
                    return  # a newer search owns the screen
                yield state
        finally:
            if self._to_keep is not None:
                # Saved once the final state was taken (the window has painted it) or the
                # stream was left: the save competes for the GIL with whoever paints.
                try:
                    self.service.save_later(*self._to_keep, self._clears_when_asked)
                finally:
                    if self._save_due is not None:
                        self._save_due.set_result(None)
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(BaseException):
                    await task

    async def _run(self) -> AsyncIterator[SearchState]:
        service = self.service
        if service.offline:
            yield await self._offline()
            return
        asked = [s for s in service.sources if s.supports(self.query.kind)]
        if not asked:
            yield self._final(failure=NotConfigured(service.nobody_answers(self.query)))
            return
        for client in asked:
            left = service.breakers[client.source].resting_for()
            if left:
                error = service.resting_error(client.source, left)
                self.failures[client.source] = error
                self.statuses[client.source] = SourceStatus(
                    client.source,
                    SourceState.RESTING,
                    str(error),
                    rest_until=time.monotonic() + left,
                    error=error,
                )
            else:
                self.statuses[client.source] = SourceStatus(client.source, SourceState.WAITING)
                self._start(
                    service.ask_source(client, self.query, self.channels, self.progress),
                    client.source,
                )
        # The requests go out before the first state: the window greys the customer shown
        # on it and repaints all of itself (10–20 ms), and a request is written a few turns
        # of the loop into its task (httpx's pool and connection locks). Asked after that
        # repaint, every source answered that much later. A turn with nothing to do costs
        # a few microseconds.
        for _turn in range(SENDING_TURNS if self._tasks else 0):  # none: every source rests
            await asyncio.sleep(0)
        yield self._state()
        # The saved copy is read after it: a large one is rebuilt on a worker, and the
        # repaint, which calls into Python for every cell, would wait for the GIL.
        self._saved_task = self._start(self._read_saved(self.prepaint_max_bytes), None)

        while True:
            # Every task that finished is taken, however it finished: while this waited, or
            # while a state was being painted (the stream is suspended at its yield), or
            # within the turns above.
            done = [t for t in self._tasks if t.done() and t not in self._taken]
            if not done:
                if self._all_settled():
                    break
                pending = [t for t in self._tasks if not t.done()]
                await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                continue
            changed = [self._take(task) for task in done]
            if any(changed) and not self._all_settled():
                await self._settle()
                if not self._all_settled():
                    state = await self._merged_state(final=False)
                    if state is not None:
                        yield state
        yield await self._finish()

    async def _settle(self) -> None:
        """What else answers within SETTLE_S. Sources often answer a few milliseconds apart,
        and each paint lays out the whole window (20–30 ms): one paint for both is sooner
        than two. A source slower than that waits only SETTLE_S for its own paint."""
        pending = [t for t in self._tasks if not t.done()]
        done, _pending = await asyncio.wait(pending, timeout=SETTLE_S)
        for task in done:
            self._take(task)

    def _start(self, coro, source: Source | None) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks[task] = source
        return task

    def _take(self, task: asyncio.Task) -> bool:
        """Record what a finished task said; True when the screen should change."""
        self._taken.add(task)
        source = self._tasks[task]
        if source is None:  # the saved copy
            self.saved = task.result()
            waiting = self._loading()
            # Worth painting before any live answer, or for a source still loading.
            return self.saved is not None and (
                not self.live or any(s in self.saved.parts for s in waiting)
            )
        answer = task.result()
        if isinstance(answer, SourceResult):
            self.live[source] = answer
            self.statuses[source] = SourceStatus(source, SourceState.LIVE)
        else:
            self.failures[source] = answer
            state = SourceState.NOT_FOUND if isinstance(answer, NotFound) else SourceState.FAILED
            self.statuses[source] = SourceStatus(
                source, state, str(answer), answer.detail, error=answer
            )
        return True

    def _loading(self) -> list[Source]:
        return [s for t, s in self._tasks.items() if s is not None and not t.done()]

    def _all_settled(self) -> bool:
        return not self._loading()

    async def _read_saved(
        self, max_bytes: int | None, only: frozenset[Source] | None = None
    ) -> SavedCopy | None:
        try:
            return await self.service.saved_copy(self.query, self.channels, max_bytes, only)
        except asyncio.CancelledError:
            raise
        except Exception:  # saved data is a bonus: never let it stop a live search
            log.exception("reading saved data failed")
            return None

    # -- states ----------------------------------------------------------------------------
    def _state(self, result: LookupResult | None = None) -> SearchState:
        return SearchState(self.query, self.generation or 0, tuple(self.statuses.values()), result)

    def _final(
        self, result: LookupResult | None = None, failure: ViewerError | None = None
    ) -> SearchState:
        if isinstance(failure, NotFound):  # what to try next: a country code, the exact case
            failure = with_advice(failure, self.query, self.service.default_country)
        return replace(self._state(result), final=True, failure=failure)

    def _mark_saved(self, sources: Iterable[Source]) -> None:
        for source in sources:
            status = self.statuses.get(source)
            if (
                status is not None
                and status.state is not SourceState.LIVE
                and self.saved is not None
            ):
                self.statuses[source] = replace(
                    status,
                    state=SourceState.SAVED,
                    saved_at=self.saved.saved_at,
                    refreshing=status.loading,
                )

    async def _merged_state(self, final: bool) -> SearchState | None:
        """Live answers so far; a source without one shows its saved part, if there is one."""
        if not self.live:
            if self.saved is None or self.saved.whole is None:
                return None
            self._mark_saved(self._loading())
            return self._state(self.saved.whole)
        parts = list(self.live.values())
        saved = self.saved
        saved_parts = saved.parts if saved is not None else {}
        stand_ins = [
            s
            for s, st in self.statuses.items()
            if s not in self.live and st.state is not SourceState.NOT_FOUND and s in saved_parts
        ]
        for source in stand_ins:
            part = saved_parts[source]
            if final and saved is not None:  # the agent must know these rows are not live
                note = _("{source}: showing the data saved {time}.").format(
                    source=source.label, time=f"{saved.saved_at:%Y-%m-%d %H:%M}"
                )
                part = replace(part, warnings=[*part.warnings, note])
            parts.append(part)
        self._mark_saved(stand_ins)
        failures = [f for s, f in self.failures.items() if s not in self.live]
        result = await self.service.merge_parts(self.query, parts, failures)
        return self._final(result) if final else self._state(result)

    async def _finish(self) -> SearchState:
        failed = frozenset(s for s, f in self.failures.items() if not isinstance(f, NotFound))
        needs_saved = not self.live or bool(failed)
        if needs_saved:
            if self._saved_task is not None and not self._saved_task.done():
                self.saved = await self._saved_task
            if (
                self.saved is not None and not self.saved.complete
            ):  # too large to pre-paint: now whole
                self.saved = await self._read_saved(None, None if not self.live else failed)
        if not self.live:
            return await self._final_without_live()
        state = await self._merged_state(final=True)
        assert state is not None and state.result is not None
        if not failed:  # only a whole live answer replaces what was saved (see states())
            self._to_keep = (state.result, list(self.live.values()))
            self._save_due = self.service.save_due()
        return state

    async def _final_without_live(self) -> SearchState:
        """Every source failed or does not know the customer: saved data, or one sentence."""
        in_order = [
            self.failures[s] for s in self.statuses if s in self.failures
        ]  # not arrival order
        failure = self.service.most_telling(in_order)
        if (
            isinstance(failure, NotFound | NotConfigured)
            or self.saved is None
            or not self.saved.parts
        ):
            return self._final(failure=failure)
        self._mark_saved(self.saved.parts)
        whole = self.saved.whole or await self.service.merge_parts(
            self.query, list(self.saved.parts.values()), []
        )
        errors = [f for f in self.failures.values() if not isinstance(f, NotFound)]
        return self._final(
            replace(whole, errors=errors, from_cache=True, fetched_at=self.saved.saved_at)
        )

    async def _offline(self) -> SearchState:
        """Working offline: the saved copy or a sentence; nothing is sent."""
        for client in self.service.sources:
            self.statuses[client.source] = SourceStatus(client.source, SourceState.OFFLINE)
        self.saved = await self._read_saved(None)
        if self.saved is None or self.saved.whole is None:
            return self._final(
                failure=NotFound(_("Working offline, and this customer is not in the saved data."))
            )
        self._mark_saved(self.saved.parts)
        return self._final(self.saved.whole)
