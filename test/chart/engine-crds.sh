#!/usr/bin/env bash
# Copies the CRDs of the policy engines the tests build (Gatekeeper's
# ConstraintTemplate, Kyverno's ValidatingPolicy) out of those engines' own Go
# modules, at the versions test/policy/build-gator.sh and build-kyverno.sh pin,
# into the tools cache, so the chart tests can install them on a real API
# server and have it validate the chart's policies. Nothing is committed.
# Usage: test/chart/engine-crds.sh    prints the directory holding the CRDs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}
version_of() { sed -n 's/^TOOL_VERSION=//p' "$here/../policy/build-$1.sh"; }
gator_version=$(version_of gator)
kyverno_version=$(version_of kyverno)
out=$cache/engine-crds-gatekeeper-$gator_version-kyverno-$kyverno_version
if [[ ! -f $out/.complete ]]; then
  command -v go >/dev/null || { echo "engine-crds: go is not installed" >&2; exit 1; }
  mkdir -p "$out"
  module_dir() { go mod download -json "$1@$2" | awk -F'"' '$2 == "Dir" { print $4 }'; }
  gatekeeper=$(module_dir github.com/open-policy-agent/gatekeeper/v3 "$gator_version")
  kyverno=$(module_dir github.com/kyverno/kyverno "$kyverno_version")
  cp "$gatekeeper/config/crd/bases/constrainttemplate-customresourcedefinition.yaml" "$out/gatekeeper-constrainttemplates.yaml"
  cp "$kyverno/config/crds/policies.kyverno.io/policies.kyverno.io_validatingpolicies.yaml" "$out/kyverno-validatingpolicies.yaml"
  chmod u+w "$out"/*.yaml
  touch "$out/.complete"
fi
echo "$out"
