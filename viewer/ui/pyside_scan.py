"""PySide's scan of every module imported after it, answered from the file's bytes.

Importing PySide6 replaces Python's `__import__`. After each later import, shiboken asks
whether the new module's source mentions "PySide6" (for its opt-in `from __feature__ import
snake_case`, which this program does not use). It asks with `inspect.getsource`, which reads
and splits the whole file into `linecache` and keeps it there. Before the window shows that
is 100 modules, 18–22 ms of the start here (timed by wrapping the check), then more for
httpx, keyring and cryptography, loaded while the window paints; and ~3 MB of source text
kept for good.

Importing this module (viewer/app.py does, before anything else that imports PySide6 is
imported) gives shiboken the same answer, read from the file's bytes: the same question on
the same text ("PySide6" is ASCII in every encoding a Python source may have). A module with
no readable .py file (a frozen build's, an extension, one from a zip) is asked PySide's own
way, as before. A PySide without this private function is left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6  # noqa: F401 - imported for its hook: the function replaced below comes with it

_FEATURE = "shibokensupport.feature"


def _reads_bytes(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def mentions_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    # Marks: this is the replacement (not replaced twice), and PySide's own (for the tests).
    mentions_pyside.reads_bytes = True  # type: ignore[attr-defined]
    mentions_pyside.pysides_own = original  # type: ignore[attr-defined]
    return mentions_pyside


def answer_from_bytes() -> bool:
    """Replace shiboken's check once; whether it is replaced (False: not found)."""
    feature = sys.modules.get(_FEATURE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or not callable(original):
        return False
    if not getattr(original, "reads_bytes", False):
        feature._mod_uses_pyside = _reads_bytes(original)  # type: ignore[union-attr]
    return True


answer_from_bytes()
