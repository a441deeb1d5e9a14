"""The lookup service the window and the CLI share.

One query fans out to every configured source at once; the answers are merged into one
customer and one newest-first timeline. A source that fails while another answers is
reported in `errors`; when every source fails, the most telling failure is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from viewer import audit
from viewer.domain import (
    AuthFailed,
    BadReply,
    ChannelCount,
    Customer,
    IdentifierKind,
    InteractionDetail,
    LookupResult,
    NotConfigured,
    NotFound,
    Query,
    Source,
    SourceResult,
    Unavailable,
    ViewerError,
    channel_order,
)
from viewer.present import render_table, result_json
from viewer.search import SavedCopy, SearchRun, SearchState
from viewer.sources import http  # limits(): the deadline for retries, the byte budget

log = logging.getLogger("viewer.lookup")
if TYPE_CHECKING:
    from viewer.cache import OfflineStore, RecentCustomer

# Merging (a sort of every row) moves off the event loop above this many rows.
MERGE_OFF_LOOP_ROWS = 20_000
DEFAULT_DEADLINE_S = 45.0
# Online, a saved copy paints before the live answer only when it is small: a 100,000-message
# customer costs as much to rebuild from the store as to fetch live, and both would compete.
PREPAINT_MAX_BYTES = 1024 * 1024
# A source that failed this many lookups in a row rests for a while: the agent is not made
# to wait through its timeouts and retries on every search.
BREAKER_FAILURES = 3
BREAKER_REST_S = 30.0


class Breaker:
    """Per source: counts consecutive failures; after BREAKER_FAILURES, "open" for a rest."""

    def __init__(self) -> None:
        self.failures = 0
        self.open_until = 0.0

    def resting_for(self) -> float:
        return max(0.0, self.open_until - time.monotonic())

    def record(self, ok: bool) -> None:
        if ok:
            self.failures, self.open_until = 0, 0.0
            return
        self.failures += 1
        if self.failures >= BREAKER_FAILURES:
            self.open_until = time.monotonic() + BREAKER_REST_S


_OLDEST = datetime.min.replace(tzinfo=UTC)


class SourceClient(Protocol):
    source: Source

    def supports(self, kind: IdentifierKind) -> bool: ...

    async def lookup(self, query: Query, channels: Iterable[str] = ()) -> SourceResult: ...

    def from_saved(self, raw: dict[str, Any], query: Query) -> SourceResult: ...

    async def aclose(self) -> None: ...


ProgressCallback = Callable[[Source, str], None]  # (source, "asking" | "done" | "failed")


class LookupService:
    """Asks the sources; keeps what they said in the offline store, when there is one."""

    def __init__(
        self,
        sources: Sequence[SourceClient],
        store: OfflineStore | None = None,
        profile_name: str = "",
        deadline_s: float = DEFAULT_DEADLINE_S,
        default_country: str = "",
    ):
        self.sources = list(sources)
        # The profile's country (ISO alpha-2): the window and the CLI read a mobile typed
        # without "+" as national there, and a not-found sentence takes it into account.
        self.default_country = default_country
        self.deadline_s = deadline_s
        self.breakers = {s.source: Breaker() for s in self.sources}
        self.store = store
        self.profile_name = profile_name
        self.offline = False  # "Work offline": answer from saved data only, send nothing
        self.on_saved: Callable[[], None] | None = None  # e.g. refresh a recent-customers list
        # Sentences about saved data the agent must hear once (a damaged file set aside, a
        # customer too large to keep). Without a listener (the CLI) they wait in the store
        # for `store.take_notices()`.
        self.on_notice: Callable[[str], None] | None = None
        self._saving: set[asyncio.Future[Any]] = set()
        self._generation = 0  # of the current superseding search (search.py)
        # How many times the saved data was cleared: a search asked before a clear must not
        # save its answer after it (the agent cleared that customer too).
        self.clears = 0
        # Privacy settings of the profile (build_service sets them from config.toml).
        self.audit_sinks = audit.Sinks()
        self.max_offline_days = 0
        self.mask_by_default = False  # the window starts in masked mode (viewer/masking.py)

    async def aclose(self) -> None:
        await self.settle()  # let a save in progress finish: it is short
        for source in self.sources:
            await source.aclose()

    async def settle(self) -> None:
        """Wait for the saved data to be written: saves in progress, and the answer a search
        holds until the window has painted it (`save_due`), with whatever they start."""
        while pending := [task for task in self._saving if not task.done()]:
            await asyncio.wait(pending)

    def save_due(self) -> asyncio.Future[None]:
        """A search holds a live answer to save once the window has painted it (search.py);
        it resolves this when it has asked for the save. Closing and clearing wait for it: a
        save must not land after signing out or clearing removed the saved customers."""
        due: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._saving.add(due)
        due.add_done_callback(self._saving.discard)
        return due

    # -- saved data ---------------------------------------------------------------------
    async def cached(
        self, query: Query, channels: Iterable[str] = (), max_bytes: int | None = None
    ) -> LookupResult | None:
        """The saved answer for this query; None when none, or when it is larger than
        `max_bytes` sealed."""
        copy = await self.saved_copy(query, tuple(channels), max_bytes)
        return copy.whole if copy is not None else None

    def _save_later(
        self, result: LookupResult, found: list[SourceResult], clears_when_asked: int
    ) -> None:
        """Keep a live answer for offline use, on a worker thread; the lookup never waits.
        Only an answer that can be shown is kept: a saved copy that cannot be shown would
        fail again every time the customer is opened offline. An answer asked for before
        the saved data was last cleared is not kept."""
        if self.store is None or not any(r.raw for r in found):
            return
        if clears_when_asked != self.clears:
            return
        payload = {"sources": {r.source.value: r.raw for r in found if r.raw}}
        task = asyncio.ensure_future(asyncio.to_thread(self._keep, self.store, result, payload))
        self._saving.add(task)
        task.add_done_callback(lambda done: self._saved(done, result.warnings))

    def _keep(
        self, store: OfflineStore, result: LookupResult, payload: dict[str, Any]
    ) -> str | None:
        """On a worker thread: the probe that the answer can be shown, then the save."""
        if not _can_be_shown(result):
            return None
        return store.save_lookup(
            self.profile_name, result.query, result.customer.name or "", payload
        )

    def _saved(self, task: asyncio.Task[str | None], warnings: list[str] | None = None) -> None:
        """A save finished. One refused as too large is said: in the result's warnings (the
        CLI prints them after the save) and to the window, which painted the result already."""
        self._saving.discard(task)
        if task.cancelled():
            return
        if task.exception() is not None:
            log.warning("saving for offline use failed: %s", type(task.exception()).__name__)
            return
        refusal = task.result()
        if refusal and warnings is not None:
            warnings.append(refusal)
            if self.on_notice is not None:
                self.on_notice(refusal)
        elif refusal and self.store is not None:
            self.store.tell(refusal)  # a detail: said with the store's other notices
        self.pass_on_notices()
        if not refusal and self.on_saved is not None:
            self.on_saved()

    def pass_on_notices(self) -> None:
        """Hand the store's new notices to the listener, if there is one."""
        if self.store is not None and self.on_notice is not None:
            for notice in self.store.take_notices():
                self.on_notice(notice)

    async def recent(self) -> list[RecentCustomer]:
        if self.store is None:
            return []
        recent = await asyncio.to_thread(self.store.recent, self.profile_name)
        self.pass_on_notices()
        return recent

    async def clear_saved(self) -> None:
        if self.store is not None:
            self.clears += 1  # searches in flight now keep nothing (see _save_later)
            await self.settle()  # an answer saved after the clear would come back
            await asyncio.to_thread(self.store.clear_profile, self.profile_name)

    def resting(self) -> dict[Source, float]:
        """Sources not asked at the moment because they kept failing, with seconds left."""
        return {source: left for source, b in self.breakers.items() if (left := b.resting_for())}

    async def interaction_detail(self, source: Source, interaction_id: str) -> InteractionDetail:
        """One interaction in full, from the source that holds it (Ctrl-Hub today), or from
        saved data when offline or when the source cannot be reached."""
        for client in self.sources:
            fetch = getattr(client, "interaction_detail", None)
            if client.source is source and fetch is not None:
                if self.offline:
                    return await self._saved_detail(interaction_id, None)
                clears_when_asked = self.clears
                try:
                    # The deadline bounds retries too; every reply is charged to one byte budget.
                    with http.limits(self.deadline_s):
                        async with asyncio.timeout(self.deadline_s):
                            detail: InteractionDetail = await fetch(interaction_id)
                except TimeoutError:
                    failure = Unavailable(
                        f"{source.label} did not answer within {self.deadline_s:.0f} s.",
                        source=source,
                    )
                    return await self._saved_detail(interaction_id, failure)
                except (NotFound, NotConfigured):
                    raise
                except ViewerError as exc:
                    return await self._saved_detail(interaction_id, exc)
                if (
                    self.store is not None
                    and detail.document
                    and clears_when_asked == self.clears  # not undoing a clear (_save_later)
                ):
                    task = asyncio.ensure_future(
                        asyncio.to_thread(
                            self.store.save_detail,
                            self.profile_name,
                            detail.interaction.id,
                            detail.document,
                        )
                    )
                    self._saving.add(task)
                    task.add_done_callback(self._saved)
                return detail
        raise NotConfigured(f"{source.label} is not set up in this profile.", source=source)

    async def _saved_detail(
        self, interaction_id: str, failure: ViewerError | None
    ) -> InteractionDetail:
        from viewer.sources.ctrlhub_parse import detail as parse_detail

        saved = None
        if self.store is not None:
            saved = await asyncio.to_thread(
                self.store.load_detail, self.profile_name, interaction_id
            )
            self.pass_on_notices()
        if saved is None:
            if failure is not None:
                raise failure
            raise NotFound("Working offline, and this interaction's detail was not saved.")
        return parse_detail(saved.value)

    # -- searching ----------------------------------------------------------------------
    def search(
        self,
        query: Query,
        channels: Iterable[str] = (),
        *,
        supersede: bool = True,
        prepaint_max_bytes: int | None = PREPAINT_MAX_BYTES,
        progress: ProgressCallback | None = None,
    ) -> AsyncGenerator[SearchState, None]:
        """The search as a stream of states (viewer/search.py). With `supersede`, this search
        is the current one: any earlier superseding stream ends without another state."""
        generation = None
        if supersede:
            self._generation += 1
            generation = self._generation
        states = SearchRun(self, query, channels, generation, prepaint_max_bytes, progress).states()
        return self._recorded(query, states)

    async def _recorded(
        self, query: Query, states: AsyncGenerator[SearchState, None]
    ) -> AsyncGenerator[SearchState, None]:
        """The states, and one access-log record per search when it ends (however it ends):
        the identifier was asked for even when a newer search replaced this one."""
        last: SearchState | None = None
        try:
            async with contextlib.aclosing(states):
                async for state in states:
                    last = state
                    yield state
        finally:
            self._record_search(query, last)

    def _record_search(self, query: Query, last: SearchState | None) -> None:
        if last is None or not last.final:
            outcome, count = "stopped", None
        elif last.failure is not None:
            outcome, count = type(last.failure).__name__, 0
        elif last.result is not None:
            outcome = "saved copy" if last.result.from_cache else "found"
            count = len(last.result.interactions)
        else:  # not reached: a final state holds a result or a failure
            outcome, count = "stopped", None
        self.record_action("lookup", query, count, outcome)
        if last is not None and last.final:
            self._keep_offline_limit()

    def record_action(
        self, kind: str, query: Query | None, count: int | None = None, outcome: str = ""
    ) -> None:
        """One access-log record: "lookup", "reveal", "export" or "copy" of this customer
        (the window calls this for export and copy; searches record themselves)."""
        audit.record(kind, self.profile_name, query, count, outcome, self.audit_sinks)

    def _keep_offline_limit(self) -> None:
        """The profile's maximum offline time, after a search (on a worker thread)."""
        if self.store is None or self.max_offline_days <= 0:
            return
        task = asyncio.ensure_future(
            asyncio.to_thread(
                self.store.enforce_offline_limit, self.profile_name, self.max_offline_days
            )
        )
        self._saving.add(task)
        task.add_done_callback(self._limit_kept)

    def _limit_kept(self, task: asyncio.Task[str | None]) -> None:
        self._saving.discard(task)
        if task.cancelled() or task.exception() is not None:
            return
        notice = task.result()
        if not notice:
            return
        if self.store is not None:
            self.store.tell(notice)
        self.pass_on_notices()

    def _source_reached(self) -> None:
        """A live source answered: the maximum offline time counts from now."""
        if self.store is None or self.max_offline_days <= 0:
            return
        task = asyncio.ensure_future(asyncio.to_thread(self.store.mark_reached, self.profile_name))
        self._saving.add(task)
        task.add_done_callback(self._saving.discard)

    def is_current(self, generation: int | None) -> bool:
        return generation is None or generation == self._generation

    async def final_state(
        self, query: Query, channels: Iterable[str] = (), progress: ProgressCallback | None = None
    ) -> SearchState:
        """The last state of a search that supersedes nothing (the CLI, scripts, tests)."""
        last = None
        states = self.search(query, channels, supersede=False, progress=progress)
        async with contextlib.aclosing(states):
            async for state in states:
                last = state
        assert last is not None and last.final
        return last

    async def lookup(
        self, query: Query, channels: Iterable[str] = (), progress: ProgressCallback | None = None
    ) -> LookupResult:
        """Live only (offline: saved data only): raises when no source answers."""
        result = (await self.final_state(query, channels, progress)).outcome()
        if result.from_cache and not self.offline:
            raise _most_telling(result.errors)
        return result

    async def ask_source(
        self,
        client: SourceClient,
        query: Query,
        channels: tuple[str, ...],
        progress: ProgressCallback | None = None,
    ) -> SourceResult | ViewerError:
        """One source's answer or its failure (never raised), within the lookup deadline."""
        source = client.source
        breaker = self.breakers.setdefault(source, Breaker())
        _report(progress, source, "asking")
        try:
            with http.limits(self.deadline_s):  # retries stop at the deadline; one byte budget
                async with asyncio.timeout(self.deadline_s):  # timeouts and retries together
                    answer: SourceResult | ViewerError = await client.lookup(query, channels)
        except TimeoutError:
            answer = Unavailable(
                f"{source.label} did not answer within {self.deadline_s:.0f} s.",
                source=source,
                detail="deadline for one lookup",
            )
        except ViewerError as exc:
            answer = _without_frames(exc)
        if isinstance(answer, SourceResult | NotFound):
            self._source_reached()
        if isinstance(answer, ViewerError):
            breaker.record(ok=not isinstance(answer, Unavailable | BadReply))
            _report(progress, source, "failed")
            log.info("%s: %s (%s)", source.value, answer.message, answer.detail)
            return answer
        breaker.record(ok=True)
        _report(progress, source, "done")
        return answer

    def resting_error(self, source: Source, left: float) -> Unavailable:
        return Unavailable(
            f"{source.label} kept failing, so it is not asked for {left:.0f} s more.", source=source
        )

    def nobody_answers(self, query: Query) -> str:
        return _nobody_answers(query, self.sources)

    @staticmethod
    def most_telling(failures: list[ViewerError]) -> ViewerError:
        return _most_telling(failures)

    async def merge_parts(
        self, query: Query, parts: list[SourceResult], failures: list[ViewerError]
    ) -> LookupResult:
        """Merge sources' answers; a large merge (a sort of every row) runs off the loop."""
        rows = sum(len(r.interactions) for r in parts)
        if rows > MERGE_OFF_LOOP_ROWS:
            return await asyncio.to_thread(merge, query, parts, failures)
        return merge(query, parts, failures)

    async def saved_copy(
        self,
        query: Query,
        channels: tuple[str, ...],
        max_bytes: int | None,
        only: frozenset[Source] | None = None,
    ) -> SavedCopy | None:
        """The saved answer split per source (only these sources, when given). A copy
        larger than `max_bytes` sealed comes back unbuilt (`complete=False`): rebuilding
        it would cost as much as asking live, and compete with the live answer."""
        if self.store is None:
            return None
        # Reading and rebuilding parse every saved row: on a worker thread, so the window
        # keeps painting; in one trip there (each costs ~0.2 ms of a ~15 ms lookup).
        try:
            found = await asyncio.to_thread(
                self._read_and_rebuild, self.store, query, channels, max_bytes, only
            )
        finally:
            self.pass_on_notices()  # a copy it could not read, say
        if found is None or isinstance(found, SavedCopy):
            return found
        parts, saved_at = found
        if not parts:
            return None
        whole = None
        if only is None:
            whole = await self.merge_parts(query, list(parts.values()), [])
            whole = replace(whole, from_cache=True, fetched_at=saved_at)
        return SavedCopy(parts, saved_at, whole)

    def _read_and_rebuild(
        self,
        store: OfflineStore,
        query: Query,
        channels: tuple[str, ...],
        max_bytes: int | None,
        only: frozenset[Source] | None,
    ) -> tuple[dict[Source, SourceResult], datetime] | SavedCopy | None:
        """(a worker thread) Each source's part of the saved copy and when it was saved; the
        copy unbuilt when larger than `max_bytes` sealed; None when there is none."""
        if max_bytes is not None:
            size = store.saved_size(self.profile_name, query)
            if size is None:
                return None
            if size > max_bytes:
                return SavedCopy({}, datetime.now(UTC), None, complete=False)
        saved = store.load_lookup(self.profile_name, query, only is None)
        if saved is None:
            return None
        return self._rebuild(saved.value, query, channels, only), saved.saved_at

    def _rebuild(
        self,
        value: dict[str, Any],
        query: Query,
        channels: tuple[str, ...],
        only: frozenset[Source] | None,
    ) -> dict[Source, SourceResult]:
        """Each source's answer rebuilt from its saved replies (a worker thread)."""
        parts: dict[Source, SourceResult] = {}
        for client in self.sources:
            raw = value.get("sources", {}).get(client.source.value)
            if not raw or (only is not None and client.source not in only):
                continue
            try:
                part = client.from_saved(raw, query)
            except ViewerError as exc:
                log.info("saved %s data unreadable: %s", client.source.value, exc.message)
                continue
            parts[client.source] = _part_channels(replace(part, raw={}), set(channels))
        return parts

    def save_later(
        self, result: LookupResult, found: list[SourceResult], clears_when_asked: int
    ) -> None:
        self._save_later(result, found, clears_when_asked)


