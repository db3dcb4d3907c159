#!/usr/bin/env bash
# Builds the Kyverno CLI (kubectl-kyverno) from the Go module proxy, for
# `kyverno test` of the generated policies, cached by version (see go-tool.sh).
# Usage: test/policy/build-kyverno.sh [--print-path]
set -euo pipefail
TOOL=kyverno
TOOL_VERSION=v1.19.1
MODULE=github.com/kyverno/kyverno
PACKAGE=$MODULE/cmd/cli/kubectl-kyverno
VERSION_ARGS=version
source "$(dirname "$0")/go-tool.sh"
go_tool_main "$@"
