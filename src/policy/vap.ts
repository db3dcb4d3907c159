// Native ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding
// (admissionregistration.k8s.io/v1, Kubernetes 1.30+), one pair per rule.
import { celPolicyParts, celValidations } from './cel.js';
import { namespaceSelector } from './match.js';
import type { GeneratedDocument, PolicyAction, PolicyOptions } from './options.js';
import { noteComment } from './render.js';

const VALIDATION_ACTIONS: Record<PolicyAction, string[]> = { deny: ['Deny'], warn: ['Warn'], audit: ['Audit'] };

export function policyName(rule: string): string {
  return `rootlock-${rule}`;
}

export function validatingAdmissionPolicies(options: PolicyOptions): GeneratedDocument[] {
  const out: GeneratedDocument[] = [];
  for (const check of options.checks) {
    const name = policyName(check.rule);
    const selector = namespaceSelector(options.namespaces, options.excludeNamespaces);
    const parts = celPolicyParts(check);
    out.push({
      comment: check.scope === 'object'
        ? `rootlock rule ${check.rule}: ${check.message}; skipped when annotated rootlock.dev/ignore: ${check.rule} (or "*"/"all").`
        : `rootlock rule ${check.rule}: every container, init container and ephemeral container ${check.message}.\n` +
          'Applies to Pods (and pods/ephemeralcontainers updates) and every kind with a pod template; skipped when the\n' +
          `object or its pod template is annotated rootlock.dev/ignore: ${check.rule} (or "*"/"all").` + noteComment(check.note),
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rootlock' } },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: parts.resourceRules },
          matchConditions: [{ name: 'not-exempted-by-annotation', expression: parts.matchCondition }],
          ...(parts.variables.length ? { variables: parts.variables } : {}),
          validations: celValidations(check, options.exemptImages).map((v) => ({ ...v, reason: 'Forbidden' })),
        },
      },
    });
    out.push({
      comment: `Binds ${name}: ${options.action} ${selector ? 'in the selected namespaces' : 'in every namespace'}.`,
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rootlock' } },
        spec: {
          policyName: name,
          validationActions: VALIDATION_ACTIONS[options.action],
          ...(selector ? { matchResources: { namespaceSelector: selector } } : {}),
        },
      },
    });
  }
  return out;
}
