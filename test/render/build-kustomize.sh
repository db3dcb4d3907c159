#!/usr/bin/env bash
# Builds the real `kustomize` (v5) that `rootlock fix --kustomize` renders
# overlays with, from the Go module proxy (no prebuilt downloads), cached by
# version (see ../policy/go-tool.sh). v5.8.1 is the newest that builds with
# Go 1.26 (v5.8.3 asks for Go 1.27).
# Usage: test/render/build-kustomize.sh [--print-path]
set -euo pipefail
TOOL=kustomize
TOOL_VERSION=v5.8.1
MODULE=sigs.k8s.io/kustomize/kustomize/v5
PACKAGE=$MODULE
LDFLAGS="-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$TOOL_VERSION"
VERSION_ARGS=version
source "$(dirname "$0")/../policy/go-tool.sh"
go_tool_main "$@"