# Rows of a large answer tried by _can_be_shown: the parsers make every row showable; this
# catches a card, count or warning they did not foresee, at a cost that does not grow.
SHOW_PROBE_ROWS = 200


def _can_be_shown(result: LookupResult) -> bool:
    """Whether both faces can print this result (card, counts, warnings, a sample of rows)."""
    rows = result.interactions
    sample = (
        rows
        if len(rows) <= 2 * SHOW_PROBE_ROWS
        else rows[:SHOW_PROBE_ROWS] + rows[-SHOW_PROBE_ROWS:]
    )
    probe = replace(result, interactions=sample)
    try:
        json.dumps(result_json(probe))
        render_table(probe)
    except Exception:  # whatever breaks showing must not reach the saved data
        log.exception("an answer that cannot be shown was not saved")
        return False
    return True


def merge(query: Query, found: list[SourceResult], failures: list[ViewerError]) -> LookupResult:
    customer = Customer()
    for result in found:
        customer = customer.merged_with(result.customer)
    interactions = [i for r in found for i in r.interactions]
    interactions.sort(key=lambda i: i.occurred_at or _OLDEST, reverse=True)
    counts: dict[str, ChannelCount] = {}
    for result in found:
        for channel, count in result.counts.items():
            if before := counts.get(channel):
                count = ChannelCount(
                    channel,
                    before.listed + count.listed,
                    before.total + count.total,
                    before.itemised or count.itemised,
                )
            counts[channel] = count
    warnings = [w for r in found for w in r.warnings]
    # "Not in Ctrl-Hub" is news, not a failure, when the other source found the customer.
    warnings += [str(f) for f in failures if isinstance(f, NotFound)]
    return LookupResult(
        query=query,
        customer=customer,
        interactions=interactions,
        counts=dict(sorted(counts.items(), key=lambda kv: channel_order(kv[0]))),
        warnings=warnings,
        errors=[f for f in failures if not isinstance(f, NotFound)],
        fetched_at=datetime.now(UTC),
        opened=next((r.opened for r in found if r.opened is not None), None),
    )


