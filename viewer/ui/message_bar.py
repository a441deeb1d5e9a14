"""A strip above the results for errors and notices: a sentence, details on demand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout

from viewer.i18n import _
from viewer.safe_text import shown
from viewer.ui.palette import set_look, styled
from viewer.ui.plain import keep_narrow, plain_block, plain_label

SEVERITIES = ("error", "warning", "info")  # coloured by resources/style.qss (QFrame#messageBar)


class MessageBar(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        styled(self)  # its rules select on the object name and the severity
        self.severity = ""
        self.text = keep_narrow(plain_label(wrap=True))
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = keep_narrow(plain_label(wrap=True))
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        self.detail_button = QPushButton(_("Details"))
        self.detail_button.setFlat(True)
        self.detail_button.clicked.connect(
            lambda: self.detail.setVisible(not self.detail.isVisible())
        )
        self.action_button = QPushButton()
        self.action_button.hide()
        self.action_button.clicked.connect(self._act)
        self._action = None
        self.retry_button = QPushButton(_("Retry"))
        self.retry_button.setToolTip(_("Search again (F5)"))
        self.retry_button.hide()
        self._retry = None
        self.retry_button.clicked.connect(lambda: self._retry() if self._retry else None)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setToolTip(_("Dismiss"))
        close.setAccessibleName(_("Dismiss message"))
        close.clicked.connect(self.clear)

        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.action_button)
        row.addWidget(self.retry_button)
        row.addWidget(self.detail_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.detail)
        self.hide()

    def show_message(
        self, severity: str, lines: list[str], detail: str = "", action=None, retry=None
    ) -> None:
        """`action`: (button label, callable) offered next to the sentence, e.g. "Sign in again";
        `retry`: a callable behind the Retry button (the search again)."""
        self.severity = severity
        self._retry = retry
        self.retry_button.setVisible(retry is not None)
        self._action = action[1] if action else None
        self.action_button.setText(shown(action[0]) if action else "")
        self.action_button.setVisible(action is not None)
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        set_look(self, severity=severity)  # re-polishes the bar and its children: only on change
        # Each line is a sentence that may quote a server (a warning, an error message).
        plain_block(self.text, "\n".join(shown(line) for line in lines))
        plain_block(self.detail, detail)
        self.detail.hide()
        self.detail_button.setVisible(bool(detail))
        self.show()

    def _act(self) -> None:
        if self._action is not None:
            self._action()

    def clear(self) -> None:
        self.severity = ""
        self.text.clear()
        self.hide()
