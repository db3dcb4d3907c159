#!/usr/bin/env bash
# Builds Gatekeeper's `gator` CLI from the Go module proxy, for `gator verify`
# suites of the generated ConstraintTemplates. Cached outside the repository,
# keyed by version:
#   ${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}/gator-<version>/gator
# Usage: test/policy/build-gator.sh [--print-path]
set -euo pipefail

# The newest gatekeeper/v3 the module proxy serves (`go list -m -versions`).
GATOR_VERSION=v3.23.1
CACHE=${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}
NEWER_GO_TOOLCHAIN=go1.27.3
DIR=$CACHE/gator-$GATOR_VERSION
GATOR=$DIR/gator
MODULE=github.com/open-policy-agent/gatekeeper/v3

if [[ ${1:-} == --print-path ]]; then
  echo "GATOR_VERSION=$GATOR_VERSION"
  echo "GATOR=$GATOR"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

log() { echo "[gator-build] $*" >&2; }
if [[ -x $GATOR ]]; then
  log "cached: $GATOR"
  exit 0
fi
command -v go >/dev/null || { log "go is not installed"; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR/.build.lock"
flock 9
[[ -x $GATOR ]] && { log "built by another run: $GATOR"; exit 0; }

START=$(date +%s)
export CGO_ENABLED=0
MOD_DIR=$DIR/build-module
rm -rf "$MOD_DIR" && mkdir -p "$MOD_DIR"
GOMOD=$(go mod download -json "$MODULE@$GATOR_VERSION" | awk -F'"' '$2 == "GoMod" { print $4 }')
WANT_GO=$(awk '$1 == "go" { print $2; exit }' "$GOMOD")
HAVE_GO=$(GOTOOLCHAIN=local go env GOVERSION); HAVE_GO=${HAVE_GO#go}
if [[ $(printf '%s\n%s\n' "$WANT_GO" "$HAVE_GO" | sort -V | tail -n1) != "$HAVE_GO" ]]; then
  log "gator needs go $WANT_GO: using GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN"
  export GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN
fi
{
  echo "module rootlock.test/gator-build"
  echo
  echo "go $WANT_GO"
  echo
  echo "require $MODULE $GATOR_VERSION"
  echo
  # A module's own replace lines apply only to itself; a consumer must repeat them.
  grep '^replace ' "$GOMOD" || true
} >"$MOD_DIR/go.mod"
(
  cd "$MOD_DIR"
  go get "$MODULE/cmd/gator@$GATOR_VERSION"
  # Builds share 2 cores with other work: lowest priority, at most 2 jobs.
  nice -n 19 go build -p 2 -trimpath -ldflags "-s -w" -o "$DIR/gator.tmp" "$MODULE/cmd/gator"
)
mv "$DIR/gator.tmp" "$GATOR"
log "gator built in $(( $(date +%s) - START ))s: $("$GATOR" --version 2>&1 | head -n1)"
