"""The customer card: name, identifiers, and what each source said."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout

from viewer.domain import Customer
from viewer.present import customer_lines


class CustomerCard(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLabel("No customer yet — search above.")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identifiers = QLabel()
        self.identifiers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identifiers.setWordWrap(True)
        self.freshness = QLabel()
        self.freshness.setStyleSheet("color: palette(mid);")

        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.freshness)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.identifiers)

    def show_customer(self, customer: Customer, fallback_title: str, freshness: str) -> None:
        rows = customer_lines(customer)
        self.name.setText(customer.name or fallback_title)
        self.identifiers.setText("   ·   ".join(f"{label}: {value}" for label, value in rows if label != "Name"))
        self.freshness.setText(freshness)
