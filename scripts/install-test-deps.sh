#!/usr/bin/env bash
# System packages the end-to-end tests need: a real OCI registry (Debian's
# docker-registry, the CNCF distribution server), a real client to push to it
# (skopeo), openssl for TLS certificates and htpasswd (apache2-utils) for the
# registry's bcrypt password file. Idempotent and quiet: prints nothing and
# does nothing when everything is installed; prints apt's output only on failure.
# busybox-static builds the sandbox tests' image; attr (setfattr) marks opaque directories in unpacked layers.
# libcap2-bin (setcap) gives the drift test's node copy the file capabilities the drift image carries.
# The test node (test/node/build.sh, test/helpers/node.ts): gcc and libc6-dev compile the static pause program
# and runc's cgo parts, libseccomp-dev and pkg-config let runc build with seccomp, iptables is what the CNI
# portmap plugin and the kubelet call, iproute2 (ip) makes and removes the node's bridge and checks for veths.
# Needs root when something is missing (CI runs it from .ci/run).
set -euo pipefail

packages=(docker-registry skopeo openssl apache2-utils busybox-static attr libcap2-bin
  gcc libc6-dev libseccomp-dev pkg-config iptables iproute2)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: run as root to install: ${missing[*]}" >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; }
# A fresh machine may have empty or stale package lists: update once and retry.
if ! install && ! { apt-get update -q >>"$log" 2>&1 && install; }; then
  cat "$log" >&2
  echo "install-test-deps: could not install ${missing[*]}" >&2
  exit 1
fi
# Where an init system runs, the package starts a registry on :5000; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
