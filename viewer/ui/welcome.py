"""The first-run page: set up a connection, or try the demo data."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from viewer.i18n import _
from viewer.ui.palette import set_look
from viewer.ui.plain import plain_block, plain_label

COLUMN_WIDTH = 560


class WelcomePage(QWidget):
    set_up_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent=None, notice: str = ""):
        super().__init__(parent)
        title = QLabel(_("Welcome to Customer Interaction Viewer"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            _(
                "Look a customer up by mobile number, e-mail address or external id and see every "
                "message and service interaction in one place.\n\n"
                "To start, connect to your Capillary and Ctrl-Hub accounts — or look around with "
                "built-in demo data first (no account or network needed)."
            )
        )
        intro.setWordWrap(True)
        self.set_up = QPushButton(_("Set up a connection…"))
        self.set_up.setDefault(True)
        self.demo = QPushButton(_("Try the demo"))
        self.notice = plain_label()  # a keyring or config problem: may quote a file or a server
        self.notice.setWordWrap(True)
        set_look(self.notice, tone="warn")
        self.show_notice(notice)
        for button in (self.set_up, self.demo):
            button.setMinimumWidth(240)
            button.setMinimumHeight(36)

        # A fixed-width column centred by stretches: wrapped labels given an alignment flag
        # instead lose their height-for-width and get clipped.
        column = QWidget()
        column.setFixedWidth(COLUMN_WIDTH)
        stack = QVBoxLayout(column)
        for widget in (title, intro, self.set_up, self.demo, self.notice):
            stack.addWidget(widget)
            stack.addSpacing(8)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addLayout(row)
        layout.addStretch(3)
        self.set_up.clicked.connect(self.set_up_requested)
        self.demo.clicked.connect(self.demo_requested)

    def show_notice(self, notice: str) -> None:
        """A sentence under the buttons (e.g. no secure keyring, once it is known); "" hides it."""
        plain_block(self.notice, notice)
        self.notice.setVisible(bool(notice))
