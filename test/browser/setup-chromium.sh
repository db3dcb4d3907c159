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
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-chromium: run as root to install: ${missing[*]}" >&2
    exit 1
  fi
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; }
  # A fresh machine may have empty or stale package lists: update once and retry.
  if ! install && ! { apt-get update -q >>"$log" 2>&1 && install; }; then
    cat "$log" >&2
    echo "setup-chromium: could not install ${missing[*]}" >&2
    exit 1
  fi
fi
find_chromium
