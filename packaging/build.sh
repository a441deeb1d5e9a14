#!/usr/bin/env bash
# Build the one-folder bundle into dist/ (Linux and macOS; Windows: packaging/build.ps1).
#   packaging/build.sh             dist/customer-viewer/ (+ "dist/Customer Interaction Viewer.app" on macOS)
#   packaging/build.sh --archive   also dist/customer-viewer-VERSION-linux-ARCH.tar.gz (Linux)
# Uses .venv/bin/python when there is one (PYTHON overrides); needs the build extra there,
# at the versions in uv.lock:
#   tools/uv sync --locked --extra test --extra build      (into .venv, as .ci/run does)
#   python -m pip install --require-hashes --only-binary :all: -r packaging/requirements-build.txt
# Prints the bundle's size and the build time. macOS installer: packaging/macos/make-dmg.sh.
# (Plain bash 3.2 on purpose: that is what macOS has.)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
archive=no
[ "${1:-}" = "--archive" ] && archive=yes

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build: PyInstaller is missing for $PY; run: tools/uv sync --locked --extra test --extra build" >&2
  exit 1
fi
SECONDS=0
"$PY" packaging/make_icons.py --missing-only
rm -rf dist/customer-viewer "dist/Customer Interaction Viewer.app"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/customer-viewer.spec
took=$SECONDS
if [ "$(uname -s)" = Linux ]; then  # the menu entry, link handler and AppStream data travel with it
  cp resources/customer-viewer.desktop resources/com.customer_viewer.CustomerViewer.metainfo.xml \
    packaging/linux/install-desktop-entry.sh dist/customer-viewer/
fi

version=$("$PY" -c "import re; print(re.search(r'^__version__\s*=\s*\"([^\"]+)\"', open('viewer/__init__.py').read(), re.M).group(1))")
echo "build: customer-viewer $version in ${took} s"
du -sh dist/customer-viewer
if [ -d "dist/Customer Interaction Viewer.app" ]; then
  du -sh "dist/Customer Interaction Viewer.app"
fi
if [ "$archive" = yes ]; then
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  tarball="dist/customer-viewer-$version-$os-$(uname -m).tar.gz"
  tar -czf "$tarball" -C dist customer-viewer
  du -sh "$tarball"
fi
