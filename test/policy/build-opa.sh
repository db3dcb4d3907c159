#!/usr/bin/env bash
# Builds the real `opa` binary that the policy tests evaluate generated
# Gatekeeper Rego with, from the Go module proxy (no prebuilt downloads),
# cached by version (see go-tool.sh).
# Usage: test/policy/build-opa.sh [--print-path]
set -euo pipefail
TOOL=opa
TOOL_VERSION=v1.22.3
MODULE=github.com/open-policy-agent/opa
PACKAGE=$MODULE
LDFLAGS="-X github.com/open-policy-agent/opa/v1/version.Version=${TOOL_VERSION#v}"
VERSION_ARGS=version
source "$(dirname "$0")/go-tool.sh"
go_tool_main "$@"
