// MutatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in Kubernetes
// 1.36): applies the safe fixes the way `rootlock fix` writes them, each from
// its rule's admission form (`mutation`): JSON patches first, then one
// server-side-apply configuration merged into each container. Today:
//   read-only-root-filesystem  readOnlyRootFilesystem: true
//   no-privilege-escalation    allowPrivilegeEscalation: false, except where
//                              Kubernetes forbids it (privileged, SYS_ADMIN)
//   drop-all-capabilities      ALL appended to capabilities.drop (a misspelled
//                              "all" rewritten), and what the knowledge base
//                              says the image needs added to capabilities.add
// Exempted containers (annotations, --exempt-images) and Windows pods are
// left as they are: the API server forbids all three fields on Windows pods
// (rootlock fix still writes readOnlyRootFilesystem there; see docs/policy.md).
import { CEL_VARIABLES, containerExemptExpression, ruleIgnoredExpression } from './cel.js';
import { namespaceSelector } from './match.js';
import type { MutationForm } from '../core/admission.js';
import type { AdmissionCheck } from './admission-checks.js';
import type { GeneratedDocument, PolicyOptions } from './options.js';

type MutatingCheck = AdmissionCheck & { mutation: MutationForm };

/** The checks whose rules have a safe fix this policy applies (their admission form's `mutation`), in registry order. */
export function mutatingChecks(checks: readonly AdmissionCheck[]): MutatingCheck[] {
  return checks.filter((check): check is MutatingCheck => check.mutation !== undefined);
}

interface Shape {
  name: string;
  /** CEL type prefix of the pod spec in an apply configuration. */
  typePath: string[];
  resourceRules: Array<Record<string, unknown>>;
}

// Pods and Jobs have an immutable pod spec: mutate them on CREATE only (and the
// ephemeral containers subresource on UPDATE), or every later update of an
// older object would be refused.
const SHAPES: readonly Shape[] = [
  {
    name: 'pods',
    typePath: ['spec'],
    resourceRules: [
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'] },
    ],
  },
  {
    name: 'pod-templates',
    typePath: ['spec', 'template', 'spec'],
    resourceRules: [
      { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['replicationcontrollers'] },
      { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['jobs'] },
    ],
  },
  {
    name: 'cronjobs',
    typePath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    resourceRules: [{ apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['cronjobs'] }],
  },
];

const WINDOWS = "variables.podSpec.?os.?name.orValue('') == 'windows'";

/** CEL on container `c`: the rule is not exempted for it, and the pod is not a Windows pod (which forbids all these fields). */
function applies(rule: string, options: PolicyOptions): string {
  return `!(${ruleIgnoredExpression(rule)}) && !(${containerExemptExpression(rule, options.exemptImages)}) && !(${WINDOWS})`;
}

function containerFields(options: PolicyOptions, checks: readonly MutatingCheck[]): string {
  return checks.flatMap((check) => ('field' in check.mutation ? [check.mutation.field(applies(check.rule, options))] : [])).join(', ');
}

function applyConfiguration(shape: Shape, options: PolicyOptions, checks: readonly MutatingCheck[]): string {
  const lists = ['initContainers', 'containers', 'ephemeralContainers'].map((list) => {
    const specType = ['Object', ...shape.typePath].join('.');
    const listType = `${specType}.${list}`;
    const entries = `variables.podSpec.${list}.map(c, ${listType}{name: c.name, securityContext: ${listType}.securityContext{${containerFields(options, checks)}}})`;
    return `?${list}: has(variables.podSpec.${list}) ? optional.of(${entries}) : optional.none()`;
  });
  // Object{spec: Object.spec{template: Object.spec.template{spec: Object.spec.template.spec{...}}}}
  let inner = `${['Object', ...shape.typePath].join('.')}{${lists.join(', ')}}`;
  for (let depth = shape.typePath.length - 1; depth >= 0; depth--) {
    const type = ['Object', ...shape.typePath.slice(0, depth)].join('.');
    inner = `${type}{${shape.typePath[depth]}: ${inner}}`;
  }
  return inner;
}

export function mutatingAdmissionPolicies(options: PolicyOptions): GeneratedDocument[] {
  const selected = mutatingChecks(options.checks);
  if (selected.length === 0) return [];
  const patches = selected.flatMap((check) => ('jsonPatch' in check.mutation ? [{ rule: check.rule, patch: check.mutation.jsonPatch }] : []));
  const fields = selected.filter((check) => 'field' in check.mutation);
  const selector = namespaceSelector(options.namespaces, options.excludeNamespaces);
  const out: GeneratedDocument[] = [];
  for (const shape of SHAPES) {
    const name = `rootlock-safe-fixes-${shape.name}`;
    out.push({
      comment: `Sets the safe fixes of ${selected.map((check) => check.rule).join(', ')} on every container of ${shape.name === 'pods' ? 'Pods (on create, and ephemeral containers when added)' : shape.name === 'cronjobs' ? 'CronJob pod templates' : 'workload pod templates'},\n` +
        'as rootlock fix does; containers exempted with rootlock.dev/ignore annotations are left alone.',
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingAdmissionPolicy',
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rootlock' } },
        spec: {
          failurePolicy: 'Fail',
          reinvocationPolicy: 'IfNeeded',
          matchConstraints: { resourceRules: shape.resourceRules },
          variables: CEL_VARIABLES.filter((v) => v.name === 'podSpec' || v.name === 'podMeta').map((v) => ({ ...v })),
          mutations: [
            ...patches.map(({ rule, patch }) => ({ patchType: 'JSONPatch', jsonPatch: { expression: patch(shape.typePath, applies(rule, options)) } })),
            ...(fields.length ? [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: applyConfiguration(shape, options, fields) } }] : []),
          ],
        },
      },
    });
    out.push({
      comment: `Binds ${name} ${selector ? 'in the selected namespaces' : 'in every namespace'}.`,
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingAdmissionPolicyBinding',
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rootlock' } },
        spec: { policyName: name, ...(selector ? { matchResources: { namespaceSelector: selector } } : {}) },
      },
    });
  }
  return out;
}
