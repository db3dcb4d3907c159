// Rego for Gatekeeper: one module per admission check, in Rego v1 syntax with
// `import future.keywords`, which Gatekeeper's v0 parser and OPA 1.x both
// accept. (Gatekeeper refuses `import rego.v1` in a template's rego: its
// rewriter allows only data.lib and future.keywords imports; `gator verify`
// in test/policy/gator.test.ts proves the templates load.)
// Input is what Gatekeeper passes: input.review.object (the Pod, or the
// workload with its pod template), input.parameters (exempt images).
import type { AdmissionCheck } from './admission-checks.js';
import { IGNORE_ANNOTATION } from '../core/exemptions.js';

/** `rootlockreadonlyrootfilesystem`: Gatekeeper wants the package to be the template's lower-case kind. */
export function regoPackage(rule: string): string {
  return `rootlock${rule.replace(/-/g, '')}`;
}

/** `RootlockReadOnlyRootFilesystem`, the constraint kind. */
export function constraintKind(rule: string): string {
  return 'Rootlock' + rule.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

function indent(body: string): string {
  return body.split('\n').map((line) => `  ${line}`).join('\n');
}

const OBJECT = 'obj := input.review.object';

// The pod spec and pod metadata of every kind rootlock audits, the same
// locations as src/core/workloads.ts.
const POD_LIB = `template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController", "Rollout", "DeploymentConfig"}

pod_spec := obj.spec if obj.kind == "Pod"

pod_spec := obj.spec.template.spec if obj.kind in template_kinds

pod_spec := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

pod_spec := obj.template.spec if obj.kind == "PodTemplate"

pod_meta := object.get(obj, "metadata", {}) if obj.kind == "Pod"

pod_meta := object.get(obj.spec.template, "metadata", {}) if obj.kind in template_kinds

pod_meta := object.get(obj.spec.jobTemplate.spec.template, "metadata", {}) if obj.kind == "CronJob"

pod_meta := object.get(obj.template, "metadata", {}) if obj.kind == "PodTemplate"

metadatas := [object.get(obj, "metadata", {}), pod_meta]

windows if pod_spec.os.name == "windows"

# A Pod's spec is immutable: a plain UPDATE (labels, annotations) of a Pod that predates the constraint is not
# refused for what it always had; the UPDATE of pods/ephemeralcontainers, which adds containers, is checked.
skipped_update if {
  obj.kind == "Pod"
  input.review.operation == "UPDATE"
  object.get(input.review, "subResource", "") != "ephemeralcontainers"
}

container_lists := {"initContainers": "init container", "containers": "container", "ephemeralContainers": "ephemeral container"}

containers contains {"type": type, "c": c} if {
  some list, type in container_lists
  some c in pod_spec[list]
  is_object(c)
}`;

const EXEMPTION_LIB = `# rootlock.dev/ignore (on the object or its pod template): a comma-separated list of rule ids, "*" or "all".
ignored(value) if {
  some entry in split(value, ",")
  trim_space(entry) in {rule_id, "*", "all"}
}

rule_exempt if {
  some metadata in metadatas
  ignored(metadata.annotations["${IGNORE_ANNOTATION}"])
}`;

const CONTAINER_LIB = `container_exempt(entry) if rule_exempt

# rootlock.dev/ignore.<container name>
container_exempt(entry) if {
  some metadata in metadatas
  ignored(metadata.annotations[concat("", ["${IGNORE_ANNOTATION}.", entry.c.name])])
}

# Exempt images, exact or ending in * for a prefix, as gatekeeper-library's exemptImages.
container_exempt(entry) if {
  some pattern in object.get(input, ["parameters", "exemptImages"], [])
  image_matches(pattern, entry.c.image)
}

image_matches(pattern, image) if {
  not endswith(pattern, "*")
  pattern == image
}

image_matches(pattern, image) if {
  endswith(pattern, "*")
  startswith(image, trim_suffix(pattern, "*"))
}

has_own(c, field) if c.securityContext[field] != null

# The container's setting, or the pod's when the container sets none (container overrides pod); null when neither sets it.
default effective(_, _) := null

effective(c, field) := c.securityContext[field] if has_own(c, field)

effective(c, field) := pod_spec.securityContext[field] if {
  not has_own(c, field)
  pod_spec.securityContext[field] != null
}`;

function podViolation(message: string, windows: string): string {
  // is_object(pod_spec): a pod check says nothing about objects without a pod spec, even if a constraint matches them.
  return `violation contains {"msg": msg} if {
  is_object(pod_spec)${windows}
  not skipped_update
  not rule_exempt
  pod_fails
  msg := sprintf("%s (rootlock rule %s)", [${JSON.stringify(message)}, rule_id])
}`;
}

/** The complete Rego module for one check. */
// Objects without a pod spec: only their own metadata can exempt them.
const OBJECT_METADATAS = 'metadatas := [object.get(obj, "metadata", {})]';

export function regoModule(check: AdmissionCheck): string {
  const libs = check.scope === 'object' ? [OBJECT, OBJECT_METADATAS, EXEMPTION_LIB] : [OBJECT, POD_LIB, EXEMPTION_LIB, CONTAINER_LIB];
  const parts = [`package ${regoPackage(check.rule)}`, 'import future.keywords', `rule_id := "${check.rule}"`, ...libs];
  const windows = check.scope !== 'object' && check.skipWindows ? '\n  not windows' : '';
  if (check.scope === 'container') {
    const lists = check.lists === 'not-ephemeral' ? '\n  entry.type != "ephemeral container"' : '';
    parts.push(`violation contains {"msg": msg} if {${windows}
  not skipped_update
  some entry in containers${lists}
  not container_exempt(entry)
  fails(entry.c)
  msg := sprintf("%s %q %s (rootlock rule %s)", [entry.type, object.get(entry.c, "name", ""), ${JSON.stringify(check.message)}, rule_id])
}`);
    for (const body of check.regoFails) parts.push(`fails(c) if {\n${indent(body)}\n}`);
    if (check.pod) {
      parts.push(podViolation(check.pod.message, windows));
      for (const body of check.pod.regoFails) parts.push(`pod_fails if {\n${indent(body)}\n}`);
    }
  } else if (check.scope === 'object') {
    parts.push(`violation contains {"msg": msg} if {
  not rule_exempt
  object_fails
  msg := sprintf("%s %q: %s (rootlock rule %s)", [obj.kind, object.get(obj.metadata, "name", ""), ${JSON.stringify(check.message)}, rule_id])
}`);
    for (const body of check.regoFails) parts.push(`object_fails if {\n${indent(body)}\n}`);
  } else {
    parts.push(podViolation(check.message, windows));
    for (const body of check.regoFails) parts.push(`pod_fails if {\n${indent(body)}\n}`);
  }
  parts.push(...(check.regoHelpers ?? []));
  return parts.join('\n\n') + '\n';
}
