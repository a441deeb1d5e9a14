"""The channel tabs above the list: "All (n)" then one tab per channel with its count, and a
note under them when a tab's count needs explaining ("Showing 100 of 130").

"All" counts the rows listed, so it equals the sum of the channel tabs' first numbers; a
missed-calls tab is a count the source reports without rows, so it is not in "All" (its
tooltip and the note say so). With a filter on, every tab reads "SMS (3 of 10)": 3 of its
10 listed rows match."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QTabBar, QVBoxLayout, QWidget

from viewer.domain import ChannelCount, LookupResult, channel_label
from viewer.i18n import _
from viewer.present import all_tab_label, tab_label
from viewer.ui import palette
from viewer.ui.assets import glyph_icon
from viewer.ui.lay_out import lay_out_now
from viewer.ui.plain import plain_label, set_plain, tooltip


class ChannelTabs(QWidget):
    # The channel now shown (None: "All").
    channel_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QTabBar()
        self.bar.setExpanding(False)
        self.bar.setDocumentMode(True)
        self.bar.setAccessibleName(_("Channels"))
        self.note = plain_label()
        self.note.setWordWrap(True)
        self.note.hide()
        self._counts: dict[str, ChannelCount] = {}
        self._listed = 0
        self._matched: dict[str, int] | None = None
        self._icons: dict[tuple[str | None, str], QIcon] = {}  # (channel, ink) → glyph
        # What each tab shows: (text, ink of a greyed tab or "", icon, tooltip words).
        self._shown: dict[int, tuple[str, str, QIcon, str]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.note)
        self.bar.currentChanged.connect(self._changed)

    def fill(
        self, result: LookupResult, keep: str | None = None, matched: dict[str, int] | None = None
    ) -> None:
        """Tabs for this result; `keep` is the channel to stay on when it still exists;
        `matched` the rows per channel a filter keeps (None: no filter)."""
        self.bar.blockSignals(True)
        channels = [None, *result.counts]
        rebuilt = [self.bar.tabData(i) for i in range(self.bar.count())] != channels
        # A shown bar lays all of its tabs out at each tab added, removed or relabelled, a
        # hidden one once, when shown again: 1.7-1.8 -> 1.1 ms a customer here. Not when
        # the agent is on the tabs: hiding would move the keyboard focus away.
        hidden = rebuilt and self.bar.isVisible() and not self.bar.hasFocus()
        if hidden:
            self.bar.hide()
        try:
            if rebuilt:
                # Another set of channels. The same set (the next search, the second
                # source) keeps its tabs.
                self._remove_tabs()
                for channel in channels:
                    self.bar.setTabData(self.bar.addTab(""), channel)
            self._counts = dict(result.counts)
            self._listed = len(result.interactions)
            self.show_matches(matched)
            self.bar.setCurrentIndex(self._index_of(keep) or 0)
        finally:
            if hidden:
                self.bar.show()
        self.bar.blockSignals(False)
        self._changed(self.bar.currentIndex())

    def show_matches(self, matched: dict[str, int] | None) -> None:
        """Relabel the tabs for a filter: "SMS (3 of 10)"; None: plain counts again."""
        self._matched = matched
        total = None if matched is None else sum(matched.values())
        self._show_tab(0, all_tab_label(self._listed, total), None, False, self._all_words())
        for index in range(1, self.bar.count()):
            channel = self.bar.tabData(index)
            count = self._counts[channel]
            empty = (
                count.total == 0
                and count.listed == 0
                or matched is not None
                and count.itemised
                and not matched.get(channel)
            )
            text = tab_label(count, None if matched is None else matched.get(channel, 0))
            self._show_tab(index, text, channel, empty, self._tab_words(count))

    def _show_tab(
        self, index: int, text: str, channel: str | None, greyed: bool, words: str
    ) -> None:
        """Set what differs from what the tab shows (each change lays the bar out again)."""
        # Greyed, not hidden: the agent sees the channel was asked and had nothing.
        ink = palette.colours().muted if greyed else ""
        icon = self._glyph(channel, greyed)
        shown = self._shown.get(index)
        if shown is None or shown[0] != text:
            self.bar.setTabText(index, text)
        if shown is None or shown[1] != ink:
            self.bar.setTabTextColor(index, QColor(ink) if ink else QColor())
        if shown is None or shown[2] is not icon:
            self.bar.setTabIcon(index, icon)
        if shown is None or shown[3] != words:
            self.bar.setTabToolTip(index, tooltip(words))
        self._shown[index] = (text, ink, icon, words)

    def _glyph(self, channel: str | None, greyed: bool) -> QIcon:
        """The channel's glyph in the tab's ink (kept per ink: tabs are refilled per search)."""
        text = self.bar.palette().color(QPalette.ColorRole.WindowText).name()
        ink = palette.colours().muted if greyed else text
        if (channel, ink) not in self._icons:
            self._icons[(channel, ink)] = glyph_icon(channel, ink)
        return self._icons[(channel, ink)]

    def changeEvent(self, event: QEvent) -> None:
        """The OS switched between light and dark: the greyed tabs and the glyphs, whose
        colours are set per tab, are drawn again in the new colours."""
        super().changeEvent(event)
        if (
            event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
            and self.bar.count()
        ):
            self.show_matches(self._matched)

    def _all_words(self) -> str:
        uncounted = [
            (channel_label(c.channel), c.total)
            for c in self._counts.values()
            if not c.itemised and c.total
        ]
        words = [_("Every listed row: the sum of the channel tabs.")]
        for label, total in uncounted:
            words.append(
                _(
                    "{channel} ({count:,}) are a count the source reports without listing "
                    "them, so they are not in All."
                ).format(channel=label, count=total)
            )
        return " ".join(words)

    @staticmethod
    def _tab_words(count: ChannelCount) -> str:
        label = channel_label(count.channel)
        if not count.itemised:
            return _(
                "{channel}: a count the source reports without listing them; not in All."
            ).format(channel=label)
        if count.total == 0 and count.listed == 0:
            return _("No {channel} messages").format(channel=label)
        return ""

    def clear(self) -> None:
        self.bar.blockSignals(True)
        self._remove_tabs()
        self.bar.blockSignals(False)
        self._counts = {}
        self.note.hide()

    def _remove_tabs(self) -> None:
        while self.bar.count():
            self.bar.removeTab(0)
        self._shown.clear()

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
        label = channel_label(channel) if channel else ""
        note = ""
        if count and not count.itemised and count.total:
            note = _(
                "{count:,} {channel} — the source reports the count "
                "only, not each one (so they are not in All)."
            ).format(count=count.total, channel=label.lower())
        elif count and count.total > count.listed:
            note = _("Showing {listed:,} of {total:,}: the source listed only these.").format(
                listed=count.listed, total=count.total
            )
        elif count and count.total == 0:
            note = _("No {channel} messages for this customer.").format(channel=label)
        set_plain(self.note, note)
        if self.note.isVisibleTo(self) != bool(note):
            self.note.setVisible(bool(note))
            # The list below moves: laid out now, so it paints once, in its new place (a
            # hidden note left that to a later turn of the loop, after the list's paint).
            lay_out_now(self)
