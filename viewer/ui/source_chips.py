"""One chip per source on the card: where each part of the screen comes from, right now.

"Capillary ✓ live · Ctrl-Hub ⟳ loading…" while a search runs; "saved 3 h ago" for rows
from saved data; "✗ failed" with the sentence on hover; a resting source counts down
("resting 17 s") once a second until it is asked again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from viewer.domain import Source
from viewer.i18n import _
from viewer.present import age
from viewer.search import SourceState, SourceStatus
from viewer.ui.palette import set_look
from viewer.ui.plain import tooltip

# (symbol, tone) per state; resources/style.qss colours the tones for light and dark.
_LOOK = {
    SourceState.WAITING: ("⟳", "muted"),
    SourceState.LIVE: ("✓", "ok"),
    SourceState.SAVED: ("◷", "warn"),
    SourceState.NOT_FOUND: ("–", "muted"),
    SourceState.FAILED: ("✗", "error"),
    SourceState.RESTING: ("⏸", "error"),
    SourceState.OFFLINE: ("◷", "warn"),
}


def chip_text(status: SourceStatus) -> str:
    """What a chip says, e.g. "Ctrl-Hub ⟳ loading…" or "Capillary ◷ saved 3 h ago, refreshing…"."""
    symbol = _LOOK[status.state][0]
    name = status.source.label
    state = status.state
    if state is SourceState.WAITING:
        words = _("loading…")
    elif state is SourceState.LIVE:
        words = _("live")
    elif state is SourceState.SAVED:
        when = (
            _("saved {age} ago").format(age=age(status.saved_at)) if status.saved_at else _("saved")
        )
        if status.refreshing:
            words = _("{when}, refreshing…").format(when=when)
        else:
            words = _("{when} (live failed)").format(when=when) if status.error else when
    elif state is SourceState.NOT_FOUND:
        words = _("not found")
    elif state is SourceState.FAILED:
        words = _("failed")
    elif state is SourceState.RESTING:
        words = _("resting {seconds:.0f} s").format(seconds=status.seconds_left())
    else:
        words = _("offline")
    return _("{source} {symbol} {state}").format(source=name, symbol=symbol, state=words)


class SourceChips(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
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
                chip.setObjectName("sourceChip")
                chip.setTextFormat(Qt.TextFormat.PlainText)
                chip.setAccessibleName(_("{source} status").format(source=status.source.label))
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
                chip.setText(
                    _("{source} ⟳ can be asked again (Retry)").format(source=status.source.label)
                )
            else:
                chip.setText(chip_text(status))
            set_look(chip, tone=_LOOK[status.state][1])
            chip.setToolTip(tooltip(status.sentence or chip.text()))
            resting |= status.state is SourceState.RESTING and status.seconds_left() > 0
        if resting and not self._ticker.isActive():
            self._ticker.start()
        elif not resting:
            self._ticker.stop()
