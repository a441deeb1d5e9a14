#!/usr/bin/env bash
# Run COMMAND... under a private D-Bus session with an unlocked gnome-keyring Secret Service,
# so keyring finds its SecretService backend on a headless Linux machine (CI, containers).
#   packaging/with-secret-service.sh dist/customer-viewer/customer-viewer --self-test
# Needs: dbus-run-session (dbus / dbus-x11) and gnome-keyring-daemon. The keyring lives in
# throw-away folders, so nothing of the user's own keyring is read or written. Exits with
# COMMAND's exit code.
set -euo pipefail
if [ $# -eq 0 ]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-secret-service: $tool is not installed (apt-get install dbus-x11 gnome-keyring)" >&2
    exit 127
  fi
done
exec dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
  chmod 700 "$XDG_RUNTIME_DIR"
  trap "rm -rf \"\$XDG_DATA_HOME\" \"\$XDG_RUNTIME_DIR\"" EXIT
  # --unlock reads the new login keyring password from stdin; --components=secrets only.
  eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  "$@"
' with-secret-service "$@"
