"""The one catalogue of what the program says, for both faces: the window and the CLI.

Sentences, labels and button texts are written in English in the source and go through
`_()` (or `ngettext()` where a count decides the wording) when they are shown. Catalogues
are GNU gettext .mo files, domain "customer-viewer", in viewer/locale/<language>/LC_MESSAGES/.
None ship yet: without a catalogue for the language, `_()` returns the source text.

    xgettext -L Python -k_ -kN_ -kngettext:1,2 -o customer-viewer.pot viewer/*.py viewer/ui/*.py
    msgfmt de.po -o viewer/locale/de/LC_MESSAGES/customer-viewer.mo

Rules that keep a translation possible:
- A whole sentence with named placeholders, never fragments glued together:
  `_("Searching for {what}…").format(what=query)` — a translator may move `{what}`.
- Module-level constants (combo choices, column names) are only marked, with `N_()`, and
  translated where they are put on screen: `_()` at import time would fix the language
  before the window chose it (and a test could not swap the catalogue).
- `_()` reads the current catalogue on every call, so `from viewer.i18n import _` is safe.
- Server data, identifiers, object names and log lines are never translated.

No Qt here: the window tells `use_languages` the OS's languages (viewer/ui/translations.py);
the CLI reads them from the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), as gettext does.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from pathlib import Path

DOMAIN = "customer-viewer"
LOCALE_DIR = Path(__file__).parent / "locale"

# The catalogue in use; replaced whole (by use_languages, install_pseudo), never mutated.
_catalogue: gettext.NullTranslations = gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)


def _(text: str) -> str:
    """`text` in the user's language (the source text when there is no translation)."""
    return _catalogue.gettext(text)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` ("1 row" / "3 rows"); languages with more forms pick theirs.
    The count is formatted in by the caller: `ngettext("{n} row", "{n} rows", n).format(n=n)`."""
    return _catalogue.ngettext(singular, plural, count)


def N_(text: str) -> str:
    """Marks a constant for the catalogue without translating it yet (see the rules above)."""
    return text


def use_languages(languages: Iterable[str]) -> None:
    """Use the catalogue of the first of `languages` ("de-DE", "de", …) that has one;
    none: the source text. Qt's BCP 47 names ("de-DE") become gettext's ("de_DE")."""
    global _catalogue
    names = [name.replace("-", "_") for name in languages if name and name != "C"]
    _catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=names or None, fallback=True)


class PseudoTranslation(gettext.NullTranslations):
    """For tests: every translated text comes back as ⟦text⟧, so text that never went
    through the catalogue stands out on screen."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"⟦{msgid1 if n == 1 else msgid2}⟧"


def install_pseudo() -> None:
    """Test hook: switch to the pseudo-translation (undo with `use_languages([])`)."""
    global _catalogue
    _catalogue = PseudoTranslation()
