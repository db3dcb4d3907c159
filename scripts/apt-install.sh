#!/usr/bin/env bash
# Installs the Debian packages named after the caller's name, those not yet installed, quietly:
# does nothing when all are there, prints apt's output only on failure. Needs root when one is missing.
#   scripts/apt-install.sh <caller> <package>...
set -euo pipefail

caller="$1"
shift
missing=()
for package in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "$caller: run as root to install: ${missing[*]}" >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; }
# A fresh machine may have empty or stale package lists: update once and retry.
if ! install && ! { apt-get update -q >>"$log" 2>&1 && install; }; then
  cat "$log" >&2
  echo "$caller: could not install ${missing[*]}" >&2
  exit 1
fi
