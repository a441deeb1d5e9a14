"""The customer card: name, identifiers, where each part comes from (one chip per source),
what needs attention (open items, flagged notes, last failure, last contact: each clicks
through to its row), and a banner when what is shown is not the customer just searched for."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from viewer.domain import Customer
from viewer.i18n import _
from viewer.present import customer_lines
from viewer.safe_text import LINE_LIMIT, shown
from viewer.ui.accessible import readable_by_keyboard
from viewer.ui.attention_strip import AttentionStrip
from viewer.ui.palette import set_look
from viewer.ui.plain import keep_narrow, plain_label, set_plain
from viewer.ui.source_chips import SourceChips

# The identifiers line joins several values; each is cut on its own, the line as a whole too.
IDENTIFIERS_LIMIT = 4 * LINE_LIMIT


class CustomerCard(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = plain_label(_("No customer yet — search above."), wrap=True)
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name.setFont(font)
        keep_narrow(self.name)
        self.identifiers = plain_label(wrap=True)
        self.freshness = plain_label()
        for value in (self.name, self.identifiers, self.freshness):
            readable_by_keyboard(value)  # read out to the caller, copied into a ticket
        keep_narrow(self.identifiers)
        set_look(self.freshness, tone="muted")

        self.chips = SourceChips()
        self.attention = AttentionStrip()
        # "Searching for …" over a dimmed previous customer, or "not found: below is the
        # PREVIOUS customer": an agent must never read the wrong customer to the caller.
        self.banner = keep_narrow(plain_label())
        self.banner.setWordWrap(True)
        set_look(self.banner, tone="warn", strong=True)
        self.banner.hide()

        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.freshness)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.identifiers)
        layout.addWidget(self.chips)
        layout.addWidget(self.attention)

    def set_banner(self, text: str) -> None:
        set_plain(self.banner, text)
        self.banner.setVisible(bool(text))

    def show_customer(self, customer: Customer, fallback_title: str, freshness: str) -> None:
        rows = customer_lines(customer)
        set_plain(self.name, customer.name or fallback_title)
        parts = [
            _("{label}: {value}").format(
                label=shown(label),
                value=shown(_grouped(value) if label in customer.extra else value),
            )
            for label, value in rows
            if label != _("Name")
        ]
        line = "   ·   ".join(parts)
        set_plain(self.identifiers, line, limit=IDENTIFIERS_LIMIT)
        set_plain(self.freshness, freshness)


def _grouped(value: str) -> str:
    """A count on the card reads with thousands separators ("Points: 11,227"); ids and
    anything not a plain whole number stay exactly as the source wrote them."""
    text = value.strip()
    return f"{int(text):,}" if text.isascii() and text.isdigit() and len(text) <= 15 else value
