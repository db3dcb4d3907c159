// Native ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding
// (admissionregistration.k8s.io/v1, Kubernetes 1.30+), one pair per rule.
import { CEL_VARIABLES, celValidations, ruleIgnoredExpression } from './cel.js';
import { namespaceSelector, resourceRules } from './match.js';
import type { GeneratedDocument, PolicyAction, PolicyOptions } from './options.js';

const VALIDATION_ACTIONS: Record<PolicyAction, string[]> = { deny: ['Deny'], warn: ['Warn'], audit: ['Audit'] };

export function policyName(rule: string): string {
  return `rootlock-${rule}`;
}

export function validatingAdmissionPolicies(options: PolicyOptions): GeneratedDocument[] {
  const out: GeneratedDocument[] = [];
  for (const check of options.checks) {
    const name = policyName(check.rule);
    const selector = namespaceSelector(options.namespaces, options.excludeNamespaces);
    out.push({
      comment: `rootlock rule ${check.rule}: every container, init container and ephemeral container ${check.message}.\n` +
        'Applies to Pods (and pods/ephemeralcontainers updates) and every kind with a pod template; skipped when the\n' +
        `object or its pod template is annotated rootlock.dev/ignore: ${check.rule} (or "*"/"all").`,
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rootlock' } },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: resourceRules() },
          matchConditions: [{ name: 'not-exempted-by-annotation', expression: `!(${ruleIgnoredExpression(check.rule)})` }],
          variables: CEL_VARIABLES.map((v) => ({ ...v })),
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