def _part_channels(part: SourceResult, wanted: set[str]) -> SourceResult:
    if not wanted:
        return part
    return replace(
        part,
        interactions=[i for i in part.interactions if i.channel in wanted],
        counts={c: n for c, n in part.counts.items() if c in wanted},
    )


def _most_telling(failures: list[ViewerError]) -> ViewerError:
    """Every source failed: not-found only if all agree; else a sign-in problem; else down."""
    if all(isinstance(f, NotFound) for f in failures):
        if len(failures) == 1:
            return failures[0]
        names = " or ".join(f.source.label for f in failures if f.source)
        return NotFound(f"No customer has that identifier in {names}.")
    for kind in (AuthFailed, NotConfigured):
        for failure in failures:
            if isinstance(failure, kind):
                return failure
    return next(f for f in failures if not isinstance(f, NotFound))


def _nobody_answers(query: Query, sources: list[SourceClient]) -> str:
    if not sources:
        return "No source is set up in this profile: add Capillary or Ctrl-Hub in the settings."
    if query.kind is IdentifierKind.INTERACTION_ID:
        return "Looking up an interaction id needs Ctrl-Hub, which is not set up in this profile."
    return f"No configured source can look up by {query.kind.label}."


def _without_frames(error: ViewerError) -> ViewerError:
    """A source's failure as a value the search keeps and shows. Its traceback, and those of
    the errors it came from, hold every frame it passed through with their locals (the reply,
    the pieces of one too large, the JSON decoded so far): kept with it, they made a cycle the
    window's collector never frees (ui/gc_guard.py), 11-48 MB for each failing 100k reply."""
    waiting: list[BaseException | None] = [error]
    seen: set[int] = set()
    while waiting:
        one = waiting.pop()
        if one is not None and id(one) not in seen:
            seen.add(id(one))
            one.__traceback__ = None
            waiting += [one.__cause__, one.__context__]
    return error


def _report(progress: ProgressCallback | None, source: Source, state: str) -> None:
    if progress is not None:
        progress(source, state)
