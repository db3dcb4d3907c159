// Kyverno ValidatingPolicy (policies.kyverno.io/v1, CEL): the same match,
// variables, exemption matchCondition and validations as the generated
// ValidatingAdmissionPolicy, so the CEL proven on the real API server is the
// CEL Kyverno runs.
import { celPolicyParts, celValidations } from './cel.js';
import { namespaceSelector } from './match.js';
import type { GeneratedDocument, PolicyAction, PolicyOptions } from './options.js';
import { noteComment } from './render.js';

const VALIDATION_ACTIONS: Record<PolicyAction, string[]> = { deny: ['Deny'], warn: ['Warn'], audit: ['Audit'] };

export function kyvernoPolicies(options: PolicyOptions): GeneratedDocument[] {
  return options.checks.map((check) => {
    const selector = namespaceSelector(options.namespaces, options.excludeNamespaces);
    const parts = celPolicyParts(check);
    return {
      comment: `rootlock rule ${check.rule}: ${check.scope === 'object' ? '' : 'every container, init container and ephemeral container '}${check.message}.\n` +
        'Same CEL as `rootlock policy vap`; skipped when annotated rootlock.dev/ignore for this rule.' + noteComment(check.note),
      object: {
        apiVersion: 'policies.kyverno.io/v1',
        kind: 'ValidatingPolicy',
        metadata: { name: `rootlock-${check.rule}`, annotations: { 'rootlock.dev/rule': check.rule } },
        spec: {
          validationActions: VALIDATION_ACTIONS[options.action],
          matchConstraints: { resourceRules: parts.resourceRules, ...(selector ? { namespaceSelector: selector } : {}) },
          matchConditions: [{ name: 'not-exempted-by-annotation', expression: parts.matchCondition }],
          ...(parts.variables.length ? { variables: parts.variables } : {}),
          validations: celValidations(check, options.exemptImages),
        },
      },
    };
  });
}

const LEGACY_KINDS = ['Pod', 'Pod/ephemeralcontainers', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];

/**
 * Kyverno ClusterPolicy (kyverno.io/v1) for clusters on Kyverno before
 * ValidatingPolicy: the same CEL as a validate.cel rule, the annotation
 * exemption as a celPrecondition. Warn is Audit with emitWarning.
 */
export function kyvernoLegacyPolicies(options: PolicyOptions): GeneratedDocument[] {
  return options.checks.map((check) => {
    const parts = celPolicyParts(check);
    const kinds = check.scope === 'object' ? check.kinds.flatMap((group) => group.kinds) : LEGACY_KINDS;
    const resources: Record<string, unknown> = { kinds, operations: ['CREATE', 'UPDATE'] };
    if (options.namespaces.length) resources['namespaces'] = [...options.namespaces];
    return {
      comment: `rootlock rule ${check.rule} as a Kyverno ClusterPolicy (--legacy): ${check.message}.` + noteComment(check.note),
      object: {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: {
          name: `rootlock-${check.rule}`,
          annotations: { 'policies.kyverno.io/title': `rootlock ${check.rule}`, 'policies.kyverno.io/description': check.message, 'rootlock.dev/rule': check.rule },
        },
        spec: {
          background: true,
          ...(options.action === 'warn' ? { emitWarning: true } : {}),
          rules: [
            {
              name: check.rule,
              match: { any: [{ resources }] },
              ...(options.excludeNamespaces.length ? { exclude: { any: [{ resources: { namespaces: [...options.excludeNamespaces] } }] } } : {}),
              celPreconditions: [{ name: 'not-exempted-by-annotation', expression: parts.matchCondition }],
              validate: {
                failureAction: options.action === 'deny' ? 'Enforce' : 'Audit',
                cel: {
                  ...(parts.variables.length ? { variables: parts.variables } : {}),
                  expressions: celValidations(check, options.exemptImages),
                },
              },
            },
          ],
        },
      },
    };
  });
}
