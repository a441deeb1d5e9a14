"""The connection set-up dialog: a profile's two sources, tested before anything is saved.

Non-modal (opened with show(), results by signal): the agent can keep a customer on
screen while setting up or editing a connection. Secrets typed here go only to
connections.save (→ keyring); a Ctrl-Hub password is traded for a session and dropped.
"""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import replace

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from viewer import connections
from viewer.connections import (
    CAPILLARY_CLUSTERS,
    CTRLHUB_DEFAULT_AUTH_URL,
    CTRLHUB_PRESETS,
    Profile,
)
from viewer.domain import Source, ViewerError
from viewer.i18n import N_, _
from viewer.identifiers import country_code, country_codes
from viewer.ui.accessible import name_fields_by_labels
from viewer.ui.palette import set_look
from viewer.ui.plain import plain_block, plain_label

log = logging.getLogger("viewer.ui.setup")
CTRLHUB_AUTH_CHOICES = [
    (N_("Paste a session token"), "token"),
    (N_("Sign in with e-mail and password"), "password"),
    (N_("Service account (client id and secret)"), "service"),
]
KEEP = N_("Leave empty to keep the stored one")


def _country_field() -> QComboBox:
    """ "GB — United Kingdom", …; typing "gb" or "kingdom" finds it; empty: no default country."""
    field = QComboBox()
    field.setEditable(True)
    field.addItem("", "")
    for code in country_codes():
        name = QLocale.territoryToString(QLocale.codeToTerritory(code))
        field.addItem(f"{code} — {name}" if name and name != "Unknown" else code, code)
    completer = QCompleter([field.itemText(i) for i in range(1, field.count())], field)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    field.setCompleter(completer)
    line = field.lineEdit()  # there is one: the box is editable
    if line is not None:
        line.setPlaceholderText(_("none: mobiles without + are searched as typed"))
    field.setToolTip(
        _("Mobile numbers typed without + are read as national numbers of this country")
    )
    return field


