"""The filter bar over the timeline: words, a date range, a status class, a source and a
direction, built into the `TimelineFilter` the CLI's `lookup --search/--since/--status`
builds too (viewer/timeline.py), so both faces find the same rows.

Every change is applied at once (each keystroke is an index lookup, a few ms at 100,000
rows). Esc clears the filter; a new customer resets it without a word.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from viewer.domain import BadInput, Direction, Source
from viewer.i18n import N_, _, ngettext
from viewer.timeline import STATUS_CHOICES, TimelineFilter, parse_when, preset_range
from viewer.ui.plain import plain_label, set_plain

PERIODS = [
    (N_("All time"), "all"),
    (N_("Today"), "today"),
    (N_("Last 7 days"), "7d"),
    (N_("Last 30 days"), "30d"),
    (N_("Last 90 days"), "90d"),
    (N_("Custom range…"), "custom"),
]
STATUSES = [
    (STATUS_CHOICES["all"], "all"),
    (N_("Problems"), "problems"),
    (N_("Delivered and read"), "good"),
]
# Combo data are plain strings (Qt would turn a str-enum into a str anyway): "" means both.
SOURCES = [
    (N_("Both sources"), ""),
    (N_("Capillary"), Source.CAPILLARY.value),
    (N_("Ctrl-Hub"), Source.CTRLHUB.value),
]
DIRECTIONS = [
    (N_("Both directions"), ""),
    (N_("← From the customer"), Direction.INBOUND.value),
    (N_("→ To the customer"), Direction.OUTBOUND.value),
]
PROBLEMS_TIP = N_(
    "Problems: failed, bounced, blocked, not delivered, no gateway, timed out — and "
    "Ctrl-Hub items where the customer awaits our callback.\n"
    "Delivered and read: delivered, opened, clicked, read, completed."
)


def _combo(name: str, choices: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for label, value in choices:
        combo.addItem(_(label), value)  # marked with N_ above, translated now
    return combo


class FilterBar(QWidget):
    # The filter now asked for (a TimelineFilter).
    changed = Signal(object)
    # The agent went into the words field: a filter is coming (time to get ready).
    engaged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText(
            _("Filter: subject, notes, contact, status, campaign  (Ctrl+F)")
        )
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName(_("Filter the timeline"))
        self.text.setMinimumWidth(160)
        self.period = _combo(_("Date range"), PERIODS)
        self.since_edit, self.until_edit = self._date_edit(_("From")), self._date_edit(_("To"))
        self.status = _combo(_("Status"), STATUSES)
        self.status.setToolTip(_(PROBLEMS_TIP))
        self.source = _combo(_("Source"), SOURCES)
        self.direction = _combo(_("Direction"), DIRECTIONS)
        self.clear_button = QToolButton()
        self.clear_button.setText(_("Clear"))
        self.clear_button.setToolTip(_("Clear the filter (Esc)"))
        self.summary = plain_label()
        self.export_button = QToolButton()
        self.export_button.setText(_("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._build()
        self._wire()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(name)
        edit.hide()
        return edit

    def _build(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.text, 1)
        for widget in (
            self.period,
            self.since_edit,
            self.until_edit,
            self.status,
            self.source,
            self.direction,
            self.clear_button,
            self.summary,
            self.export_button,
        ):
            layout.addWidget(widget)

    def _wire(self) -> None:
        self.text.textChanged.connect(self._emit)
        for combo in (self.period, self.status, self.source, self.direction):
            combo.currentIndexChanged.connect(self._emit)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self._emit)
        self.clear_button.clicked.connect(self.clear)
        self.text.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.text and event.type() == QEvent.Type.FocusIn:
            self.engaged.emit()
        return super().eventFilter(watched, event)

    # -- the filter -------------------------------------------------------------------------
    def current_filter(self, now: datetime | None = None) -> TimelineFilter:
        now = now or datetime.now().astimezone()
        period = self.period.currentData()
        since = until = None
        if period == "custom":
            since, until = self._custom_range(now)
            period = ""
        else:
            since, until = preset_range(period, now)
        return TimelineFilter(
            text=self.text.text(),
            since=since,
            until=until,
            status=self.status.currentData(),
            source=Source(self.source.currentData()) if self.source.currentData() else None,
            direction=(
                Direction(self.direction.currentData()) if self.direction.currentData() else None
            ),
            period=period,
        )

    def _custom_range(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        first = self.since_edit.date().toPython()
        last = self.until_edit.date().toPython()
        if first > last:  # picked backwards: the agent means the days between them
            first, last = last, first
        try:
            since = datetime.combine(first, time(), tzinfo=now.tzinfo)
            until = parse_when(last.isoformat(), now, end=True)  # the last day included
        except (BadInput, OverflowError, ValueError):
            return None, None
        return since, until

    @property
    def active(self) -> bool:
        return not self.current_filter().is_empty

    def _emit(self) -> None:
        custom = self.period.currentData() == "custom"
        self.since_edit.setVisible(custom)
        self.until_edit.setVisible(custom)
        self.changed.emit(self.current_filter())

    def clear(self) -> None:
        """Back to everything (Esc, the Clear button), and say so once."""
        if self.active or self.period.currentData() == "custom":
            self.reset()
            self.changed.emit(self.current_filter())

    def reset(self) -> None:
        """Back to everything without a signal: a new customer starts unfiltered."""
        widgets = (self.text, self.period, self.status, self.source, self.direction)
        for widget in widgets:
            widget.blockSignals(True)
        self.text.clear()
        for combo in widgets[1:]:
            combo.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)
        self.since_edit.hide()
        self.until_edit.hide()

    def set_period(self, name: str) -> None:
        """Choose a date preset by name ("30d"), as the combo box would."""
        self.period.setCurrentIndex(self.period.findData(name))

    def set_status(self, name: str) -> None:
        self.status.setCurrentIndex(self.status.findData(name))

    def focus(self) -> None:
        """Ctrl+F: into the words, all selected, so typing replaces them."""
        self.text.setFocus()
        self.text.selectAll()

    def has_focus(self) -> bool:
        focused = QApplication.focusWidget()
        return focused is not None and (focused is self or self.isAncestorOf(focused))

    def show_summary(self, matched: int, total: int, filtered: bool) -> None:
        """ "11 of 36 rows"; nothing when unfiltered; a hint when nothing matches."""
        if not filtered:
            text = ""
        elif matched == 0:
            text = _("No rows match (of {total:,}) — Esc clears the filter").format(total=total)
        else:
            text = ngettext(
                "{matched:,} of {total:,} row", "{matched:,} of {total:,} rows", total
            ).format(matched=matched, total=total)
        set_plain(self.summary, text)

    def show_note(self, text: str) -> None:
        set_plain(self.summary, text)
