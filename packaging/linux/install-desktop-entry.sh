#!/usr/bin/env bash
# Per-user menu entry and customer-viewer:// link handler on Linux (no administrator rights).
#   packaging/linux/install-desktop-entry.sh [PROGRAM]     install (PROGRAM: the customer-viewer
#                                                          program; default: the one beside this
#                                                          script in a bundle, else on PATH)
#   packaging/linux/install-desktop-entry.sh --uninstall   remove what install put there
# Writes ~/.local/share/applications/customer-viewer.desktop (from customer-viewer.desktop
# beside this script in a bundle, else in resources/ of the checkout; Exec made absolute), the
# icon under ~/.local/share/icons and the AppStream metainfo under ~/.local/share/metainfo,
# then registers the link scheme with xdg-mime. Test it: xdg-open 'customer-viewer://lookup?mobile=919845012345'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry="$data/applications/customer-viewer.desktop"
icon="$data/icons/hicolor/256x256/apps/customer-viewer.png"
metainfo_name=com.customer_viewer.CustomerViewer.metainfo.xml
metainfo="$data/metainfo/$metainfo_name"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$entry" "$icon" "$metainfo"
  command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
  echo "Removed $entry"
  exit 0
fi

program=${1:-}
if [ -z "$program" ]; then
  if [ -x "$here/customer-viewer" ]; then program="$here/customer-viewer"        # in a bundle
  elif [ -x "$here/../../dist/customer-viewer/customer-viewer" ]; then program="$here/../../dist/customer-viewer/customer-viewer"
  else program=$(command -v customer-viewer || true); fi
fi
if [ -z "$program" ] || [ ! -x "$program" ]; then
  echo "install-desktop-entry: no customer-viewer program found; pass its path" >&2
  exit 1
fi
program=$(cd "$(dirname "$program")" && pwd)/$(basename "$program")
case "$program" in  # characters a desktop entry's Exec would need escaping for
  *[\"\`\$\\%]*|*$'\n'*) echo "install-desktop-entry: move the program to a plainer path: $program" >&2; exit 1 ;;
esac

# The first of these that exists: beside this script (a bundle), else the checkout's resources/.
first_file() { for f in "$@"; do [ -f "$f" ] && echo "$f" && return; done; true; }
source_entry=$(first_file "$here/customer-viewer.desktop" "$here/../../resources/customer-viewer.desktop")
source_metainfo=$(first_file "$here/$metainfo_name" "$here/../../resources/$metainfo_name")
source_icon=$(first_file "$(dirname "$program")/_internal/viewer/resources/app-icon.png" \
                         "$here/../../resources/app-icon.png")
if [ -z "$source_entry" ]; then
  echo "install-desktop-entry: customer-viewer.desktop is missing beside this script" >&2
  exit 1
fi
mkdir -p "$(dirname "$entry")" "$(dirname "$icon")" "$(dirname "$metainfo")"
[ -n "$source_icon" ] && cp "$source_icon" "$icon"
[ -n "$source_metainfo" ] && cp "$source_metainfo" "$metainfo"
sed -e "s|^Exec=customer-viewer |Exec=\"$program\" |" "$source_entry" > "$entry.tmp"
mv "$entry.tmp" "$entry"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
command -v xdg-mime >/dev/null && xdg-mime default customer-viewer.desktop x-scheme-handler/customer-viewer || true
echo "Installed $entry (Exec: $program)"
