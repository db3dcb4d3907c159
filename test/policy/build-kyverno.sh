#!/usr/bin/env bash
# Builds the Kyverno CLI (kubectl-kyverno) from the Go module proxy, for
# `kyverno test` of the generated ValidatingPolicies. Cached outside the
# repository, keyed by version:
#   ${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}/kyverno-<version>/kyverno
# Usage: test/policy/build-kyverno.sh [--print-path]
set -euo pipefail

KYVERNO_VERSION=v1.19.1
CACHE=${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}
NEWER_GO_TOOLCHAIN=go1.27.3
DIR=$CACHE/kyverno-$KYVERNO_VERSION
KYVERNO=$DIR/kyverno

if [[ ${1:-} == --print-path ]]; then
  echo "KYVERNO_VERSION=$KYVERNO_VERSION"
  echo "KYVERNO=$KYVERNO"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

log() { echo "[kyverno-build] $*" >&2; }
if [[ -x $KYVERNO ]]; then
  log "cached: $KYVERNO"
  exit 0
fi
command -v go >/dev/null || { log "go is not installed"; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR/.build.lock"
flock 9
[[ -x $KYVERNO ]] && { log "built by another run: $KYVERNO"; exit 0; }

START=$(date +%s)
export CGO_ENABLED=0
MOD_DIR=$DIR/build-module
rm -rf "$MOD_DIR" && mkdir -p "$MOD_DIR"
GOMOD=$(go mod download -json "github.com/kyverno/kyverno@$KYVERNO_VERSION" | awk -F'"' '$2 == "GoMod" { print $4 }')
WANT_GO=$(awk '$1 == "go" { print $2; exit }' "$GOMOD")
HAVE_GO=$(GOTOOLCHAIN=local go env GOVERSION); HAVE_GO=${HAVE_GO#go}
if [[ $(printf '%s\n%s\n' "$WANT_GO" "$HAVE_GO" | sort -V | tail -n1) != "$HAVE_GO" ]]; then
  log "kyverno needs go $WANT_GO: using GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN"
  export GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN
fi
{
  echo "module rootlock.test/kyverno-build"
  echo
  echo "go $WANT_GO"
  echo
  echo "require github.com/kyverno/kyverno $KYVERNO_VERSION"
  echo
  # Kyverno's own replace lines apply only to its module; a consumer must repeat them.
  grep '^replace ' "$GOMOD" || true
} >"$MOD_DIR/go.mod"
(
  cd "$MOD_DIR"
  go get "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno@$KYVERNO_VERSION"
  nice -n 19 go build -p 2 -trimpath -ldflags "-s -w" -o "$DIR/kyverno.tmp" github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno
)
mv "$DIR/kyverno.tmp" "$KYVERNO"
log "kyverno built in $(( $(date +%s) - START ))s: $("$KYVERNO" version 2>&1 | head -n1)"
