# Builds one Go command from the Go module proxy into the tools cache, for the
# tests' real tools (opa, the Kyverno CLI, Gatekeeper's gator, helm, kustomize).
# Sourced by build-opa.sh, build-kyverno.sh, build-gator.sh and
# ../render/build-helm.sh, ../render/build-kustomize.sh, which set:
#   TOOL           binary name and cache folder prefix (opa, kyverno, gator)
#   TOOL_VERSION   module version
#   MODULE         module path to require
#   PACKAGE        main package to build
#   LDFLAGS        optional extra -ldflags
#   VERSION_ARGS   arguments that make the binary print its version
# then call `go_tool_main "$@"`. The binary is cached outside the repository,
# keyed by version:
#   ${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}/<tool>-<version>/<tool>
# A binary that exists is not rebuilt. `--print-path` prints <TOOL>_VERSION=
# and <TOOL>= lines and builds nothing.

# The Go release the module proxy serves when a module needs a newer Go than the machine has.
NEWER_GO_TOOLCHAIN=go1.27.3

go_tool_main() {
  local cache=${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}
  local name=${TOOL^^}
  local dir=$cache/$TOOL-$TOOL_VERSION
  local binary=$dir/$TOOL
  if [[ ${1:-} == --print-path ]]; then
    echo "${name}_VERSION=$TOOL_VERSION"
    echo "$name=$binary"
    exit 0
  elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--print-path]" >&2
    exit 2
  fi

  log() { echo "[$TOOL-build] $*" >&2; }
  if [[ -x $binary ]]; then
    log "cached: $binary"
    exit 0
  fi
  command -v go >/dev/null || { log "go is not installed"; exit 1; }
  mkdir -p "$dir"
  exec 9>"$dir/.build.lock"
  flock 9
  [[ -x $binary ]] && { log "built by another run: $binary"; exit 0; }

  local start
  start=$(date +%s)
  export CGO_ENABLED=0
  local module_dir=$dir/build-module
  rm -rf "$module_dir" && mkdir -p "$module_dir"
  local gomod want_go have_go
  gomod=$(go mod download -json "$MODULE@$TOOL_VERSION" | awk -F'"' '$2 == "GoMod" { print $4 }')
  want_go=$(awk '$1 == "go" { print $2; exit }' "$gomod")
  have_go=$(GOTOOLCHAIN=local go env GOVERSION); have_go=${have_go#go}
  if [[ $(printf '%s\n%s\n' "$want_go" "$have_go" | sort -V | tail -n1) != "$have_go" ]]; then
    log "$TOOL needs go $want_go, newer than the local go: using GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN"
    export GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN
  fi
  {
    echo "module rootlock.test/$TOOL-build"
    echo
    echo "go $want_go"
    echo
    echo "require $MODULE $TOOL_VERSION"
    echo
    # A module's own replace lines apply only to itself; a consumer must repeat them.
    grep '^replace ' "$gomod" || true
  } >"$module_dir/go.mod"
  (
    cd "$module_dir"
    go get "$PACKAGE@$TOOL_VERSION"
    # Builds share 2 cores with other work: lowest priority, at most 2 jobs.
    nice -n 19 go build -p 2 -trimpath -ldflags "-s -w ${LDFLAGS:-}" -o "$dir/$TOOL.tmp" "$PACKAGE"
  )
  mv "$dir/$TOOL.tmp" "$binary"
  # shellcheck disable=SC2086 # VERSION_ARGS is a word list
  log "$TOOL built in $(( $(date +%s) - start ))s: $("$binary" $VERSION_ARGS 2>&1 | head -n1)"
}
