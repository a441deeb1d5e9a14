#!/usr/bin/env bash
# Keeps uv.lock and the hashed requirements exported from it in step (README, "Dependencies
# are locked"). ARGS go to `uv lock`:
#   tools/lock.sh                                       after editing pyproject.toml's dependencies
#   tools/lock.sh --upgrade-package pyside6-essentials  one package to its newest allowed version
#   tools/lock.sh --upgrade                             every package
#   tools/lock.sh --check                               fail when either file is out of date (CI)
#   tools/lock.sh --uv VERSION                          move tools/requirements-uv.txt to that uv
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_REQUIREMENTS=packaging/requirements-build.txt

# What the installer builds need (the dependencies and the build extra) for every platform and
# Python, each file with its hashes; not the project itself, which pip cannot hash (the build
# reads viewer/ from the checkout).
write_build_requirements() {
  {
    echo "# The installers' build environment, exported from uv.lock by tools/lock.sh: do not edit."
    echo "#   python -m pip install --require-hashes --only-binary :all: -r $BUILD_REQUIREMENTS"
    tools/uv export --quiet --frozen --no-header --no-emit-project --extra build \
      --format requirements-txt
  } >"$1"
}

case "${1:-}" in
  --check)
    tools/uv lock --check
    fresh=$(mktemp)
    trap 'rm -f "$fresh"' EXIT
    write_build_requirements "$fresh"
    if ! diff -u "$BUILD_REQUIREMENTS" "$fresh" >&2; then
      echo "lock: $BUILD_REQUIREMENTS is not what uv.lock exports: run tools/lock.sh" >&2
      exit 1
    fi
    ;;
  --uv)
    version=${2:?usage: tools/lock.sh --uv VERSION}
    new=$(mktemp)
    {
      echo "# uv itself, each platform's wheel checked against its hash: tools/uv installs it."
      echo "# Written by tools/lock.sh --uv $version: do not edit."
      echo "uv==$version" | tools/uv pip compile --quiet --universal --generate-hashes \
        --python-version 3.11 --no-header --no-annotate -
    } >"$new"
    cat "$new" >tools/requirements-uv.txt && rm -f "$new"
    ;;
  *)
    tools/uv lock "$@"
    write_build_requirements "$BUILD_REQUIREMENTS"
    ;;
esac
