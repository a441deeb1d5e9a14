"""The lookup service the window and the CLI share.

One query fans out to every configured source at once; the answers are merged into one
customer and one newest-first timeline. A source that fails while another answers is
reported in `errors`; when every source fails, the most telling failure is raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from viewer.domain import (
    AuthFailed,
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
    ViewerError,
    channel_order,
)

log = logging.getLogger("viewer.lookup")

# Merging (a sort of every row) moves off the event loop above this many rows.
MERGE_OFF_LOOP_ROWS = 20_000
_OLDEST = datetime.min.replace(tzinfo=UTC)


class SourceClient(Protocol):
    source: Source

    def supports(self, kind: IdentifierKind) -> bool: ...

    async def lookup(self, query: Query, channels: Iterable[str] = ()) -> SourceResult: ...

    async def aclose(self) -> None: ...


ProgressCallback = Callable[[Source, str], None]  # (source, "asking" | "done" | "failed")


class LookupService:
    def __init__(self, sources: Sequence[SourceClient]):
        self.sources = list(sources)

    async def aclose(self) -> None:
        for source in self.sources:
            await source.aclose()

    async def interaction_detail(self, source: Source, interaction_id: str) -> InteractionDetail:
        """One interaction in full, from the source that holds it (Ctrl-Hub today)."""
        for client in self.sources:
            fetch = getattr(client, "interaction_detail", None)
            if client.source is source and fetch is not None:
                return await fetch(interaction_id)
        raise NotConfigured(f"{source.label} is not set up in this profile.", source=source)

    async def lookup(
        self,
        query: Query,
        channels: Iterable[str] = (),
        progress: ProgressCallback | None = None,
    ) -> LookupResult:
        channels = tuple(channels)
        asked = [s for s in self.sources if s.supports(query.kind)]
        if not asked:
            raise NotConfigured(_nobody_answers(query, self.sources))

        async def ask(source: SourceClient) -> SourceResult | ViewerError:
            _report(progress, source.source, "asking")
            try:
                answer = await source.lookup(query, channels)
            except ViewerError as exc:
                _report(progress, source.source, "failed")
                log.info("%s: %s (%s)", source.source.value, exc.message, exc.detail)
                return exc
            _report(progress, source.source, "done")
            return answer

        answers = await asyncio.gather(*(ask(s) for s in asked))
        found = [a for a in answers if isinstance(a, SourceResult)]
        failures = [a for a in answers if isinstance(a, ViewerError)]
        if not found:
            raise _most_telling(failures)
        rows = sum(len(r.interactions) for r in found)
        if rows > MERGE_OFF_LOOP_ROWS:
            return await asyncio.to_thread(merge, query, found, failures)
        return merge(query, found, failures)


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


def _report(progress: ProgressCallback | None, source: Source, state: str) -> None:
    if progress is not None:
        progress(source, state)
