"""One chip per source on the card: where each part of the screen comes from, right now.

"Capillary ✓ live · Ctrl-Hub ⟳ loading…" while a search runs; "saved 3 h ago" for rows
from saved data; "✗ failed" with the sentence on hover; a resting source counts down
("resting 17 s") once a second until it is asked again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from viewer.domain import Source
from viewer.present import age
from viewer.search import SourceState, SourceStatus
from viewer.ui.plain import tooltip

# (symbol, colour role) per state; colours stay readable in light and dark palettes.
_LOOK = {
    SourceState.WAITING: ("⟳", "#6c757d"),
    SourceState.LIVE: ("✓", "#198754"),
    SourceState.SAVED: ("◷", "#997404"),
    SourceState.NOT_FOUND: ("–", "#6c757d"),
    SourceState.FAILED: ("✗", "#b02a37"),
    SourceState.RESTING: ("⏸", "#b02a37"),
    SourceState.OFFLINE: ("◷", "#997404"),
}


def chip_text(status: SourceStatus) -> str:
    """What a chip says, e.g. "Ctrl-Hub ⟳ loading…" or "Capillary ◷ saved 3 h ago, refreshing…"."""
    symbol, _ = _LOOK[status.state]
    name = status.source.label
    state = status.state
    if state is SourceState.WAITING:
        words = "loading…"
    elif state is SourceState.LIVE:
        words = "live"
    elif state is SourceState.SAVED:
        when = f"saved {age(status.saved_at)} ago" if status.saved_at else "saved"
        words = (
            f"{when}, refreshing…"
            if status.refreshing
            else (f"{when} (live failed)" if status.error else when)
        )
    elif state is SourceState.NOT_FOUND:
        words = "not found"
    elif state is SourceState.FAILED:
        words = "failed"
    elif state is SourceState.RESTING:
        words = f"resting {status.seconds_left():.0f} s"
    else:
        words = "offline"
    return f"{name} {symbol} {words}"


class SourceChips(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(16)
        self._layout.addStretch(1)  # chips sit side by side on the left
        self._chips: dict[Source, QLabel] = {}
        self._statuses: tuple[SourceStatus, ...] = ()
        self._ticker = QTimer(self)  # the resting countdown
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._refresh)

    def show_statuses(self, statuses: tuple[SourceStatus, ...]) -> None:
        self._statuses = statuses
        wanted = {s.source for s in statuses}
        for source in [s for s in self._chips if s not in wanted]:
            self._chips.pop(source).deleteLater()
        for status in statuses:
            if status.source not in self._chips:
                chip = QLabel()
                chip.setTextFormat(Qt.TextFormat.PlainText)
                chip.setAccessibleName(f"{status.source.label} status")
                self._chips[status.source] = chip
                self._layout.insertWidget(self._layout.count() - 1, chip)
        self._refresh()

    def clear(self) -> None:
        self.show_statuses(())

    def texts(self) -> list[str]:
        return [self._chips[s.source].text() for s in self._statuses]

    def _refresh(self) -> None:
        resting = False
        for status in self._statuses:
            chip = self._chips[status.source]
            if status.state is SourceState.RESTING and status.seconds_left() <= 0:
                chip.setText(f"{status.source.label} ⟳ can be asked again (Retry)")
            else:
                chip.setText(chip_text(status))
            style = f"color: {_LOOK[status.state][1]}; font-weight: 600;"
            if chip.styleSheet() != style:  # restyling re-polishes the widget: only on change
                chip.setStyleSheet(style)
            chip.setToolTip(tooltip(status.sentence or chip.text()))
            resting |= status.state is SourceState.RESTING and status.seconds_left() > 0
        if resting and not self._ticker.isActive():
            self._ticker.start()
        elif not resting:
            self._ticker.stop()
