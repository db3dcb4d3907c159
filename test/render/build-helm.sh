#!/usr/bin/env bash
# Builds the real `helm` (v4) that `rootlock fix --helm` and the post-renderer
# tests render charts with, from the Go module proxy (no prebuilt downloads),
# cached by version (see ../policy/go-tool.sh).
# Usage: test/render/build-helm.sh [--print-path]
set -euo pipefail
TOOL=helm
TOOL_VERSION=v4.3.2
MODULE=helm.sh/helm/v4
PACKAGE=$MODULE/cmd/helm
LDFLAGS="-X helm.sh/helm/v4/internal/version.version=$TOOL_VERSION"
VERSION_ARGS=version
source "$(dirname "$0")/../policy/go-tool.sh"
go_tool_main "$@"
