"""The installers register customer-viewer:// links: Windows (.iss, per user), macOS
(the bundle's Info.plist) and Linux (a .desktop file and the script that installs it)."""

from __future__ import annotations

import ast
import configparser
import os
import plistlib
import re
import shlex
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ISS = PACKAGING / "windows" / "customer-viewer.iss"
SPEC = PACKAGING / "customer-viewer.spec"
DESKTOP = ROOT / "resources" / "customer-viewer.desktop"
INSTALL_ENTRY = PACKAGING / "linux" / "install-desktop-entry.sh"
LINK = "customer-viewer://lookup?mobile=%2B447700900123&profile=demo"


# -- Windows ----------------------------------------------------------------------------------


def _iss_section(name: str) -> list[str]:
    lines, inside = [], False
    for line in ISS.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            inside = line.strip() == f"[{name}]"
        elif inside and line.strip() and not line.lstrip().startswith(";"):
            lines.append(line)
    return lines


def _iss_entry(line: str) -> dict[str, str]:
    """One [Registry] line as {"Root": "HKCU", "Subkey": …}, Inno's doubled quotes undone."""
    entry = {}
    for key, value in re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line):
        value = value.strip()
        if value.startswith('"'):
            value = value[1:-1].replace('""', '"')
        entry[key] = value
    return entry


def test_windows_installer_registers_the_scheme_for_this_user_only():
    iss = ISS.read_text(encoding="utf-8")
    assert "PrivilegesRequired=lowest" in iss
    gui_exe = re.search(r'#define GuiExe "([^"]+)"', iss).group(1)
    entries = [_iss_entry(line) for line in _iss_section("Registry")]
    assert entries and {e["Root"] for e in entries} == {"HKCU"}  # no administrator rights, no HKLM
    keys = {(e["Subkey"], e.get("ValueName")): e for e in entries}

    scheme = keys[("Software\\Classes\\customer-viewer", "")]
    assert scheme["ValueData"].startswith("URL:") and "uninsdeletekey" in scheme["Flags"]
    assert ("Software\\Classes\\customer-viewer", "URL Protocol") in keys
    command = keys[("Software\\Classes\\customer-viewer\\shell\\open\\command", "")]["ValueData"]
    command = command.replace("{#GuiExe}", gui_exe)  # Inno's preprocessor
    # The windowed program hands the link over; after "--" a link is never an option.
    assert command == f'"{{app}}\\{gui_exe}" open -- "%1"'
    # tel: is offered as a capability (Default apps), never taken over.
    assert ("Software\\Classes\\tel", "") not in keys
    assert keys[("Software\\CustomerViewer\\Capabilities\\URLAssociations", "tel")]
    assert "uninsdeletevalue" in keys[("Software\\RegisteredApplications", "{#AppName}")]["Flags"]


def test_the_windowed_program_the_registry_names_is_built():
    spec = SPEC.read_text(encoding="utf-8")
    assert 'NAME = "customer-viewer"' in spec and '_exe(f"{NAME}-gui", console=False)' in spec


# -- macOS --------------------------------------------------------------------------------------


def _spec_info_plist() -> dict:
    """The info_plist the spec gives BUNDLE, evaluated with the spec's own constants."""
    source = SPEC.read_text(encoding="utf-8")
    tree = ast.parse(source)
    constants = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
        ):
            constants[node.targets[0].id] = node.value.value
    bundle = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "BUNDLE"
    )
    plist = next(k.value for k in bundle.keywords if k.arg == "info_plist")
    return eval(compile(ast.Expression(plist), "spec", "eval"), {"VERSION": "0.0.0", **constants})


def test_macos_bundle_declares_the_scheme():
    info = plistlib.loads(plistlib.dumps(_spec_info_plist()))  # a valid Info.plist
    schemes = {s: t for t in info["CFBundleURLTypes"] for s in t["CFBundleURLSchemes"]}
    assert schemes["customer-viewer"]["CFBundleURLName"] == "com.customer-viewer.app.lookup"
    assert schemes["tel"].get("LSHandlerRank") == "Alternate"  # a choice, never the default


def test_the_bundle_keeps_qt_network_for_the_local_socket():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    unused = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "UNUSED_QT"
    )
    assert "QtNetwork" not in unused and "QtNetworkAuth" in unused
    assert (PACKAGING / "pyinstaller-hooks" / "hook-PySide6.QtNetwork.py").exists()


# -- Linux --------------------------------------------------------------------------------------


def _desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


def test_linux_desktop_file_handles_the_scheme():
    entry = _desktop_entry(DESKTOP)
    assert entry["Type"] == "Application"
    assert "x-scheme-handler/customer-viewer" in entry["MimeType"].split(";")
    assert "x-scheme-handler/tel" not in entry["MimeType"]  # off by default: README says how
    assert shlex.split(entry["Exec"]) == ["customer-viewer", "%u"]
    assert (PACKAGING / "build.sh").read_text().count("resources/customer-viewer.desktop") == 1


def _fake_program(folder: Path) -> Path:
    """A stand-in for the program that records the arguments a launcher gives it."""
    folder.mkdir(parents=True)
    program = folder / "customer-viewer"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/argv"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def _install(program: Path, data_home: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(data_home),
        "HOME": str(data_home.parent),
        "PATH": "/usr/bin:/bin",
    }  # whatever xdg-mime does, it does in this home
    return subprocess.run(
        ["bash", str(INSTALL_ENTRY), *extra, str(program)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_the_linux_entry_installs_per_user_and_runs_the_program_with_the_link(tmp_path):
    program = _fake_program(tmp_path / "my apps" / "customer viewer")
    data_home = tmp_path / "home" / ".local" / "share"
    done = _install(program, data_home)
    assert done.returncode == 0, done.stderr
    installed = data_home / "applications" / "customer-viewer.desktop"
    entry = _desktop_entry(installed)
    assert entry["MimeType"] == _desktop_entry(DESKTOP)["MimeType"]
    assert (data_home / "icons" / "hicolor" / "256x256" / "apps" / "customer-viewer.png").exists()
    # Software centres find the program by the AppStream file naming this entry.
    metainfo = (
        data_home / "metainfo" / "com.customer_viewer.CustomerViewer.metainfo.xml"
    ).read_text()
    assert '<launchable type="desktop-id">customer-viewer.desktop</launchable>' in metainfo

    # What a launcher does for `xdg-open LINK`: the Exec line, %u replaced by the link.
    argv = [LINK if word == "%u" else word for word in shlex.split(entry["Exec"])]
    assert argv[0] == str(program)
    subprocess.run(argv, check=True, timeout=30)
    assert (program.parent / "argv").read_text().splitlines() == [LINK]

    removed = subprocess.run(
        ["bash", str(INSTALL_ENTRY), "--uninstall"],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_DATA_HOME": str(data_home), "PATH": "/usr/bin:/bin"},
    )
    assert removed.returncode == 0 and not installed.exists()
    assert not (data_home / "metainfo" / "com.customer_viewer.CustomerViewer.metainfo.xml").exists()


def test_the_linux_entry_refuses_a_path_it_cannot_quote(tmp_path):
    program = _fake_program(tmp_path / "$HOME" / "bin")
    done = _install(program, tmp_path / "home" / ".local" / "share")
    assert done.returncode == 1 and "plainer path" in done.stderr
    assert not (
        tmp_path / "home" / ".local" / "share" / "applications" / "customer-viewer.desktop"
    ).exists()
