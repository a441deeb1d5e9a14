# Run-time hook of the frozen program, in place of PyInstaller's own for PySide6
# (pyi_rth_pyside6, taken out in customer-viewer.spec): where Qt's plugins are, set before
# anything imports Qt, and nothing imported.
#
# PyInstaller's hook also imports PySide6.QtCore at every start, to register a qt.conf
# unless one is there. PySide6's wheels carry their own, so it only ever looked; but the
# import cost ~0.2 s before `--version`, a CLI command or a softphone's `open` hand-over
# (which never load Qt) had done anything: `--version` took 0.24-0.31 s frozen against
# 0.03-0.07 s from a checkout. The window's own plugins come from QT_PLUGIN_PATH, and it
# loads no Qt translations (qt_trim.py leaves them out) and no QML, the two other things
# PyInstaller's hook pointed Qt to.


def _qt_paths() -> None:
    import os
    import sys

    base = sys._MEIPASS  # type: ignore[attr-defined]  # the _internal folder
    # The PySide6 wheel's layout: Qt's files under PySide6/Qt, on Windows PySide6 itself.
    qt = (
        os.path.join(base, "PySide6")
        if sys.platform == "win32"
        else os.path.join(base, "PySide6", "Qt")
    )
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    if sys.platform == "win32":  # as PyInstaller's hook does: DLLs collected beside Qt's
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")


_qt_paths()
del _qt_paths
