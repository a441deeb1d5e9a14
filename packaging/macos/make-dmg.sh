#!/usr/bin/env bash
# Sign (when credentials are given), package and notarize the macOS app built by build.sh.
#   packaging/build.sh && packaging/macos/make-dmg.sh
# In:  "dist/Customer Interaction Viewer.app"
# Out: dist/customer-viewer-VERSION-macos-ARCH.dmg (the app and an Applications link)
#
# Signing runs when APPLE_SIGNING_IDENTITY is set ("Developer ID Application: Name (TEAMID)"),
# the identity being in a keychain; in CI, APPLE_CERT_P12 (the .p12, base64) and
# APPLE_CERT_PASSWORD import it into a throw-away keychain first. Notarization runs when
# APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (an app-specific password) are set too.
# Without them both are skipped, with a note: the app keeps PyInstaller's ad-hoc signature
# and Gatekeeper asks before the first start (right-click > Open).
set -euo pipefail
cd "$(dirname "$0")/../.."
APP_NAME="Customer Interaction Viewer"
APP="dist/$APP_NAME.app"
ENTITLEMENTS="packaging/macos/entitlements.plist"
[ -d "$APP" ] || { echo "make-dmg: $APP is missing; run packaging/build.sh first" >&2; exit 1; }

version=$(/usr/libexec/PlistBuddy -c "Print CFBundleShortVersionString" "$APP/Contents/Info.plist")
dmg="dist/customer-viewer-$version-macos-$(uname -m).dmg"
identity=${APPLE_SIGNING_IDENTITY:-}

if [ -n "$identity" ] && [ -n "${APPLE_CERT_P12:-}" ]; then
  keychain="${RUNNER_TEMP:-$(mktemp -d)}/signing.keychain-db"
  keychain_password=$(uuidgen)
  security create-keychain -p "$keychain_password" "$keychain"
  security set-keychain-settings -lut 3600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  echo "$APPLE_CERT_P12" | base64 --decode > "$keychain.p12"
  security import "$keychain.p12" -k "$keychain" -P "${APPLE_CERT_PASSWORD:-}" -T /usr/bin/codesign
  rm -f "$keychain.p12"
  security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain" >/dev/null
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
fi

if [ -n "$identity" ]; then
  echo "make-dmg: signing with $identity (hardened runtime)"
  # --deep signs every library and framework inside before the app itself, each with the
  # same identity and a secure timestamp, which is what notarization checks.
  codesign --force --deep --timestamp --options runtime \
    --entitlements "$ENTITLEMENTS" --sign "$identity" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
else
  echo "make-dmg: APPLE_SIGNING_IDENTITY not set: not signing (ad-hoc signature only)"
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "$APP_NAME" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
fi
if [ -n "$identity" ] && [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  echo "make-dmg: notarizing (this waits for Apple, usually a few minutes)"
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose "$dmg"
else
  echo "make-dmg: APPLE_ID / APPLE_TEAM_ID / APPLE_APP_PASSWORD not all set: not notarizing"
fi
du -sh "$dmg"
