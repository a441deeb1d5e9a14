# Replaces PyInstaller's hook for this module: the same collection, trimmed (see qt_trim.py).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qt_trim import trimmed_qt6_dependencies

hiddenimports, binaries, datas = trimmed_qt6_dependencies(__file__)