def _secret_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class SetupDialog(QDialog):
    saved = Signal(str)  # the profile's name, once it is stored

    def __init__(
        self,
        parent=None,
        profile: Profile | None = None,
        then_open: Callable[[str], Awaitable[object]] | None = None,
    ):
        """`then_open(name)`, when given, puts the saved profile to use; the dialog closes
        once it has (so the window can search the moment the dialog is gone)."""
        super().__init__(parent)
        self.then_open = then_open
        self.setWindowTitle(_("Edit connection") if profile else _("Set up a connection"))
        self.setModal(False)
        self.editing = profile
        self._tasks: set[asyncio.Task] = set()

        self.name = QLineEdit(profile.name if profile else "")
        self.name.setPlaceholderText(_("e.g. Production EU"))
        self.country = _country_field()
        self.capillary = self._capillary_box()
        self.ctrlhub = self._ctrlhub_box()
        self.status = plain_label()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        top = QFormLayout()
        top.addRow(_("Profile name"), self.name)
        top.addRow(_("Default country"), self.country)
        name_fields_by_labels(top)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.capillary)
        layout.addWidget(self.ctrlhub)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        if profile:
            self._fill(profile)
        self.resize(620, self.sizeHint().height())

    # -- the two sections -----------------------------------------------------------------
    def _capillary_box(self) -> QGroupBox:
        box = QGroupBox(_("Capillary (marketing messages)"))
        box.setCheckable(True)
        self.cap_url = QComboBox()
        self.cap_url.setEditable(True)
        self.cap_url.addItems([f"https://{host}" for host in CAPILLARY_CLUSTERS])
        self.cap_url.setToolTip(_("Pick your cluster, or type any https address"))
        self.cap_auth = QComboBox()
        self.cap_auth.addItem(_("Username and password (Basic)"), "basic")
        self.cap_auth.addItem(_("OAuth client key and secret"), "oauth")
        self.cap_user = QLineEdit()
        self.cap_secret = _secret_field()
        self.cap_zone = QComboBox()
        self.cap_zone.setEditable(True)
        zones = sorted(zoneinfo.available_timezones())
        self.cap_zone.addItems(["UTC", *[z for z in zones if z != "UTC"]])
        self.cap_zone.setCompleter(QCompleter(zones, self.cap_zone))
        self.cap_zone.setToolTip(
            _("The zone the tenant's times are written in (the API does not say)")
        )
        self.cap_test = QPushButton(_("Test connection"))
        self.cap_test.setAccessibleName(_("Test the Capillary connection"))
        self.cap_result = plain_label()  # says what the server answered: plain text only
        self.cap_result.setWordWrap(True)
        self.cap_user_label, self.cap_secret_label = QLabel(_("Username")), QLabel(_("Password"))

        form = QFormLayout(box)
        form.addRow(_("Cluster"), self.cap_url)
        form.addRow(_("Sign in with"), self.cap_auth)
        form.addRow(self.cap_user_label, self.cap_user)
        form.addRow(self.cap_secret_label, self.cap_secret)
        form.addRow(_("Tenant time zone"), self.cap_zone)
        form.addRow(self.cap_test, self.cap_result)
        name_fields_by_labels(form)
        self.cap_auth.currentIndexChanged.connect(self._capillary_auth_changed)
        self.cap_test.clicked.connect(lambda: self._start(self._test(Source.CAPILLARY)))
        return box

    def _ctrlhub_box(self) -> QGroupBox:
        box = QGroupBox(_("Ctrl-Hub (service interactions)"))
        box.setCheckable(True)
        self.ch_url = QComboBox()
        self.ch_url.setEditable(True)
        self.ch_url.addItems(list(CTRLHUB_PRESETS))
        self.ch_auth_url = QLineEdit(CTRLHUB_DEFAULT_AUTH_URL)
        self.ch_org = QLineEdit()
        self.ch_org.setPlaceholderText(_("organisation UUID"))
        self.ch_auth = QComboBox()
        for label, value in CTRLHUB_AUTH_CHOICES:
            self.ch_auth.addItem(_(label), value)
        self.ch_token = _secret_field()
        self.ch_email = QLineEdit()
        self.ch_password = _secret_field()
        self.ch_password.setToolTip(_("Used once to sign in; never stored"))
        self.ch_client_id = QLineEdit()
        self.ch_client_secret = _secret_field()
        self.ch_pages = QStackedWidget()
        for rows in (
            [(_("Session token"), self.ch_token)],
            [(_("E-mail"), self.ch_email), (_("Password"), self.ch_password)],
            [(_("Client id"), self.ch_client_id), (_("Client secret"), self.ch_client_secret)],
        ):
            page = QWidget()
            page_form = QFormLayout(page)
            page_form.setContentsMargins(0, 0, 0, 0)
            for label, widget in rows:
                page_form.addRow(label, widget)
            self.ch_pages.addWidget(page)
        self.ch_test = QPushButton(_("Test connection"))
        self.ch_test.setAccessibleName(_("Test the Ctrl-Hub connection"))
        self.ch_result = plain_label()
        self.ch_result.setWordWrap(True)

        form = QFormLayout(box)
        form.addRow(_("API address"), self.ch_url)
        form.addRow(_("Sign-in address"), self.ch_auth_url)
        form.addRow(_("Organisation id"), self.ch_org)
        form.addRow(_("Sign in by"), self.ch_auth)
        form.addRow(self.ch_pages)
        form.addRow(self.ch_test, self.ch_result)
        name_fields_by_labels(form)
        self.ch_auth.currentIndexChanged.connect(self.ch_pages.setCurrentIndex)
        self.ch_url.currentTextChanged.connect(self._ctrlhub_url_changed)
        self.ch_test.clicked.connect(lambda: self._start(self._test(Source.CTRLHUB)))
        return box

    def _capillary_auth_changed(self) -> None:
        oauth = self.cap_auth.currentData() == "oauth"
        self.cap_user_label.setText(_("Client key") if oauth else _("Username"))
        self.cap_secret_label.setText(_("Client secret") if oauth else _("Password"))

    def _ctrlhub_url_changed(self, url: str) -> None:
        if url in CTRLHUB_PRESETS:
            self.ch_auth_url.setText(CTRLHUB_PRESETS[url])

    def _fill(self, profile: Profile) -> None:
        if (found := self.country.findData(profile.default_country)) >= 0:
            self.country.setCurrentIndex(found)
        self.capillary.setChecked(profile.has_capillary)
        if profile.has_capillary:
            self.cap_url.setCurrentText(profile.capillary_url)
            self.cap_auth.setCurrentIndex(self.cap_auth.findData(profile.capillary_auth))
            self.cap_user.setText(
                profile.capillary_key
                if profile.capillary_auth == "oauth"
                else profile.capillary_username
            )
            self.cap_zone.setCurrentText(profile.capillary_timezone)
            self.cap_secret.setPlaceholderText(_(KEEP))
        self.ctrlhub.setChecked(profile.has_ctrlhub)
        if profile.has_ctrlhub:
            self.ch_url.setCurrentText(profile.ctrlhub_url)
            self.ch_auth_url.setText(profile.ctrlhub_auth_url)
            self.ch_org.setText(profile.ctrlhub_org)
            self.ch_auth.setCurrentIndex(self.ch_auth.findData(profile.ctrlhub_auth))
            self.ch_email.setText(profile.ctrlhub_username)
            self.ch_client_id.setText(profile.ctrlhub_client_id)
            for secret in (self.ch_token, self.ch_password, self.ch_client_secret):
                secret.setPlaceholderText(_(KEEP))

    # -- reading the form -------------------------------------------------------------------
    def profile(self) -> Profile:
        """The profile as typed (not yet checked); unchecked sections are left out."""
        # The one field checked here: an unknown country is a sentence (BadInput) at Test or Save.
        typed = self.country.currentText().split("—")[0]
        profile = Profile(name=self.name.text().strip(), default_country=country_code(typed))
        if self.capillary.isChecked():
            oauth = self.cap_auth.currentData() == "oauth"
            profile = replace(
                profile,
                capillary_url=self.cap_url.currentText().strip(),
                capillary_auth="oauth" if oauth else "basic",
                capillary_username="" if oauth else self.cap_user.text().strip(),
                capillary_key=self.cap_user.text().strip() if oauth else "",
                capillary_timezone=self.cap_zone.currentText().strip() or "UTC",
            )
        if self.ctrlhub.isChecked():
            profile = replace(
                profile,
                ctrlhub_url=self.ch_url.currentText().strip(),
                ctrlhub_auth_url=self.ch_auth_url.text().strip(),
                ctrlhub_org=self.ch_org.text().strip(),
                ctrlhub_auth=self.ch_auth.currentData(),
                ctrlhub_username=self.ch_email.text().strip(),
                ctrlhub_client_id=self.ch_client_id.text().strip(),
            )
        return profile

    def secrets(self) -> dict[str, str]:
        """What was typed into the secret fields (empty ones keep the stored values)."""
        typed = {}
        if self.capillary.isChecked():
            purpose = (
                "capillary_secret"
                if self.cap_auth.currentData() == "oauth"
                else "capillary_password"
            )
            typed[purpose] = self.cap_secret.text()
        if self.ctrlhub.isChecked():
            field = {
                "token": ("ctrlhub_token", self.ch_token),
                "password": ("ctrlhub_password", self.ch_password),
                "service": ("ctrlhub_client_secret", self.ch_client_secret),
            }[self.ch_auth.currentData()]
            typed[field[0]] = field[1].text()
        return {k: v for k, v in typed.items() if v}

    async def _stored_then_typed(self, profile: Profile) -> Profile:
        """For testing an edited profile: stored secrets, overridden by what was typed."""
        stored = await connections.stored_secrets(self.editing) if self.editing else {}
        return connections.in_memory(profile, stored)

    # -- actions -------------------------------------------------------------------------
    def _start(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)  # a strong reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _test(self, source: Source) -> None:
        label = self.cap_result if source is Source.CAPILLARY else self.ch_result
        set_look(label, tone="")
        plain_block(label, _("Testing…"))
        try:
            profile = connections.check_profile(self._only(source, self.profile()))
            secrets = await connections.sign_in_if_needed(profile, self.secrets())
            stored = await self._stored_then_typed(profile)
            checks = await connections.check_connections(connections.in_memory(stored, secrets))
            check = next(c for c in checks if c.source is source)
            ok, message = check.ok, check.message
        except ViewerError as exc:
            ok, message = False, str(exc)
        except Exception as exc:  # never let a test button take the window down
            log.exception("connection test failed unexpectedly")
            ok, message = (
                False,
                _("The test could not run ({error}).").format(error=type(exc).__name__),
            )
        set_look(label, tone="ok" if ok else "error")
        plain_block(label, ("✓ " if ok else "✗ ") + message)

    @staticmethod
    def _only(source: Source, profile: Profile) -> Profile:
        if source is Source.CAPILLARY:
            return replace(profile, ctrlhub_org="")
        return replace(profile, capillary_url="")

    def save(self) -> None:
        self._start(self._save())

    async def _save(self) -> None:
        self.save_button.setEnabled(False)
        set_look(self.status, tone="")
        plain_block(self.status, _("Saving…"))
        try:
            profile = connections.check_profile(self.profile())
            secrets = self.secrets()
            missing = await connections.missing_secrets(profile, secrets, self.editing)
            if missing:
                raise ViewerError(_("Enter the {what}.").format(what=missing[0]))
            secrets = await connections.sign_in_if_needed(profile, secrets)
            # Keyring and file writes: off the GUI thread (a locked keyring can take a while).
            notices = await asyncio.to_thread(
                connections.save, profile, secrets, self.editing.name if self.editing else None
            )
        except ViewerError as exc:
            self._save_failed(str(exc))
            return
        except OSError as exc:  # the config folder is read-only, full, or not a folder
            log.warning("saving the connection failed: %s", exc)
            reason = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
            self._save_failed(
                _("The connection could not be saved: {reason}.").format(reason=reason)
            )
            return
        except Exception as exc:  # never leave the dialog stuck on "Saving…"
            log.exception("saving the connection failed unexpectedly")
            self._save_failed(
                _("The connection could not be saved ({error}).").format(error=type(exc).__name__)
            )
            return
        plain_block(self.status, "\n".join(notices))
        self.saved.emit(profile.name)
        if self.then_open is not None:
            await self.then_open(profile.name)
        self.accept()

    def _save_failed(self, sentence: str) -> None:
        """Say why, and let the agent fix the form and press Save again."""
        set_look(self.status, tone="error")
        plain_block(self.status, sentence)
        self.save_button.setEnabled(True)

    def done(self, result: int) -> None:
        """Closing stops any test or sign-in still running (but not the save that closes it)."""
        current = asyncio.current_task() if asyncio.get_event_loop().is_running() else None
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        super().done(result)
