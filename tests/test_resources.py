"""The assets live in the top-level resources/ folder and reach the program as the package
viewer.resources: through importlib.resources here (the editable install), in the wheel
(pyproject's package-dir and package-data) and in the bundle (the PyInstaller spec)."""

from __future__ import annotations

import ast
import importlib.resources
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from viewer.domain import CHANNEL_LABELS
from viewer.ui import assets, palette

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
GLYPHS = [f"channel-{c}.svg" for c in (*CHANNEL_LABELS, "all", "generic")]
# What the program loads while it runs; the .ico/.icns/.desktop/AppStream files are the
# installers' (packaging/), not the program's.
LOADED = ["app-icon.svg", "app-icon.png", "style.qss", *GLYPHS]


def test_the_program_finds_its_icon_glyphs_and_style_sheet(qapp):
    found = importlib.resources.files("viewer.resources")
    for name in LOADED:
        assert (found / name).is_file(), name
    assert not assets.app_icon().pixmap(32, 32).isNull()
    # Every channel the program knows has a glyph of its own; a source's own word gets
    # the generic one.
    for channel in CHANNEL_LABELS:
        assert assets.glyph_name(channel) == f"channel-{channel}.svg"
    assert assets.glyph_name("rcs") == "channel-generic.svg"
    # A glyph is drawn in the ink it is given (one file for light, dark and greyed tabs).
    image = assets.glyph_icon("sms", "#ff0000").pixmap(32, 32).toImage()
    inks = {
        image.pixelColor(x, y).name()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    }
    assert inks == {"#ff0000"}
    # The style sheet fills from both colour sets, every placeholder known.
    for colour_set in (palette.LIGHT, palette.DARK):
        sheet = palette.style_sheet(colour_set)
        assert "$" not in sheet and colour_set.error_bg in sheet


def test_every_glyph_is_a_monochrome_svg_drawn_in_current_color():
    for name in GLYPHS:
        svg = ET.parse(RESOURCES / name).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg", name
        colours = {
            value
            for element in svg.iter()
            for key, value in element.attrib.items()
            if key in ("fill", "stroke") and value != "none"
        }
        assert colours == {"currentColor"}, (name, colours)


def test_pyproject_ships_resources_as_viewer_resources():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"viewer.resources": "resources"}
    # The packages are listed by hand (a mapped folder cannot be found): none may be missing.
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "viewer").rglob("__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk | {"viewer.resources"}
    shipped = {
        path.name
        for pattern in setuptools["package-data"]["viewer.resources"]
        for path in RESOURCES.glob(pattern)
    }
    assert shipped >= set(LOADED)


def test_the_bundle_carries_the_same_files_as_the_wheel():
    spec = (ROOT / "packaging" / "customer-viewer.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec)
    patterns = next(
        ast.literal_eval(node.iter)
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension) and getattr(node.target, "id", "") == "pattern"
    )
    assert 'RESOURCES = ROOT / "resources"' in spec
    bundled = {path.name for pattern in patterns for path in RESOURCES.glob(pattern)}
    wheel = {
        path.name
        for pattern in PYPROJECT["tool"]["setuptools"]["package-data"]["viewer.resources"]
        for path in RESOURCES.glob(pattern)
    }
    assert bundled == wheel | {"__init__.py"}


def test_a_built_wheel_holds_the_assets(tmp_path):
    """Builds the wheel with the build backend pyproject names, through the project's own
    uv (tools/uv: what ./dev and CI use; a uv-made venv has no pip)."""
    built = subprocess.run(
        [str(ROOT / "tools" / "uv"), "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("customer_viewer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"viewer/resources/{name}" for name in LOADED} <= names
    assert "viewer/ui/palette.py" in names and "viewer/resources/__init__.py" in names
    assert not any(name.endswith((".ico", ".icns", ".desktop")) for name in names)


def test_the_appstream_file_describes_the_menu_entry():
    (metainfo,) = RESOURCES.glob("*.metainfo.xml")
    component = ET.parse(metainfo).getroot()
    assert component.get("type") == "desktop-application"
    assert metainfo.name == f"{component.findtext('id')}.metainfo.xml"
    launchable = component.find("launchable")
    assert launchable is not None and (RESOURCES / launchable.text).is_file()
    assert component.findtext("provides/binary") in PYPROJECT["project"]["scripts"]
    validator = shutil.which("appstreamcli")
    if validator:  # the AppStream tool itself, where the machine has it
        checked = subprocess.run(
            [validator, "validate", "--no-net", str(metainfo)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
