"""The Recent menu: the last customers looked at in this profile, newest first; one click
opens one (from saved data when offline)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

from viewer.i18n import _
from viewer.masking import mask_identifier, mask_name
from viewer.present import local_time
from viewer.safe_text import shown
from viewer.ui.plain import tooltip

if TYPE_CHECKING:  # only a type here: the window shows before the lookup stack loads
    from viewer.lookup import LookupService

log = logging.getLogger("viewer.ui")


class RecentMenu(QObject):
    # The Query to open.
    open_requested = Signal(object)

    def __init__(self, menu: QMenu, parent=None):
        super().__init__(parent)
        self.menu = menu
        self.entries: list = []
        self._loading: set[asyncio.Task] = set()  # strong references until done
        self._service: LookupService | None = None
        self.masked = lambda: False  # masked mode on? (the window sets it)
        self.fill([])

    def refresh(self, service: LookupService | None) -> None:
        """Read the list again (off the GUI thread) for this service's profile."""
        self._service = service
        if service is None or service.store is None:
            self.fill([])
            return
        task = asyncio.ensure_future(self._load(service))
        self._loading.add(task)
        task.add_done_callback(self._loading.discard)

    async def _load(self, service: LookupService) -> None:
        try:
            recent = await service.recent()
        except Exception:
            log.exception("reading the recent customers failed")
            return
        # The profile may have changed meanwhile, or the window closed (its menu is gone).
        if service is self._service and shiboken6.isValid(self.menu):
            self.fill(recent)

    def fill(self, recent: list) -> None:
        self.menu.clear()
        for entry in recent:
            value = entry.query.value
            if self.masked():  # masked mode: names and identifiers hidden here too
                value = mask_identifier(value, entry.query.kind)
                who = mask_name(entry.name) if entry.name else value
            else:
                who = entry.name or value
            who, value = shown(who), shown(value)
            label = _("{who}  ·  {kind} {value}").format(
                who=who, kind=entry.query.kind.label, value=value
            )
            action = self.menu.addAction(
                label.replace("&", "&&")
            )  # "&" in a name is not a shortcut
            action.setToolTip(tooltip(_("Viewed {time}").format(time=local_time(entry.viewed_at))))
            action.triggered.connect(lambda _=False, q=entry.query: self.open_requested.emit(q))
        if not recent:
            self.menu.addAction(_("No customers looked at yet")).setEnabled(False)
        self.entries = recent

    async def shutdown(self) -> None:
        for task in list(self._loading):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
