"""What the detail pane shows for the selected row: its own fields at once, and for a
Ctrl-Hub row the full interaction (names, notes, times) loaded in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from viewer.domain import (
    Interaction,
    InteractionDetail,
    LookupResult,
    Source,
    ViewerError,
    channel_label,
)
from viewer.i18n import _
from viewer.masking import mask_otp, mask_raw_otp
from viewer.present import (
    DIRECTION_ARROWS,
    Field,
    detail_fields,
    interaction_detail_fields,
    local_time,
    raw_json_text,
)
from viewer.ui.detail_pane import DetailPane

if TYPE_CHECKING:  # only a type here: the window shows before the lookup stack loads
    from viewer.lookup import LookupService

log = logging.getLogger("viewer.ui")
TITLE_SUBJECT_LIMIT = 60  # a longer subject is read in its field, not repeated in the title


def _title(item: Interaction) -> str:
    """ "SMS → · Your OTP is 1234"; a long or multi-line subject stays in the Subject field
    alone and the title names the time instead."""
    subject = item.subject.strip()
    if not (subject and len(subject) <= TITLE_SUBJECT_LIMIT and "\n" not in subject):
        subject = local_time(item.occurred_at) or item.id
    return _("{channel} {arrow} · {subject}").format(
        channel=channel_label(item.channel), arrow=DIRECTION_ARROWS[item.direction], subject=subject
    )


def _revealed_values(shown: list[Field], real: list[Field]) -> list[str | None] | None:
    """What Reveal shows for each shown field: its unmasked value (one-time passwords stay
    masked even then); None where the two lists do not line up."""
    if [f.label for f in shown] != [f.label for f in real]:
        return None
    return [
        mask_otp(r.value) if r.value != s.value else None for s, r in zip(shown, real, strict=True)
    ]


class DetailController(QObject):
    # A Ctrl-Hub interaction's full detail is on screen, or failed to load (the sentence).
    detail_shown = Signal(str)

    def __init__(
        self,
        pane: DetailPane,
        service: Callable[[], LookupService | None],
        selected: Callable[[], Interaction | None],
        parent=None,
    ):
        super().__init__(parent)
        self.pane = pane
        self._service = service
        self._selected = selected
        self._details: dict[str, InteractionDetail] = {}  # Ctrl-Hub details of this result
        self._task: asyncio.Task | None = None
        # Masked mode (ui/masked_mode.py): a Ctrl-Hub detail as shown, and the unmasked
        # row behind a shown one (None: nothing to reveal). The window sets both.
        self.mask_detail: Callable[[InteractionDetail], InteractionDetail] = lambda detail: detail
        self.unmasked: Callable[[Interaction], Interaction | None] = lambda _item: None

    def reset(self, result: LookupResult | None, keep: bool = False) -> None:
        """A new result: forget the details loaded for the last one (`keep`: the same
        customer refreshed or masked anew: what was loaded still holds)."""
        self.cancel()
        if not keep:
            self._details = {}
        if result is not None and result.opened is not None:
            self._details[result.opened.interaction.id] = result.opened

    def show(self, item: Interaction | None) -> None:
        if item is None:
            self.cancel()
            self.pane.clear()
            return
        if item.source is Source.CTRLHUB and (known := self._details.get(item.id)) is not None:
            self.cancel()
            self._show_full(known)
            return
        title = _title(item)
        loading = item.source is Source.CTRLHUB and self._service() is not None
        note = _("Loading names, notes and times from Ctrl-Hub…") if loading else ""
        fields = detail_fields(item)
        real = self.unmasked(item)
        reveal = _revealed_values(fields, detail_fields(real)) if real is not None else None
        raw = mask_raw_otp(item.document())  # OTPs never show, masked mode or not
        self.pane.show_fields(title, fields, raw_json_text(raw), note, document=raw, reveal=reveal)
        self.cancel()
        if loading:
            self._task = asyncio.ensure_future(self._load(item))

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def shutdown(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _show_full(self, real: InteractionDetail) -> None:
        """A Ctrl-Hub interaction in full, masked as the mode says (`real` is as loaded)."""
        detail = self.mask_detail(real)
        item = detail.interaction
        arrow = "←" if item.direction.value == "inbound" else "→"
        title = _("Ctrl-Hub {channel} {arrow} {time}").format(
            channel=channel_label(item.channel), arrow=arrow, time=local_time(item.occurred_at)
        )
        fields = interaction_detail_fields(detail)
        reveal = (
            None if detail is real else _revealed_values(fields, interaction_detail_fields(real))
        )
        self.pane.show_fields(
            title, fields, raw_json_text(detail.document), document=detail.document, reveal=reveal
        )

    async def _load(self, item: Interaction) -> None:
        service = self._service()
        if service is None:  # the connection was closed between the click and this load
            if self._selected() is item:
                self.pane.set_note(_("The full detail could not be loaded: no connection is open."))
            self.detail_shown.emit("no connection")
            return
        try:
            detail = await service.interaction_detail(Source.CTRLHUB, item.id)
        except asyncio.CancelledError:
            raise
        except ViewerError as exc:
            if self._selected() is item:
                self.pane.set_note(
                    _("The full detail could not be loaded: {reason}").format(reason=exc)
                )
            self.detail_shown.emit(str(exc))
            return
        except Exception as exc:  # a bug must not take the window down with it
            log.exception("detail failed unexpectedly")
            self.pane.set_note(
                _("The full detail could not be loaded ({error}).").format(error=type(exc).__name__)
            )
            self.detail_shown.emit(type(exc).__name__)
            return
        self._details[item.id] = detail
        if self._selected() is item:
            self._show_full(detail)
        self.detail_shown.emit(item.id)
