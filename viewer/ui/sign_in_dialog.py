"""Sign in to Ctrl-Hub again after a session ended, keeping the window as it is."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit

from viewer import connections
from viewer.connections import Profile
from viewer.domain import ViewerError
from viewer.i18n import _
from viewer.ui.plain import plain_block, plain_label

log = logging.getLogger("viewer.ui.sign_in")


class SignInDialog(QDialog):
    signed_in = Signal()

    def __init__(self, profile: Profile, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Sign in to Ctrl-Hub again"))
        self.setModal(False)
        self.profile = profile
        self._task: asyncio.Task | None = None
        by_password = profile.ctrlhub_auth == "password"
        self.email = QLineEdit(profile.ctrlhub_username)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.status = plain_label(
            _("Your Ctrl-Hub session has ended. The customer on screen stays as it is.")
        )
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            _("Sign in") if by_password else _("Use this token")
        )
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.status)
        if by_password:
            form.addRow(_("E-mail"), self.email)
            form.addRow(_("Password"), self.secret)
        else:
            form.addRow(_("New session token"), self.secret)
        form.addRow(buttons)

    def _submit(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._sign_in())

    async def _sign_in(self) -> None:
        try:
            if self.profile.ctrlhub_auth == "password":
                self.status.setText(_("Signing in…"))
            # Within the profile's deadline; the session is kept in the keyring (a worker
            # thread writes it), the password nowhere.
            await connections.sign_in_again(
                self.profile, self.email.text().strip(), self.secret.text()
            )
        except ViewerError as exc:  # the sentence may quote the sign-in server
            plain_block(self.status, str(exc))
            return
        except Exception as exc:  # a keyring that fails to store: never stuck on "Signing in…"
            log.exception("signing in again failed unexpectedly")
            sentence = _("Signing in did not finish ({error}). Try again.").format(
                error=type(exc).__name__
            )
            plain_block(self.status, sentence)
            return
        finally:
            self.secret.clear()  # the password is used once and not kept, even in the widget
        self.signed_in.emit()
        self.accept()
