"""A partial window for start-up (bench/start_partial.py): the program's own search bar,
message bar, menus and status bar, with its colours, icon and translations, over an empty
customer area; no event loop, no customer view, no screen-pop check. What showing a window
before the rest of the program loads would show first."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# As viewer/app.py: before any other user of PySide6.
import viewer.ui.pyside_scan  # noqa: F401

# isort: split
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from viewer.ui import palette
from viewer.ui.assets import app_icon
from viewer.ui.translations import install_translations

app = QApplication(sys.argv[:1])
app.setWindowIcon(app_icon())
palette.install(app)
install_translations(app)

from viewer.ui.message_bar import MessageBar  # noqa: E402
from viewer.ui.search_bar import SearchBar  # noqa: E402

window = QMainWindow()
central = QWidget()
layout = QVBoxLayout(central)
layout.addWidget(SearchBar())
layout.addWidget(MessageBar())
layout.addWidget(QLabel("No customer yet — search above."), 1)
window.setCentralWidget(central)
for menu in ("&Search", "&Export", "&Help"):
    window.menuBar().addMenu(menu)
window.statusBar().showMessage("")
window.resize(1360, 820)
window.show()
sys.exit(app.exec())
