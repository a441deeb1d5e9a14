"""The search row: identifier kind, the text field, Search, and a busy indicator."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QWidget,
)

from viewer.domain import IdentifierKind
from viewer.i18n import N_, _

KIND_CHOICES: list[tuple[str, IdentifierKind | None]] = [
    (N_("Auto"), None),
    (N_("Mobile"), IdentifierKind.MOBILE),
    (N_("E-mail"), IdentifierKind.EMAIL),
    (N_("External id"), IdentifierKind.EXTERNAL_ID),
    (N_("Interaction id"), IdentifierKind.INTERACTION_ID),
]


class SearchBar(QWidget):
    # (text as typed, kind or None for Auto)
    search_requested = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = QComboBox()
        self.kind.setAccessibleName(_("Identifier kind"))
        for label, kind in KIND_CHOICES:
            self.kind.addItem(_(label), kind)
        self.field = QLineEdit()
        self.field.setPlaceholderText(
            _("Mobile number, e-mail address, external id or Ctrl-Hub interaction id — press Enter")
        )
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName(_("Customer identifier"))
        self.button = QPushButton(_("Search"))
        self.recent = QToolButton()
        self.recent.setText(_("Recent"))
        self.recent.setToolTip(
            _("Customers looked at recently in this profile (they open offline too)")
        )
        self.recent.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_menu = QMenu(self.recent)
        self.recent.setMenu(self.recent_menu)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # an indeterminate "working" bar
        self.busy.setMaximumWidth(90)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(_("Searching"))
        self.busy.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.recent)
        layout.addWidget(self.busy)

        self.field.returnPressed.connect(self._emit)
        self.button.clicked.connect(self._emit)

    def _emit(self) -> None:
        self.search_requested.emit(self.field.text(), self.kind.currentData())

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
