"""Settings for saved (offline) data: how long and how much, and clearing a profile's."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QSpinBox

from viewer import profiles
from viewer.cache import OfflineStore
from viewer.lookup import LookupService
from viewer.safe_text import shown
from viewer.ui.plain import plain_label, set_plain

log = logging.getLogger("viewer.ui.saved_data")


class SavedDataDialog(QDialog):
    def __init__(self, store: OfflineStore, service: LookupService | None, profile_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Saved data")
        self.setModal(False)
        self.store, self.service = store, service
        self._task: asyncio.Task | None = None
        self.keep_days = QSpinBox()
        self.keep_days.setRange(1, 365)
        self.keep_days.setSuffix(" days")
        self.keep_days.setValue(store.keep_days)
        self.max_mb = QSpinBox()
        self.max_mb.setRange(10, 20000)
        self.max_mb.setSuffix(" MB")
        self.max_mb.setValue(store.max_mb)
        where = "in memory only (no secure keyring)" if store.path is None else str(store.path.parent)
        # Not `self.size`: that would hide QWidget.size(), which Qt itself calls.
        self.size_label = plain_label(f"{store.size_bytes() / 1_048_576:.1f} MB, kept {where}")
        self.size_label.setWordWrap(True)
        # A button's "&" marks a shortcut; a profile name's "&" is just a character.
        clear_text = f"Clear saved data for “{shown(profile_name, 80)}”"
        self.clear_button = QPushButton(clear_text.replace("&", "&&"))
        self.clear_button.setEnabled(service is not None)
        self.clear_button.clicked.connect(self._clear)
        self.status = plain_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel("Customers you look at are saved, encrypted, so they open offline."))
        form.addRow("Keep for", self.keep_days)
        form.addRow("At most", self.max_mb)
        form.addRow("Now", self.size_label)
        form.addRow(self.clear_button)
        form.addRow(self.status)
        form.addRow(buttons)

    def save(self) -> None:
        days, megabytes = self.keep_days.value(), self.max_mb.value()
        profiles.save_retention(days, megabytes)
        self.store.keep_days, self.store.max_mb = days, megabytes
        self._task = asyncio.ensure_future(asyncio.to_thread(self.store.prune))
        self.accept()

    def _clear(self) -> None:
        self.clear_button.setEnabled(False)
        self._task = asyncio.ensure_future(self._clearing())

    async def _clearing(self) -> None:
        try:
            await self.service.clear_saved()
        except Exception as exc:  # a full disk or a locked file: say so, keep the dialog usable
            log.exception("clearing saved data failed")
            reason = str(exc) or type(exc).__name__
            set_plain(self.status, f"The saved data could not be cleared: {reason}")
            self.clear_button.setEnabled(True)
            return
        set_plain(self.status, "Cleared.")
        set_plain(self.size_label, f"{self.store.size_bytes() / 1_048_576:.1f} MB")
