"""The window in the OS language: Qt's own words (Cancel, OK, Close in dialog buttons, the
text fields' context menus) from Qt's `qtbase_<language>.qm`, and the program's own from
its catalogue (viewer/i18n.py), both chosen by the same QLocale."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from viewer import i18n

_installed: list[QTranslator] = []  # kept alive; replaced when called again


def install_translations(app: QCoreApplication, locale: QLocale | None = None) -> bool:
    """Translate Qt's and the program's words for `locale` (default: the OS's). True when
    Qt has a translation for it (English needs none, so False is normal there)."""
    locale = locale if locale is not None else QLocale.system()
    i18n.use_languages(locale.uiLanguages())
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # Tries qtbase_de_DE.qm, qtbase_de.qm, … for each of the locale's UI languages in turn.
    if not translator.load(locale, "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
