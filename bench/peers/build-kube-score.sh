#!/usr/bin/env bash
# Builds kube-score, the peer bench/peers times rootlock against, from the Go
# module proxy (no prebuilt downloads), cached by version (see
# ../../test/policy/go-tool.sh).
# Usage: bench/peers/build-kube-score.sh [--print-path]
set -euo pipefail
TOOL=kube-score
TOOL_VERSION=v1.20.0
MODULE=github.com/zegl/kube-score
PACKAGE=$MODULE/cmd/kube-score
LDFLAGS="-X main.version=${TOOL_VERSION#v}"
VERSION_ARGS=version
source "$(dirname "$0")/../../test/policy/go-tool.sh"
go_tool_main "$@"
