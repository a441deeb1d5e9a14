"""Settings for saved (offline) data: how long and how much, and clearing a profile's.

The store is measured, pruned and cleared on worker threads (through `connections` and the
lookup service): it may be busy saving a large customer, and the dialog must not freeze.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QSpinBox

from viewer import connections
from viewer.connections import SavedDataStore
from viewer.domain import ViewerError
from viewer.i18n import _
from viewer.safe_text import shown
from viewer.ui.plain import plain_label, set_plain
from viewer.ui.tasks import BackgroundTasks

if TYPE_CHECKING:  # only a type here: the window shows before the lookup stack loads
    from viewer.lookup import LookupService

log = logging.getLogger("viewer.ui.saved_data")


class SavedDataDialog(QDialog):
    def __init__(
        self, store: SavedDataStore, service: LookupService | None, profile_name: str, parent=None
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Saved data"))
        self.setModal(False)
        self.store, self.service = store, service
        self._tasks = BackgroundTasks()
        settings = connections.saved_data_settings(store)
        self.where = settings.where
        self.keep_days = QSpinBox()
        self.keep_days.setRange(1, 365)
        self.keep_days.setSuffix(_(" days"))
        self.keep_days.setAccessibleName(_("Keep saved customers for (days)"))
        self.keep_days.setValue(settings.keep_days)
        self.max_mb = QSpinBox()
        self.max_mb.setRange(10, 20000)
        self.max_mb.setSuffix(_(" MB"))
        self.max_mb.setAccessibleName(_("Saved data may take at most (MB)"))
        self.max_mb.setValue(settings.max_mb)
        # Not `self.size`: that would hide QWidget.size(), which Qt itself calls.
        self.size_label = plain_label(
            _("… MB, kept {where}").format(where=self.where)
        )  # measured in the background
        self.size_label.setWordWrap(True)
        # A button's "&" marks a shortcut; a profile name's "&" is just a character.
        clear_text = _("Clear saved data for “{name}”").format(name=shown(profile_name, 80))
        self.clear_button = QPushButton(clear_text.replace("&", "&&"))
        self.clear_button.setEnabled(service is not None)
        self.clear_button.clicked.connect(self._clear)
        self.status = plain_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel(_("Customers you look at are saved, encrypted, so they open offline.")))
        form.addRow(_("Keep for"), self.keep_days)
        form.addRow(_("At most"), self.max_mb)
        form.addRow(_("Now"), self.size_label)
        form.addRow(self.clear_button)
        form.addRow(self.status)
        form.addRow(buttons)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        if _loop_running():  # opened from the window; a bare dialog (a test) shows "… MB"
            self._tasks.start(self._measure())

    async def _measure(self) -> None:
        try:
            megabytes = await connections.saved_data_megabytes(self.store)
            size = _("{megabytes:.1f} MB").format(megabytes=megabytes)
        except Exception:  # a damaged or locked file: the settings still work
            log.exception("measuring saved data failed")
            size = _("Size unknown")
        set_plain(self.size_label, _("{size}, kept {where}").format(size=size, where=self.where))

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self._tasks.start(self._save())

    async def _save(self) -> None:
        days, megabytes = self.keep_days.value(), self.max_mb.value()
        try:
            await connections.set_saved_data_limits(self.store, days, megabytes)
        except (
            OSError,
            ViewerError,
        ) as exc:  # a read-only or full config folder: say so, stay open
            log.warning("saving the saved-data limits failed: %s", exc)
            set_plain(
                self.status,
                _("The limits could not be saved: {reason}").format(
                    reason=getattr(exc, "strerror", None) or exc
                ),
            )
            self.save_button.setEnabled(True)
            return
        self.accept()
        await connections.prune_saved_data(
            self.store
        )  # the dialog is closed; this may take seconds

    def _clear(self) -> None:
        self.clear_button.setEnabled(False)
        self._tasks.start(self._clearing())

    async def _clearing(self) -> None:
        if self.service is None:  # no connection: the button is off
            return
        try:
            await self.service.clear_saved()
        except Exception as exc:  # a full disk or a locked file: say so, keep the dialog usable
            log.exception("clearing saved data failed")
            reason = str(exc) or type(exc).__name__
            set_plain(
                self.status,
                _("The saved data could not be cleared: {reason}").format(reason=reason),
            )
            self.clear_button.setEnabled(True)
            return
        set_plain(self.status, _("Cleared."))
        await self._measure()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
