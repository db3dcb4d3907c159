#!/usr/bin/env bash
# Builds the real Kubernetes that rootlock's cluster tests run against: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kubelet, compiled
# from the Go module proxy (no Docker, no downloads of prebuilt binaries).
# The node's container runtime is built by test/node/build.sh.
#
# Binaries are cached outside the repository, keyed by version:
#   $ROOTLOCK_K8S_CACHE/<k8s-version>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet}
#   $ROOTLOCK_K8S_CACHE/etcd-<etcd-version>/etcd
# (ROOTLOCK_K8S_CACHE defaults to $HOME/.cache/rootlock/k8s). A binary that
# exists is not rebuilt, so running this again is cheap.
#
# The Go wrapper modules that drive the builds are generated into the cache at
# build time; the repository holds only this script.
#
# Usage:
#   test/k8s/build.sh                 build whatever is missing, print timings
#   test/k8s/build.sh --print-paths   print NAME=path for each binary, build nothing
set -euo pipefail

K8S_VERSION=v1.37.2
ETCD_VERSION=v3.6.16
CACHE=${ROOTLOCK_K8S_CACHE:-$HOME/.cache/rootlock/k8s}
# The Go release that the module proxy serves for modules needing a newer Go
# than the machine has (see docs/development.md).
NEWER_GO_TOOLCHAIN=go1.27.3

K8S_DIR=$CACHE/$K8S_VERSION
ETCD_DIR=$CACHE/etcd-$ETCD_VERSION
APISERVER=$K8S_DIR/kube-apiserver
CONTROLLER_MANAGER=$K8S_DIR/kube-controller-manager
SCHEDULER=$K8S_DIR/kube-scheduler
KUBELET=$K8S_DIR/kubelet
ETCD=$ETCD_DIR/etcd
# The k8s.io/kubernetes commands, each built into $K8S_DIR/<name>.
K8S_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet)

if [[ ${1:-} == --print-paths ]]; then
  echo "K8S_VERSION=$K8S_VERSION"
  echo "ETCD_VERSION=$ETCD_VERSION"
  echo "ETCD=$ETCD"
  echo "KUBE_APISERVER=$APISERVER"
  echo "KUBE_CONTROLLER_MANAGER=$CONTROLLER_MANAGER"
  echo "KUBE_SCHEDULER=$SCHEDULER"
  echo "KUBELET=$KUBELET"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-paths]" >&2
  exit 2
fi

log() { echo "[k8s-build] $*" >&2; }

# The k8s commands not built yet: only these are built, so adding a command
# to the list does not rebuild the ones already cached.
missing_k8s_commands() {
  local name
  for name in "${K8S_COMMANDS[@]}"; do
    [[ -x $K8S_DIR/$name ]] || echo "$name"
  done
}

if [[ -x $ETCD && -z $(missing_k8s_commands) ]]; then
  log "cached: $ETCD, ${K8S_COMMANDS[*]/#/$K8S_DIR/}"
  exit 0
fi

command -v go >/dev/null || { log "go is not installed"; exit 1; }
mkdir -p "$CACHE"
# Two test runs (or a test and CI) may start a build at once: one builds, the
# other waits and then finds the binaries.
exec 9>"$CACHE/.build.lock"
flock 9

export CGO_ENABLED=0
# Builds share 2 cores with other work: lowest priority, at most 2 jobs.
GO_BUILD=(nice -n 19 go build -p 2 -trimpath)

# Succeeds when Go version $1 (e.g. 1.27.0) is newer than the local go.
newer_than_local_go() {
  local want=$1 have
  have=$(GOTOOLCHAIN=local go env GOVERSION)
  have=${have#go}
  [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | tail -n1) != "$have" ]]
}

# Sets GOTOOLCHAIN when the go.mod at $1 asks for a newer Go than this machine's.
choose_toolchain() {
  local want
  want=$(awk '$1 == "go" { print $2; exit }' "$1")
  if newer_than_local_go "$want"; then
    log "$(basename "$1") needs go $want, newer than the local go: using GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN"
    export GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN
  fi
}

# Path of a module's go.mod in the module cache (downloading it if needed).
module_gomod() {
  go mod download -json "$1" | awk -F'"' '$2 == "GoMod" { print $4 }'
}

elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

TOTAL_START=$(date +%s)

if [[ ! -x $ETCD ]]; then
  START=$(date +%s)
  log "building etcd $ETCD_VERSION (go.etcd.io/etcd/server/v3)"
  MOD_DIR=$ETCD_DIR/build-module
  rm -rf "$MOD_DIR" && mkdir -p "$MOD_DIR"
  ETCD_GOMOD=$(module_gomod "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  choose_toolchain "$ETCD_GOMOD"
  # The etcd main package sits at the root of the server module; its go.mod's
  # replace lines (../api, ...) are ignored when it is a dependency, so a tiny
  # module that requires it builds it against the published modules.
  {
    echo "module rootlock.test/etcd-build"
    echo
    awk '$1 == "go" { print; exit }' "$ETCD_GOMOD"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  } >"$MOD_DIR/go.mod"
  (
    cd "$MOD_DIR"
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    "${GO_BUILD[@]}" -ldflags "-s -w" -o "$ETCD_DIR/etcd.tmp" go.etcd.io/etcd/server/v3
  )
  mv "$ETCD_DIR/etcd.tmp" "$ETCD"
  log "etcd built in $(elapsed "$START"): $("$ETCD" --version | head -n1)"
fi

mapfile -t MISSING < <(missing_k8s_commands)
if [[ ${#MISSING[@]} -gt 0 ]]; then
  START=$(date +%s)
  log "building ${MISSING[*]} $K8S_VERSION (k8s.io/kubernetes)"
  MOD_DIR=$K8S_DIR/build-module
  rm -rf "$MOD_DIR" && mkdir -p "$MOD_DIR"
  K8S_GOMOD=$(module_gomod "k8s.io/kubernetes@$K8S_VERSION")
  choose_toolchain "$K8S_GOMOD"
  # k8s.io/kubernetes requires its staging modules (k8s.io/api, ...) at
  # v0.0.0 and replaces them with ./staging/...; a consumer must map each to
  # its published v0.<minor>.<patch>. The list comes from kubernetes' own
  # go.mod so that a new staging module cannot be forgotten.
  STAGING_VERSION="v0.${K8S_VERSION#v1.}"
  STAGING_MODULES=$(awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$K8S_GOMOD")
  [[ -n $STAGING_MODULES ]] || { log "no staging replace lines found in $K8S_GOMOD"; exit 1; }
  {
    echo "module rootlock.test/kubernetes-build"
    echo
    awk '$1 == "go" { print; exit }' "$K8S_GOMOD"
    # Same default GODEBUG settings as an upstream build.
    awk '$1 == "godebug" { print }' "$K8S_GOMOD"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for module in $STAGING_MODULES; do
      echo "	$module => $module $STAGING_VERSION"
    done
    echo ")"
  } >"$MOD_DIR/go.mod"
  log "replaced $(wc -w <<<"$STAGING_MODULES") staging modules with $STAGING_VERSION"
  K8S_MINOR=${K8S_VERSION#v1.}
  K8S_MINOR=${K8S_MINOR%%.*}
  LDFLAGS="-s -w"
  LDFLAGS+=" -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  LDFLAGS+=" -X k8s.io/component-base/version.gitMajor=1"
  LDFLAGS+=" -X k8s.io/component-base/version.gitMinor=$K8S_MINOR"
  LDFLAGS+=" -X k8s.io/component-base/version.gitTreeState=clean"
  (
    cd "$MOD_DIR"
    PACKAGES=("${MISSING[@]/#/k8s.io/kubernetes/cmd/}")
    go get "${PACKAGES[@]/%/@$K8S_VERSION}"
    log "modules resolved in $(elapsed "$START")"
    mkdir -p "$MOD_DIR/out"
    "${GO_BUILD[@]}" -ldflags "$LDFLAGS" -o "$MOD_DIR/out/" "${PACKAGES[@]}"
  )
  for name in "${MISSING[@]}"; do
    mv "$MOD_DIR/out/$name" "$K8S_DIR/$name"
  done
  log "${MISSING[*]} built in $(elapsed "$START"): $("$K8S_DIR/${MISSING[0]}" --version)"
fi

log "done in $(elapsed "$TOTAL_START")"
