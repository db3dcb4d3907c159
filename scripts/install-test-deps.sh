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
"$(dirname "$0")/apt-install.sh" install-test-deps "${packages[@]}"
# Where an init system runs, the package starts a registry on :5000; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
