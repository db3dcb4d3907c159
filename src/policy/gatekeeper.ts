// Gatekeeper: a ConstraintTemplate (Rego, see rego.ts) and a Constraint per rule.
import { POLICY_KINDS } from './match.js';
import { constraintKind, regoModule } from './rego.js';
import type { GeneratedDocument, PolicyAction, PolicyOptions } from './options.js';
import { noteComment } from './render.js';

const ENFORCEMENT: Record<PolicyAction, string> = { deny: 'deny', warn: 'warn', audit: 'dryrun' };

export function gatekeeperPolicies(options: PolicyOptions): GeneratedDocument[] {
  const out: GeneratedDocument[] = [];
  for (const check of options.checks) {
    const kind = constraintKind(check.rule);
    out.push({
      comment: check.scope === 'object'
        ? `rootlock rule ${check.rule}: ${check.message}. Honours the rootlock.dev/ignore annotation.`
        : `rootlock rule ${check.rule}: ${check.message}.\n` +
        'Checks containers, initContainers and ephemeralContainers of Pods and of every pod template, on CREATE and\n' +
        'on UPDATE of workloads and of pods/ephemeralcontainers (kubectl debug: make sure Gatekeeper\'s webhook\n' +
        'receives that subresource). Honours rootlock.dev/ignore annotations and exemptImages.' + noteComment(check.note),
      object: {
        apiVersion: 'templates.gatekeeper.sh/v1',
        kind: 'ConstraintTemplate',
        metadata: { name: kind.toLowerCase(), annotations: { description: check.message, 'rootlock.dev/rule': check.rule } },
        spec: {
          crd: {
            spec: {
              names: { kind },
              validation: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    exemptImages: {
                      type: 'array',
                      description: 'Images exempt from this rule: exact, or ending in * for a prefix.',
                      items: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
          targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: regoModule(check) }],
        },
      },
    });
    const match: Record<string, unknown> = {
      kinds: (check.scope === 'object' ? check.kinds : POLICY_KINDS).map((group) => ({ apiGroups: [group.apiGroup], kinds: group.kinds })),
    };
    if (options.namespaces.length) match['namespaces'] = [...options.namespaces];
    if (options.excludeNamespaces.length) match['excludedNamespaces'] = [...options.excludeNamespaces];
    out.push({
      comment: `Enforces ${kind.toLowerCase()} (enforcementAction ${ENFORCEMENT[options.action]}).`,
      object: {
        apiVersion: 'constraints.gatekeeper.sh/v1beta1',
        kind,
        metadata: { name: `rootlock-${check.rule}` },
        spec: {
          enforcementAction: ENFORCEMENT[options.action],
          match,
          parameters: { exemptImages: [...options.exemptImages] },
        },
      },
    });
  }
  return out;
}
