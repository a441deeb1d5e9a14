"""Which connection the window uses: profiles menu, switcher, welcome page, dialogs.

The main window shows one customer; this object decides which profile's sources answer,
and handles everything around profiles: first run, set-up, edit, rename, delete, the
demo, and signing in again when a Ctrl-Hub session ends.

Everything below the window goes through `connections`: the keyring, the offline store and
the network are reached from worker threads, so a keyring waiting for its unlock prompt
leaves the window painting (the screen is cleared at once, the sources follow).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox

from viewer import connections
from viewer.connections import Profile, SavedDataStore
from viewer.domain import ViewerError
from viewer.i18n import _
from viewer.safe_text import shown
from viewer.ui.main_window import MainWindow
from viewer.ui.saved_data_dialog import SavedDataDialog
from viewer.ui.setup_dialog import SetupDialog
from viewer.ui.sign_in_dialog import SignInDialog
from viewer.ui.tasks import BackgroundTasks
from viewer.ui.welcome import WelcomePage


class ConnectionController(QObject):
    def __init__(
        self,
        window: MainWindow,
        start_demo: Callable[[], Profile],
        store: SavedDataStore | None = None,
    ):
        super().__init__(window)
        self.window = window
        self.start_demo = start_demo
        self.store = store
        self._tasks = BackgroundTasks()
        self.opening: asyncio.Task | None = None  # the profile whose sources are being built
        self.profile: Profile | None = None
        self.dialog: SetupDialog | SignInDialog | None = None  # the open one, kept alive
        self.welcome = WelcomePage()
        self._tasks.start(self._show_keyring_notice())
        self.welcome.set_up_requested.connect(self.open_setup)
        self.welcome.demo_requested.connect(self.use_demo)
        self.switcher = QComboBox()
        self.switcher.setAccessibleName(_("Connection profile"))
        self.switcher.setMinimumContentsLength(14)
        self.switcher.activated.connect(self._switched)
        window.statusBar().addPermanentWidget(self.switcher)
        window.profile_label.hide()
        window.sign_in_needed.connect(self.open_sign_in)
        self.offline_box = QCheckBox(_("Offline"))
        self.offline_box.setToolTip(_("Work offline: show saved data only and send nothing"))
        window.statusBar().addPermanentWidget(self.offline_box)
        self._build_menu()
        self.offline_box.toggled.connect(self.offline_action.setChecked)
        self.offline_action.toggled.connect(self.offline_box.setChecked)
        self.offline_action.toggled.connect(window.set_offline)

    # -- menu and switcher --------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu(_("&Connection"))
        self.profiles_menu = menu.addMenu(_("Use profile"))
        self.group = QActionGroup(self)
        menu.addSeparator()
        menu.addAction(_("New connection…"), self.open_setup)
        self.edit_action = menu.addAction(_("Edit this connection…"), self.open_edit)
        self.delete_action = menu.addAction(_("Delete this connection…"), self.confirm_delete)
        menu.addSeparator()
        self.offline_action = menu.addAction(_("Work offline"))
        self.offline_action.setCheckable(True)
        menu.addAction(_("Saved data…"), self.open_saved_data)
        menu.addSeparator()
        menu.addAction(_("Try the demo"), self.use_demo)

    async def _show_keyring_notice(self) -> None:
        self.welcome.show_notice(await connections.keyring_notice())

    def refresh(self) -> None:
        saved = connections.saved_profiles()
        names = sorted(saved)
        if self.profile is not None and self.profile.name not in names:
            names.append(self.profile.name)  # the demo, or an environment-only profile
        self.switcher.blockSignals(True)
        self.switcher.clear()
        for name in names:  # a name from the config file is shown visibly, matched exactly
            self.switcher.addItem(shown(name, 80), name)
        if self.profile is not None:
            self.switcher.setCurrentIndex(self.switcher.findData(self.profile.name))
        self.switcher.setVisible(bool(names))
        self.switcher.blockSignals(False)
        self.profiles_menu.clear()
        for name in names:
            action = QAction(shown(name, 80).replace("&", "&&"), self.profiles_menu, checkable=True)
            action.setChecked(self.profile is not None and name == self.profile.name)
            action.triggered.connect(lambda _=False, n=name: self.use_named(n))
            self.group.addAction(action)
            self.profiles_menu.addAction(action)
        editable = self.profile is not None and self.profile.name in saved
        self.edit_action.setEnabled(editable)
        self.delete_action.setEnabled(editable)

    def _switched(self, index: int) -> None:
        name = self.switcher.itemData(index)
        if self.profile is None or name != self.profile.name:
            self.use_named(name)

    # -- choosing a profile ---------------------------------------------------------------
    def use(self, profile: Profile | None) -> asyncio.Task | None:
        """Show `profile`'s connection, or the welcome page when there is none. The screen is
        cleared and the switcher set at once; the returned task opens the sources (a newer
        choice cancels it, so a slow old profile never replaces the one chosen after it)."""
        self._stop_opening()
        self.profile = profile
        if profile is None or not (profile.has_capillary or profile.has_ctrlhub):
            self.profile = None
            self.window.use_service(None, _("none"))
            self.window.show_page(self.welcome)
            self.refresh()
            self.window.set_connecting(False)
            return None
        self.window.set_connecting(True)  # a search typed now waits for the connection
        self.window.use_service(None, profile.name)  # nothing of the last profile stays meanwhile
        self.refresh()
        self._tasks.start(connections.remember_choice(profile.name))
        self.opening = self._tasks.start(self._open_service(profile))
        return self.opening

    async def _open_service(self, profile: Profile) -> None:
        service, problem = None, ""
        try:
            try:
                service = await connections.open_service(profile, self.store)
            except ViewerError as exc:
                problem = _("{problem} Open Connection → Edit this connection… to fix it.").format(
                    problem=exc
                )
            self.window.use_service(service, profile.name, problem)
            self.window.search_bar.field.setFocus()
        finally:  # a search that waited runs now, or says why it cannot (unless a newer
            # choice of profile took over: that one is being opened now)
            if self.opening is None or self.opening is asyncio.current_task():
                self.window.set_connecting(False)

    def _stop_opening(self) -> None:
        if self.opening is not None and not self.opening.done():
            self.opening.cancel()
        self.opening = None

    def use_named(self, name: str) -> asyncio.Task | None:
        if name == "demo" and name not in connections.saved_profiles():
            return self.use_demo()
        return self.use(connections.saved_profiles().get(name))

    def use_demo(self) -> asyncio.Task | None:
        return self.use(self.start_demo())

    async def _use_saved(self, name: str) -> None:
        """For the set-up dialog: it closes once the window works with what it saved."""
        opening = self.use_named(name)
        if opening is not None:
            await asyncio.wait([opening])  # opened, failed or overtaken: the dialog is done

    # -- dialogs (non-modal: the customer on screen stays usable) ------------------------
    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.show()
        dialog.raise_()

    def open_setup(self) -> None:
        self._open(SetupDialog(self.window, then_open=self._use_saved))

    def open_edit(self) -> None:
        if self.profile is None:
            return
        self._open(SetupDialog(self.window, self.profile, then_open=self._use_saved))

    def open_sign_in(self) -> None:
        if self.profile is None or not self.profile.has_ctrlhub:
            return
        dialog = SignInDialog(self.profile, self.window)
        dialog.signed_in.connect(self._signed_in)
        self._open(dialog)

    def _signed_in(self) -> None:
        """A new session: rebuild the sources and repeat the search the agent was doing."""
        self._tasks.start(self._reopen_and_repeat())

    async def _reopen_and_repeat(self) -> None:
        opening = self.use(self.profile)
        if opening is not None:
            await opening  # cancelled when another profile is chosen first: nothing to repeat
            self.window.repeat_last_search()

    def open_saved_data(self) -> None:
        if self.store is None:
            return
        name = self.profile.name if self.profile else ""
        self._open(SavedDataDialog(self.store, self.window.service, name, self.window))

    def confirm_delete(self) -> None:
        if self.profile is None:
            return
        name = self.profile.name
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Delete connection"),
            _("Delete the connection “{name}” and its stored passwords and tokens?").format(
                name=shown(name, 80)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name comes from the config file
        box.setModal(False)
        yes = QMessageBox.StandardButton.Yes
        box.buttonClicked.connect(
            lambda button: self.delete(name) if box.standardButton(button) == yes else None
        )
        self._open(box)

    def delete(self, name: str) -> asyncio.Task:
        """Remove the profile, its secrets and its saved data on a worker thread (clearing
        saved data rewrites the file: seconds for a large store), then show what remains."""
        self._stop_opening()
        # Nothing of the deleted profile stays on screen; its saves land before the clear.
        closing = self.window.use_service(None, name, "")
        return self._tasks.start(self._delete(name, closing))

    async def _delete(self, name: str, closing: asyncio.Future[None] | None) -> None:
        if closing is not None:
            await closing
        opening = self.use(await connections.delete_profile(name, self.store))
        if opening is not None:
            await opening

    # -- background work ---------------------------------------------------------------------
    async def shutdown(self) -> None:
        """On quit, before the window closes its service: stop opening, signing in, deleting."""
        await self._tasks.shutdown()
