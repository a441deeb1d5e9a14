"""The channel tabs above the list: "All (n)" then one tab per channel with its count, and a
note under them when a tab's count needs explaining ("Showing 100 of 130")."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTabBar, QVBoxLayout, QWidget

from viewer.domain import ChannelCount, LookupResult, channel_label
from viewer.present import tab_label
from viewer.ui.plain import plain_label, set_plain, tooltip

GREY = QColor("#8a8f94")


class ChannelTabs(QWidget):
    # The channel now shown (None: "All").
    channel_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bar = QTabBar()
        self.bar.setExpanding(False)
        self.bar.setDocumentMode(True)
        self.bar.setAccessibleName("Channels")
        self.note = plain_label()
        self.note.setWordWrap(True)
        self.note.hide()
        self._counts: dict[str, ChannelCount] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.note)
        self.bar.currentChanged.connect(self._changed)

    def fill(self, result: LookupResult, keep: str | None = None) -> None:
        """Tabs for this result; `keep` is the channel to stay on when it still exists."""
        self.bar.blockSignals(True)
        while self.bar.count():
            self.bar.removeTab(0)
        self._counts = dict(result.counts)
        self.bar.addTab(f"All ({len(result.interactions):,})")
        self.bar.setTabData(0, None)
        for channel, count in result.counts.items():
            index = self.bar.addTab(tab_label(count))
            self.bar.setTabData(index, channel)
            if count.total == 0 and count.listed == 0:
                self.bar.setTabTextColor(index, GREY)
                self.bar.setTabToolTip(index, tooltip(f"No {channel_label(channel)} messages"))
        self.bar.setCurrentIndex(self._index_of(keep) or 0)
        self.bar.blockSignals(False)
        self._changed(self.bar.currentIndex())

    def clear(self) -> None:
        self.bar.blockSignals(True)
        while self.bar.count():
            self.bar.removeTab(0)
        self.bar.blockSignals(False)
        self._counts = {}
        self.note.hide()

    def titles(self) -> list[str]:
        return [self.bar.tabText(i) for i in range(self.bar.count())]

    def current(self) -> str | None:
        return self.bar.tabData(self.bar.currentIndex()) if self.bar.count() else None

    def select(self, channel: str | None) -> None:
        index = self._index_of(channel)
        if index is not None:
            self.bar.setCurrentIndex(index)

    def _index_of(self, channel: str | None) -> int | None:
        return next((i for i in range(self.bar.count()) if self.bar.tabData(i) == channel), None)

    def _changed(self, index: int) -> None:
        channel = self.bar.tabData(index) if index >= 0 else None
        self._explain(channel)
        self.channel_changed.emit(channel)

    def _explain(self, channel: str | None) -> None:
        count = self._counts.get(channel) if channel else None
        note = ""
        if count and not count.itemised and count.total:
            note = (f"{count.total:,} {channel_label(channel).lower()} — the source reports the count "
                    "only, not each one.")
        elif count and count.total > count.listed:
            note = f"Showing {count.listed:,} of {count.total:,}: the source listed only these."
        elif count and count.total == 0:
            note = f"No {channel_label(channel)} messages for this customer."
        set_plain(self.note, note)
        self.note.setVisible(bool(note))
