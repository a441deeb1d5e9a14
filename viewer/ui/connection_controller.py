"""Which connection the window uses: profiles menu, switcher, welcome page, dialogs.

The main window shows one customer; this object decides which profile's sources answer,
and handles everything around profiles: first run, set-up, edit, rename, delete, the
demo, and signing in again when a Ctrl-Hub session ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox

from viewer import connections, credentials, profiles
from viewer.cache import OfflineStore
from viewer.domain import ViewerError
from viewer.profiles import Profile
from viewer.safe_text import shown
from viewer.ui.main_window import MainWindow
from viewer.ui.saved_data_dialog import SavedDataDialog
from viewer.ui.setup_dialog import SetupDialog
from viewer.ui.sign_in_dialog import SignInDialog
from viewer.ui.welcome import WelcomePage
from viewer.wiring import build_service


class ConnectionController(QObject):
    def __init__(self, window: MainWindow, start_demo: Callable[[], Profile], store: OfflineStore | None = None):
        super().__init__(window)
        self.window = window
        self.start_demo = start_demo
        self.store = store
        self._tasks: set[asyncio.Task] = set()  # strong references until done
        self.profile: Profile | None = None
        self.dialog: SetupDialog | SignInDialog | None = None  # the open one, kept alive
        self.welcome = WelcomePage(notice=credentials.fallback_notice() or "")
        self.welcome.set_up_requested.connect(self.open_setup)
        self.welcome.demo_requested.connect(self.use_demo)
        self.switcher = QComboBox()
        self.switcher.setAccessibleName("Connection profile")
        self.switcher.setMinimumContentsLength(14)
        self.switcher.activated.connect(self._switched)
        window.statusBar().addPermanentWidget(self.switcher)
        window.profile_label.hide()
        window.sign_in_needed.connect(self.open_sign_in)
        self.offline_box = QCheckBox("Offline")
        self.offline_box.setToolTip("Work offline: show saved data only and send nothing")
        window.statusBar().addPermanentWidget(self.offline_box)
        self._build_menu()
        self.offline_box.toggled.connect(self.offline_action.setChecked)
        self.offline_action.toggled.connect(self.offline_box.setChecked)
        self.offline_action.toggled.connect(window.set_offline)

    # -- menu and switcher --------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Connection")
        self.profiles_menu = menu.addMenu("Use profile")
        self.group = QActionGroup(self)
        menu.addSeparator()
        menu.addAction("New connection…", self.open_setup)
        self.edit_action = menu.addAction("Edit this connection…", self.open_edit)
        self.delete_action = menu.addAction("Delete this connection…", self.confirm_delete)
        menu.addSeparator()
        self.offline_action = menu.addAction("Work offline")
        self.offline_action.setCheckable(True)
        menu.addAction("Saved data…", self.open_saved_data)
        menu.addSeparator()
        menu.addAction("Try the demo", self.use_demo)

    def refresh(self) -> None:
        names = sorted(profiles.load_config().profiles)
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
        saved = self.profile is not None and self.profile.name in profiles.load_config().profiles
        self.edit_action.setEnabled(saved)
        self.delete_action.setEnabled(saved)

    def _switched(self, index: int) -> None:
        name = self.switcher.itemData(index)
        if self.profile is None or name != self.profile.name:
            self.use_named(name)

    # -- choosing a profile ---------------------------------------------------------------
    def use(self, profile: Profile | None) -> None:
        """Show `profile`'s connection, or the welcome page when there is none."""
        self.profile = profile
        if profile is None or not (profile.has_capillary or profile.has_ctrlhub):
            self.profile = None
            self.window.use_service(None, "none")
            self.window.show_page(self.welcome)
            self.refresh()
            return
        service, problem = None, ""
        try:
            service = build_service(profile, self.store)
        except ViewerError as exc:
            problem = f"{exc} Open Connection → Edit this connection… to fix it."
        self.window.use_service(service, profile.name, problem)
        if profile.name in profiles.load_config().profiles:
            profiles.remember_last(profile.name)
        self.refresh()
        self.window.search_bar.field.setFocus()

    def use_named(self, name: str) -> None:
        if name == "demo" and name not in profiles.load_config().profiles:
            self.use_demo()
            return
        self.use(profiles.load_config().profiles.get(name))

    def use_demo(self) -> None:
        self.use(self.start_demo())

    # -- dialogs (non-modal: the customer on screen stays usable) ------------------------
    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.show()
        dialog.raise_()

    def open_setup(self) -> None:
        dialog = SetupDialog(self.window)
        dialog.saved.connect(self.use_named)
        self._open(dialog)

    def open_edit(self) -> None:
        if self.profile is None:
            return
        dialog = SetupDialog(self.window, self.profile)
        dialog.saved.connect(self.use_named)
        self._open(dialog)

    def open_sign_in(self) -> None:
        if self.profile is None or not self.profile.has_ctrlhub:
            return
        dialog = SignInDialog(self.profile, self.window)
        dialog.signed_in.connect(self._signed_in)
        self._open(dialog)

    def _signed_in(self) -> None:
        """A new session: rebuild the sources and repeat the search the agent was doing."""
        self.use(self.profile)
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
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete connection",
                          f"Delete the connection “{shown(name, 80)}” and its stored passwords and tokens?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name comes from the config file
        box.setModal(False)
        yes = QMessageBox.StandardButton.Yes
        box.buttonClicked.connect(lambda button: self.delete(name) if box.standardButton(button) == yes else None)
        self._open(box)

    def delete(self, name: str) -> asyncio.Task:
        """Remove the profile, its secrets and its saved data on a worker thread (clearing
        saved data rewrites the file: seconds for a large store), then show what remains."""
        self.window.use_service(None, name, "")  # nothing of the deleted profile stays on screen
        task = asyncio.ensure_future(self._delete(name))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _delete(self, name: str) -> None:
        await asyncio.to_thread(connections.remove, name, self.store)
        remaining = profiles.load_config()
        self.use(remaining.profiles.get(remaining.last_profile or ""))
