import { capabilityEntries, RUNTIME_DEFAULT_CAPABILITIES } from '../../core/capabilities.js';
import { isObject } from '../../core/path.js';
import { CONTAINER_ONLY_FIELDS, containerSecurityContextPath, podSecurityContextPath } from '../../core/security-context.js';
import { defineRule } from '../../core/rule.js';
import type { FixBuilder } from '../../core/rule.js';
import { isWindowsPod } from '../describe.js';

type ContainerOnlyField = (typeof CONTAINER_ONLY_FIELDS)[number];

/**
 * Whether copying the pod-level value onto the containers only tightens them.
 * Today the value has no effect; moving a loosening value (privileged: true,
 * added capabilities, ...) would grant privileges the pod never had, so the
 * fix deletes those instead of moving them.
 */
export function tightens(field: ContainerOnlyField, value: unknown): boolean {
  switch (field) {
    case 'readOnlyRootFilesystem': return value === true;
    case 'allowPrivilegeEscalation': return value === false;
    case 'privileged': return value === false;
    case 'procMount': return value === 'Default';
    case 'capabilities':
      return isObject(value) && (value['add'] === undefined || value['add'] === null || Array.isArray(value['add']))
        && (value['drop'] === undefined || value['drop'] === null || Array.isArray(value['drop']))
        && capabilityEntries(value, 'add').every((entry) => RUNTIME_DEFAULT_CAPABILITIES.has(entry.capability));
  }
}

function shown(field: ContainerOnlyField, value: unknown): string {
  return field === 'capabilities' ? 'capabilities' : `${field}: ${JSON.stringify(value)}`;
}

export default defineRule({
  id: 'misplaced-security-context',
  severity: 'error',
  enforcement: 'deny',
  admission: {
    none:
      'the API server drops container-only fields from the pod securityContext when it decodes the object, so no ' +
      'admission policy ever sees them; kubectl --validate=strict (the default) rejects them before they are sent',
  },
  fixable: true,
  docs: {
    summary: 'Container-only security fields placed in the pod securityContext, where Kubernetes drops them',
    rationale:
      'readOnlyRootFilesystem, allowPrivilegeEscalation, capabilities, privileged and procMount exist only on the ' +
      'container securityContext. Written under spec.securityContext they are unknown fields of PodSecurityContext: ' +
      'kubectl with strict validation refuses the manifest, but Helm, GitOps controllers and any client using the ' +
      'default field validation get at most a warning and the API server silently drops the field. The manifest ' +
      'then looks immutable to a reviewer while every container runs with a writable root filesystem and the ' +
      'default capabilities. A policy that only reads the pod level is fooled the same way.',
    remediation:
      'Move each field into the securityContext of every container, init container and ephemeral container, and ' +
      'delete it from the pod securityContext. rootlock fix does this for values that only tighten the containers ' +
      '(readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities that add nothing beyond the ' +
      'runtime defaults, ...); a misplaced value that would grant more (privileged: true, extra capabilities) is ' +
      'only deleted, since it never took effect, and should be set on the one container that needs it if any does.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1',
      'https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation',
    ],
  },
  check(context) {
    const workload = context.workload;
    if (!workload) return;
    const podContext = workload.podSpec['securityContext'];
    if (!isObject(podContext)) return;
    const podPath = podSecurityContextPath(workload);
    const containerOnly = new Set<string>(CONTAINER_ONLY_FIELDS);
    // In the order the manifest writes them.
    for (const key of Object.keys(podContext)) {
      if (!containerOnly.has(key) || podContext[key] === null) continue;
      const field = key as ContainerOnlyField;
      const value = podContext[field];
      const fieldPath = [...podPath, field];
      // Windows pods may not set these fields on containers either: there the fix can only delete.
      const move = tightens(field, value) && !isWindowsPod(workload);
      const targets = move
        ? context.containers().filter((container) => {
            const own = container.spec['securityContext'];
            return !(isObject(own) && own[field] !== undefined && own[field] !== null);
          })
        : [];
      context.report({
        path: fieldPath,
        message: `pod securityContext sets ${shown(field, value)}, a container-only field that Kubernetes silently drops, so it applies to no container`,
        hint: move
          ? `move ${field} into each container's securityContext and delete it from the pod securityContext`
          : `delete ${field} from the pod securityContext; set it on a container only if that container really needs it`,
        fix: (fix: FixBuilder) => {
          for (const container of targets) fix.set([...containerSecurityContextPath(container), field], structuredClone(value));
          fix.delete(fieldPath);
        },
      });
    }
  },
});
