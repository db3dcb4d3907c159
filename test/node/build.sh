#!/usr/bin/env bash
# Builds the container runtime of rootlock's test node (test/helpers/node.ts):
# containerd, its runc shim and ctr; runc (with seccomp); the CNI plugins the
# node's bridge network uses; crictl; and the sandbox's pause program
# (test/node/pause.c). Everything is compiled here, Go from the module proxy
# and pause with gcc; the kubelet and kube-scheduler come from test/k8s/build.sh.
#
# Binaries are cached outside the repository, keyed by version:
#   $ROOTLOCK_NODE_CACHE/containerd-<v>/{containerd,containerd-shim-runc-v2,ctr}
#   $ROOTLOCK_NODE_CACHE/runc-<v>/runc
#   $ROOTLOCK_NODE_CACHE/cni-plugins-<v>/{bridge,host-local,loopback,portmap}
#   $ROOTLOCK_NODE_CACHE/crictl-<v>/crictl
#   $ROOTLOCK_NODE_CACHE/pause-<sha256 of pause.c, 12 hex>/pause
# (ROOTLOCK_NODE_CACHE defaults to $HOME/.cache/rootlock/node). A binary that
# exists is not rebuilt, so running this again is cheap.
#
# Usage:
#   test/node/build.sh                 build whatever is missing, print timings
#   test/node/build.sh --print-paths   print NAME=path for each binary, build nothing
set -euo pipefail

CONTAINERD_VERSION=v2.4.2
RUNC_VERSION=v1.5.3
CNI_PLUGINS_VERSION=v1.10.0
CRICTL_VERSION=v1.37.0
CACHE=${ROOTLOCK_NODE_CACHE:-$HOME/.cache/rootlock/node}
# As in test/k8s/build.sh: the Go release the module proxy serves for modules
# needing a newer Go than the machine has.
NEWER_GO_TOOLCHAIN=go1.27.3

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAUSE_SOURCE=$HERE/pause.c
PAUSE_KEY=$(sha256sum "$PAUSE_SOURCE" | cut -c1-12)

CONTAINERD_DIR=$CACHE/containerd-$CONTAINERD_VERSION
RUNC_DIR=$CACHE/runc-$RUNC_VERSION
CNI_DIR=$CACHE/cni-plugins-$CNI_PLUGINS_VERSION
CRICTL_DIR=$CACHE/crictl-$CRICTL_VERSION
PAUSE_DIR=$CACHE/pause-$PAUSE_KEY
CNI_PLUGINS=(bridge host-local loopback portmap)

if [[ ${1:-} == --print-paths ]]; then
  echo "CONTAINERD_VERSION=$CONTAINERD_VERSION"
  echo "RUNC_VERSION=$RUNC_VERSION"
  echo "CNI_PLUGINS_VERSION=$CNI_PLUGINS_VERSION"
  echo "CRICTL_VERSION=$CRICTL_VERSION"
  echo "CONTAINERD=$CONTAINERD_DIR/containerd"
  echo "CONTAINERD_SHIM=$CONTAINERD_DIR/containerd-shim-runc-v2"
  echo "CTR=$CONTAINERD_DIR/ctr"
  echo "RUNC=$RUNC_DIR/runc"
  # The directory containerd's CNI configuration names as its plugin directory.
  echo "CNI_BIN_DIR=$CNI_DIR"
  echo "CRICTL=$CRICTL_DIR/crictl"
  echo "PAUSE=$PAUSE_DIR/pause"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-paths]" >&2
  exit 2
fi

log() { echo "[node-build] $*" >&2; }

all_built() {
  local path
  for path in "$CONTAINERD_DIR"/{containerd,containerd-shim-runc-v2,ctr} "$RUNC_DIR/runc" \
    "${CNI_PLUGINS[@]/#/$CNI_DIR/}" "$CRICTL_DIR/crictl" "$PAUSE_DIR/pause"; do
    [[ -x $path ]] || return 1
  done
}

if all_built; then
  log "cached under $CACHE"
  exit 0
fi

command -v go >/dev/null || { log "go is not installed"; exit 1; }
mkdir -p "$CACHE"
# Two test runs (or a test and CI) may start a build at once: one builds, the
# other waits and then finds the binaries.
exec 9>"$CACHE/.build.lock"
flock 9

# Builds share 2 cores with other work: lowest priority, at most 2 jobs.
GO_BUILD=(nice -n 19 go build -p 2 -trimpath)

newer_than_local_go() {
  local want=$1 have
  have=$(GOTOOLCHAIN=local go env GOVERSION)
  have=${have#go}
  [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | tail -n1) != "$have" ]]
}

module_gomod() {
  go mod download -json "$1" | awk -F'"' '$2 == "GoMod" { print $4 }'
}

elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# build_go DIR MODULE VERSION LDFLAGS TAGS PACKAGE...
# Writes a wrapper module into DIR/build-module that requires MODULE@VERSION
# (with its go line, and GOTOOLCHAIN when that Go is newer than ours), then
# builds each PACKAGE into DIR under its last path element. None of these
# modules has replace lines, so requiring them is all it takes.
build_go() {
  local dir=$1 module=$2 version=$3 ldflags=$4 tags=$5
  shift 5
  local mod_dir=$dir/build-module gomod want
  rm -rf "$mod_dir" && mkdir -p "$mod_dir/out"
  gomod=$(module_gomod "$module@$version")
  want=$(awk '$1 == "go" { print $2; exit }' "$gomod")
  {
    echo "module rootlock.test/$(basename "$dir")-build"
    echo
    echo "go $want"
    echo
    echo "require $module $version"
  } >"$mod_dir/go.mod"
  (
    cd "$mod_dir"
    if newer_than_local_go "$want"; then
      log "$module needs go $want, newer than the local go: using GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN"
      export GOTOOLCHAIN=$NEWER_GO_TOOLCHAIN
    fi
    go get "${@/%/@$version}"
    "${GO_BUILD[@]}" -tags "$tags" -ldflags "$ldflags" -o "$mod_dir/out/" "$@"
  )
  local package
  for package in "$@"; do
    mv "$mod_dir/out/$(basename "$package")" "$dir/"
  done
}

TOTAL_START=$(date +%s)

if [[ ! -x $CONTAINERD_DIR/containerd || ! -x $CONTAINERD_DIR/containerd-shim-runc-v2 || ! -x $CONTAINERD_DIR/ctr ]]; then
  START=$(date +%s)
  log "building containerd $CONTAINERD_VERSION (github.com/containerd/containerd/v2)"
  mkdir -p "$CONTAINERD_DIR"
  # As containerd's Makefile sets them, so `containerd --version` names the release.
  # Static and cgo-free (the btrfs snapshotter, the one cgo part, is left out).
  CGO_ENABLED=0 build_go "$CONTAINERD_DIR" github.com/containerd/containerd/v2 "$CONTAINERD_VERSION" \
    "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION -X github.com/containerd/containerd/v2/version.Package=github.com/containerd/containerd/v2" \
    "urfave_cli_no_docs no_btrfs" \
    github.com/containerd/containerd/v2/cmd/containerd \
    github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
    github.com/containerd/containerd/v2/cmd/ctr
  log "containerd built in $(elapsed "$START"): $("$CONTAINERD_DIR/containerd" --version)"
fi

if [[ ! -x $RUNC_DIR/runc ]]; then
  START=$(date +%s)
  log "building runc $RUNC_VERSION (github.com/opencontainers/runc, cgo, seccomp)"
  pkg-config --exists libseccomp || { log "libseccomp-dev is missing: run scripts/install-test-deps.sh"; exit 1; }
  mkdir -p "$RUNC_DIR"
  # runc needs cgo for its nsenter code and for libseccomp (the seccomp build tag),
  # so it links against this machine's libseccomp.
  CGO_ENABLED=1 build_go "$RUNC_DIR" github.com/opencontainers/runc "$RUNC_VERSION" \
    "-s -w -X main.version=${RUNC_VERSION#v}" "seccomp urfave_cli_no_docs" \
    github.com/opencontainers/runc
  log "runc built in $(elapsed "$START"): $("$RUNC_DIR/runc" --version | head -n1)"
fi

missing_plugins=()
for plugin in "${CNI_PLUGINS[@]}"; do
  [[ -x $CNI_DIR/$plugin ]] || missing_plugins+=("$plugin")
done
if [[ ${#missing_plugins[@]} -gt 0 ]]; then
  START=$(date +%s)
  log "building CNI plugins ${missing_plugins[*]} $CNI_PLUGINS_VERSION (github.com/containernetworking/plugins)"
  mkdir -p "$CNI_DIR"
  packages=()
  for plugin in "${missing_plugins[@]}"; do
    case $plugin in
      bridge | loopback) packages+=("github.com/containernetworking/plugins/plugins/main/$plugin") ;;
      host-local) packages+=("github.com/containernetworking/plugins/plugins/ipam/$plugin") ;;
      portmap) packages+=("github.com/containernetworking/plugins/plugins/meta/$plugin") ;;
    esac
  done
  CGO_ENABLED=0 build_go "$CNI_DIR" github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION" \
    "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION" "" \
    "${packages[@]}"
  log "CNI plugins built in $(elapsed "$START")"
fi

if [[ ! -x $CRICTL_DIR/crictl ]]; then
  START=$(date +%s)
  log "building crictl $CRICTL_VERSION (sigs.k8s.io/cri-tools)"
  mkdir -p "$CRICTL_DIR"
  CGO_ENABLED=0 build_go "$CRICTL_DIR" sigs.k8s.io/cri-tools "$CRICTL_VERSION" \
    "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" "" \
    sigs.k8s.io/cri-tools/cmd/crictl
  log "crictl built in $(elapsed "$START"): $("$CRICTL_DIR/crictl" --version)"
fi

if [[ ! -x $PAUSE_DIR/pause ]]; then
  START=$(date +%s)
  log "compiling $PAUSE_SOURCE"
  mkdir -p "$PAUSE_DIR"
  # Static: the pause image holds this one file and no libc.
  gcc -static -Os -s -o "$PAUSE_DIR/pause.tmp" "$PAUSE_SOURCE"
  mv "$PAUSE_DIR/pause.tmp" "$PAUSE_DIR/pause"
  log "pause compiled in $(elapsed "$START")"
fi

log "done in $(elapsed "$TOTAL_START")"
