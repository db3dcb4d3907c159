#!/usr/bin/env bash
# Debian's chromium for the browser tests (test/browser/, driven by playwright-core, which downloads no
# browser of its own). Idempotent and quiet: does nothing when chromium is installed; prints the path of
# the browser on success (`--print-path` prints it without installing).
# fonts-dejavu-core gives the headless browser a font, so text has a width and screenshots are readable.
set -euo pipefail

find_chromium() {
  for candidate in /usr/lib/chromium/chromium /usr/bin/chromium; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  command -v chromium 2>/dev/null || return 1
}

if [ "${1:-}" = "--print-path" ]; then
  find_chromium || { echo "setup-chromium: chromium is not installed (run test/browser/setup-chromium.sh as root)" >&2; exit 1; }
  exit 0
fi

packages=(chromium fonts-dejavu-core)
"$(dirname "$0")/../../scripts/apt-install.sh" setup-chromium "${packages[@]}"
find_chromium
