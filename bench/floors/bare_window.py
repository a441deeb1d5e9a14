"""Floor for start-up: the least a PySide6 program does to show a window with a text field."""

import sys

from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLineEdit())
window.resize(1360, 820)
window.show()
sys.exit(app.exec())
