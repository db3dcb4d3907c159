#!/usr/bin/env bash
# Builds the small Debian root filesystem that the profile and verify tests run
# real software in: debootstrap's minbase variant plus Debian's nginx and
# python3, from the Debian mirror this machine's apt already uses (read from its
# apt sources at run time; no registry host is written in the repository).
#
# Cached outside the repository, keyed by suite and package list:
#   $ROOTLOCK_DEBIAN_CACHE/debian-rootfs-<suite>-<hash>
# (ROOTLOCK_DEBIAN_CACHE defaults to $HOME/.cache/rootlock). A finished rootfs
# is never rebuilt, so running this again is instant; an interrupted build
# leaves only a .partial directory that the next run removes.
#
# Usage:
#   test/profile/build-debian-rootfs.sh                build if missing, print timings
#   test/profile/build-debian-rootfs.sh --print-path   print the rootfs path, build nothing
# Needs root (debootstrap, and apt-get when debootstrap is missing).
set -euo pipefail

SUITE=bookworm
VARIANT=minbase
PACKAGES=nginx-light,python3
CACHE=${ROOTLOCK_DEBIAN_CACHE:-$HOME/.cache/rootlock}
KEY=$(printf '%s\n' "$SUITE" "$VARIANT" "$PACKAGES" | sha256sum | cut -c1-12)
ROOTFS=$CACHE/debian-rootfs-$SUITE-$KEY

if [[ ${1:-} == --print-path ]]; then
  echo "$ROOTFS"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

log() { echo "[debian-rootfs] $*" >&2; }

if [[ -x $ROOTFS/usr/sbin/nginx && -x $ROOTFS/usr/bin/python3 ]]; then
  log "cached: $ROOTFS"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "build-debian-rootfs: run as root (debootstrap needs it)" >&2
  exit 1
fi

# The first URI of an apt source that serves $SUITE itself (not -updates or
# -security): deb822 stanzas in sources.list.d/*.sources, then one-line
# sources.list entries.
mirror_from_apt_sources() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    awk -v suite="$SUITE" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") { split(uris, u, " "); print u[1]; found = 1; exit }
        types = ""; suites = ""; uris = ""; enabled = 1
      }
      BEGIN { enabled = 1 }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      tolower($1) == "types:" { $1 = ""; types = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      tolower($1) == "uris:" { $1 = ""; uris = $0 }
      tolower($1) == "enabled:" && tolower($2) == "no" { types = "" }
      END { if (!found) flush() }
    ' "$file" | head -n1 | grep . && return 0
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $file ]] || continue
    # deb [options] URI suite components...
    sed -E 's/\[[^]]*\]//' "$file" | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }' | grep . && return 0
  done
  return 1
}

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends debootstrap >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
fi

if ! MIRROR=$(mirror_from_apt_sources); then
  echo "build-debian-rootfs: no apt source for $SUITE in /etc/apt/sources.list{,.d/}" >&2
  exit 1
fi
MIRROR=${MIRROR%/}

mkdir -p "$CACHE"
PARTIAL=$ROOTFS.partial
rm -rf "$PARTIAL"
log "debootstrap --variant=$VARIANT --include=$PACKAGES $SUITE from $MIRROR"
start=$(date +%s)
debootstrap_log=$(mktemp)
trap 'rm -f "$debootstrap_log"' EXIT
if ! debootstrap --variant="$VARIANT" --include="$PACKAGES" "$SUITE" "$PARTIAL" "$MIRROR" >"$debootstrap_log" 2>&1; then
  tail -n 40 "$debootstrap_log" >&2
  [[ -f $PARTIAL/debootstrap/debootstrap.log ]] && tail -n 40 "$PARTIAL/debootstrap/debootstrap.log" >&2
  echo "build-debian-rootfs: debootstrap failed" >&2
  exit 1
fi
# Package lists and downloaded .debs are not part of the image the tests run.
rm -rf "$PARTIAL"/var/lib/apt/lists/* "$PARTIAL"/var/cache/apt/archives/*.deb "$PARTIAL"/var/cache/apt/*.bin
rm -rf "$ROOTFS" # an incomplete one (the check above failed): mv would move the new one inside it
mv "$PARTIAL" "$ROOTFS"
log "built $ROOTFS in $(( $(date +%s) - start ))s ($(du -sh "$ROOTFS" | cut -f1))"
