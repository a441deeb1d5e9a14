"""PySide's scan of each imported module, answered from the file's bytes (viewer/ui/pyside_scan.py):
the same answers as PySide's own, and no module's source kept in linecache."""

from __future__ import annotations

import importlib
import linecache
import sys

import pytest

import viewer.app  # noqa: F401 - what the window imports first: it installs the check


def _feature():
    feature = sys.modules.get("shibokensupport.feature")
    if getattr(feature, "_mod_uses_pyside", None) is None:
        pytest.fail("this PySide has no module scan: viewer/ui/pyside_scan.py is now moot")
    return feature


@pytest.fixture
def new_modules(tmp_path, monkeypatch):
    """Two modules not imported yet: one that uses PySide6, one that does not."""
    (tmp_path / "scan_uses_qt.py").write_text("from PySide6.QtCore import QObject\n\nX = QObject\n")
    (tmp_path / "scan_plain.py").write_text("X = 1  # nothing of Qt's\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("scan_uses_qt", "scan_plain"):
        sys.modules.pop(name, None)
        _feature().pyside_feature_dict.pop(name, None)


def test_a_module_imported_later_is_told_apart_without_its_source_kept(new_modules):
    feature = _feature()
    assert feature._mod_uses_pyside.reads_bytes
    linecache.clearcache()
    # Through PySide's __import__, as any import statement in the program goes.
    exec("import scan_uses_qt, scan_plain", {})
    assert feature.pyside_feature_dict["scan_uses_qt"] == 0  # uses PySide, no feature chosen
    assert feature.pyside_feature_dict["scan_plain"] == -1  # ignored by PySide
    assert not [name for name in linecache.cache if name.startswith(str(new_modules))]


def test_every_kind_of_module_gets_pysides_own_answer(new_modules):
    ours = _feature()._mod_uses_pyside
    pysides = ours.pysides_own
    modules = [
        importlib.import_module(name)
        for name in (
            "scan_uses_qt",
            "scan_plain",
            "viewer.ui.palette",  # ours, with Qt
            "viewer.domain",  # ours, without
            "json",  # the standard library's
            "sys",  # built in
            "msgspec._core",  # an extension
            "PySide6.QtCore",
            "qasync",  # a package's __init__.py that names PySide6
        )
    ]
    gone = new_modules / "scan_plain.py"
    gone.unlink()  # a file deleted since its import: asked PySide's way
    answers = [ours(module) for module in modules]
    assert answers == [pysides(module) for module in modules]
    assert answers == [True, False, True, False, False, False, False, False, True]


def test_replacing_twice_keeps_one_replacement():
    from viewer.ui.pyside_scan import answer_from_bytes

    before = _feature()._mod_uses_pyside
    assert answer_from_bytes()
    assert _feature()._mod_uses_pyside is before
