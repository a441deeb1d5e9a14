"""Masked mode in the window: a toggle (Search menu, a "● Masked" button by the search
field, Ctrl+M) that hides the customer's identifiers in everything shown.

The search controller keeps the UNMASKED search state and paints a masked copy of it
(viewer/masking.py), so everything drawn from what is shown — card, list, tooltips, the
detail pane, raw view, copies, CSV, report, summary — is masked without knowing it.
Toggling re-masks the kept state: no new request. Masking a large result takes a while
(about 2 s per 100,000 rows), so it runs off the GUI thread then.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton

from viewer.domain import Interaction, InteractionDetail, LookupResult, Query
from viewer.i18n import _
from viewer.masking import Masker, customer_identifiers, mask_identifier
from viewer.ui.palette import styled

OFF_THREAD_ROWS = 5_000  # above this many rows a state is masked in a worker thread


class MaskedMode(QObject):
    # Masked mode was switched (True: on).
    changed = Signal(bool)

    def __init__(self, on: bool, parent=None):
        super().__init__(parent)
        self.on = on
        self.action = QAction(_("Masked mode"), self)
        self.action.setCheckable(True)
        self.action.setChecked(on)
        self.action.setShortcut(QKeySequence("Ctrl+M"))
        self.action.setToolTip(
            _("Hide names, mobile numbers, e-mail addresses and addresses (Ctrl+M)")
        )
        self.button = QToolButton()
        self.button.setCheckable(True)
        self.button.setChecked(on)
        self.button.setObjectName("maskedToggle")  # red while on: resources/style.qss
        styled(self.button)
        self.button.setToolTip(self.action.toolTip())
        self.button.setAccessibleName(_("Masked mode"))
        self._label_button()
        self.action.toggled.connect(self.set_on)
        self.button.toggled.connect(self.set_on)
        self._typed: tuple[str, str] | None = None  # (masked text in the field, what was typed)
        self._rows: dict[tuple[str, str, str], Interaction] = {}  # unmasked rows by key
        self._rows_of: LookupResult | None = None

    def set_on(self, on: bool) -> None:
        on = bool(on)
        self.action.setChecked(on)
        self.button.setChecked(on)
        self._label_button()
        if on == self.on:
            return
        self.on = on
        self.changed.emit(on)

    def toggle(self) -> None:
        self.set_on(not self.on)

    def _label_button(self) -> None:
        self.button.setText(_("● Masked") if self.button.isChecked() else _("○ Masked"))

    # -- what is masked -------------------------------------------------------------------
    def masker(self) -> Masker:
        """A new Masker for each use (a Masker is not shared between threads)."""
        return Masker(self.on)

    def mask_detail(
        self, detail: InteractionDetail, customer_known: frozenset[str]
    ) -> InteractionDetail:
        return Masker(self.on).mask_detail(detail, customer_known)

    @staticmethod
    def known(result) -> frozenset[str]:
        return (
            customer_identifiers(result.customer, result.query)
            if result is not None
            else frozenset()
        )

    def query_text(self, query: Query) -> str:
        """The query as the status bar and the search field may show it."""
        return mask_identifier(query.value, query.kind) if self.on else query.value

    # -- the search field -------------------------------------------------------------------
    def hide_typed(self, field, typed: str, query: Query) -> None:
        """After a search in masked mode the field shows the masked query; Enter on it
        searches what was typed."""
        if not self.on or field.text() != typed:
            return
        masked = self.query_text(query)
        if masked != typed:
            self._typed = (masked, typed)
            field.setText(masked)

    def show_typed(self, field) -> None:
        """Masked mode off: the field shows what was typed again."""
        if self._typed is not None and field.text() == self._typed[0]:
            field.setText(self._typed[1])
        self._typed = None

    def typed(self, text: str) -> str:
        """What Enter on the field means: the masked query stands for what was typed."""
        if self._typed is not None and text == self._typed[0]:
            return self._typed[1]
        return text

    # -- revealing ------------------------------------------------------------------------------
    def unmasked_row(self, item: Interaction, result: LookupResult | None) -> Interaction | None:
        """The unmasked row behind a shown one (same key), in masked mode; else None."""
        if not self.on or result is None:
            return None
        if self._rows_of is not result:
            self._rows = {row.key: row for row in result.interactions}
            self._rows_of = result
        return self._rows.get(item.key)


def install(window, mode: MaskedMode) -> None:
    """Wire masked mode into the window: menu, button, Ctrl+M, search, detail, recent, log."""
    searches, view, field = window.searches, window.view, window.search_bar.field
    searches.mode = mode
    window.search_menu.addAction(mode.action)
    bar_layout = window.search_bar.layout()
    bar_layout.insertWidget(bar_layout.indexOf(window.search_bar.button) + 1, mode.button)
    real = lambda: searches.state.result if searches.state is not None else None  # noqa: E731
    view.details.mask_detail = lambda detail: mode.mask_detail(detail, mode.known(real()))
    view.details.unmasked = lambda item: mode.unmasked_row(item, real())
    window.recent.masked = lambda: mode.on
    view.detail.revealed.connect(lambda _name: window.privacy.record("reveal", 1))

    def hide_field(_took: float) -> None:
        if searches.last is not None and searches.state is not None:
            mode.hide_typed(field, searches.last[0], searches.state.query)

    def switched(on: bool) -> None:
        searches.remask()
        window.recent.fill(window.recent.entries)
        if on:
            hide_field(0.0)
        else:
            mode.show_typed(field)
        window.statusBar().showMessage(
            _("Masked mode on: names, numbers and addresses are hidden.")
            if on
            else _("Masked mode off.")
        )

    window.result_shown.connect(hide_field)
    mode.changed.connect(switched)
