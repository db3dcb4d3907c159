#!/usr/bin/env bash
# Builds Gatekeeper's `gator` CLI from the Go module proxy, for `gator verify`
# suites of the generated ConstraintTemplates, cached by version (see go-tool.sh).
# Usage: test/policy/build-gator.sh [--print-path]
set -euo pipefail
TOOL=gator
# The newest gatekeeper/v3 the module proxy serves (`go list -m -versions`).
TOOL_VERSION=v3.23.1
MODULE=github.com/open-policy-agent/gatekeeper/v3
PACKAGE=$MODULE/cmd/gator
VERSION_ARGS=--version
source "$(dirname "$0")/go-tool.sh"
go_tool_main "$@"
