#!/usr/bin/env bash
# Builds kubeconform, the schema-only peer bench/peers times rootlock against,
# from the Go module proxy (no prebuilt downloads), cached by version (see
# ../../test/policy/go-tool.sh).
# Usage: bench/peers/build-kubeconform.sh [--print-path]
set -euo pipefail
TOOL=kubeconform
TOOL_VERSION=v0.7.0
MODULE=github.com/yannh/kubeconform
PACKAGE=$MODULE/cmd/kubeconform
LDFLAGS="-X main.version=${TOOL_VERSION}"
VERSION_ARGS=-v
source "$(dirname "$0")/../../test/policy/go-tool.sh"
go_tool_main "$@"
