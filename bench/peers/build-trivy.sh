#!/usr/bin/env bash
# Builds Trivy, the optional peer of `bench/peers --with-trivy`, from the Go
# module proxy (no prebuilt downloads), cached by version (see
# ../../test/policy/go-tool.sh). Trivy's code needs Go's JSON v2 experiment
# and takes about 8 minutes to build here.
# Usage: bench/peers/build-trivy.sh [--print-path]
set -euo pipefail
TOOL=trivy
TOOL_VERSION=v0.74.0
MODULE=github.com/aquasecurity/trivy
PACKAGE=$MODULE/cmd/trivy
LDFLAGS="-X github.com/aquasecurity/trivy/pkg/version/app.ver=${TOOL_VERSION#v}"
VERSION_ARGS=--version
export GOEXPERIMENT=jsonv2
source "$(dirname "$0")/../../test/policy/go-tool.sh"
go_tool_main "$@"
