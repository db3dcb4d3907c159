// MutatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in Kubernetes
// 1.36): applies the safe fixes the way `rootlock fix` writes them, as a
// server-side-apply configuration merged into each container:
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
import { BUILTIN_IMAGE_KNOWLEDGE } from '../knowledge/images.js';
import { knowledgeTable, mayBeKnownCel, withKnownCapabilitiesCel } from './checks/image-knowledge.js';
import type { GeneratedDocument, PolicyOptions } from './options.js';

export const MUTATED_RULES = ['read-only-root-filesystem', 'no-privilege-escalation', 'drop-all-capabilities'] as const;

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
const NORMALIZED = "(d.trim().upperAscii().startsWith('CAP_') ? d.trim().upperAscii().substring(4) : d.trim().upperAscii())";

function applies(rule: string, options: PolicyOptions, linuxOnly: boolean): string {
  return `!(${ruleIgnoredExpression(rule)}) && !(${containerExemptExpression(rule, options.exemptImages)})${linuxOnly ? ` && !(${WINDOWS})` : ''}`;
}

function containerFields(options: PolicyOptions, rules: ReadonlySet<string>, listType: string): string {
  const fields: string[] = [];
  if (rules.has('read-only-root-filesystem')) {
    fields.push(`?readOnlyRootFilesystem: (${applies('read-only-root-filesystem', options, true)} && c.?securityContext.?readOnlyRootFilesystem.orValue(false) != true) ? optional.of(true) : optional.none()`);
  }
  if (rules.has('no-privilege-escalation')) {
    const forced = "c.?securityContext.?privileged.orValue(false) == true || c.?securityContext.?capabilities.?add.orValue([]).exists(d, " + NORMALIZED + " == 'SYS_ADMIN')";
    fields.push(`?allowPrivilegeEscalation: (${applies('no-privilege-escalation', options, true)} && c.?securityContext.?allowPrivilegeEscalation.orValue(true) != false && !(${forced})) ? optional.of(false) : optional.none()`);
  }
  return fields.join(', ');
}

// The image knowledge base, for the capabilities an image needs back after dropping ALL.
const KNOWLEDGE = knowledgeTable(BUILTIN_IMAGE_KNOWLEDGE);

/**
 * capabilities.drop is an atomic list, which an apply configuration may not
 * change: a JSON patch per container that needs ALL, built from the original
 * object (so it runs before the apply configuration). Like rootlock fix, it
 * adds back to capabilities.add what the knowledge base says the image needs
 * (and add lacks), except where it only rewrites a misspelled "all".
 */
function dropAllPatch(shape: Shape, options: PolicyOptions): string {
  const drop = 'c.?securityContext.?capabilities.?drop.orValue([])';
  const add = 'c.?securityContext.?capabilities.?add.orValue([])';
  const misspelled = `${drop}.exists(d, ${NORMALIZED} == 'ALL')`;
  const newDrop = `${misspelled} ? ${drop}.map(d, ${NORMALIZED} == 'ALL' ? 'ALL' : d) : ${drop} + ['ALL']`;
  const needs = `${applies('drop-all-capabilities', options, true)} && !('ALL' in ${drop})`;
  // What the image needs back and add lacks; nothing when the patch only rewrites a misspelled "all".
  const needed = `(!has(c.image) || ${misspelled} || !${mayBeKnownCel(KNOWLEDGE)} ? [] : ${withKnownCapabilitiesCel(KNOWLEDGE, 'caps', `caps.filter(n, !(n in ${add}.map(d, ${NORMALIZED})))`)})`;
  // capabilities has only drop and add: the patch writes the whole object, add (when there is one) kept in front.
  // dyn(): the drop list's elements are dyn, the knowledge base's strings; a map literal wants one value type.
  const capabilities = `[${add} + ${needed}].map(a, size(a) > 0 ? {'drop': dyn(${newDrop}), 'add': dyn(a)} : {'drop': dyn(${newDrop})})[0]`;
  const lists = ['initContainers', 'containers', 'ephemeralContainers'].map((list) => {
    const items = `variables.podSpec.${list}`;
    const base = `'/${[...shape.typePath, list].join('/')}/' + string(i)`;
    const patch = `[${capabilities}].map(caps, !has(c.securityContext) ? ` +
      `JSONPatch{op: 'add', path: ${base} + '/securityContext', value: {'capabilities': caps}} : ` +
      `JSONPatch{op: 'add', path: ${base} + '/securityContext/capabilities', value: caps})[0]`;
    // [items[i]].all(c, ...) binds c to the container at index i.
    return `(has(${items}) ? lists.range(size(${items})).filter(i, [${items}[i]].all(c, ${needs})).map(i, [${items}[i]].map(c, ${patch})[0]) : [])`;
  });
  return lists.join(' + ');
}

function applyConfiguration(shape: Shape, options: PolicyOptions, rules: ReadonlySet<string>): string {
  const lists = ['initContainers', 'containers', 'ephemeralContainers'].map((list) => {
    const specType = ['Object', ...shape.typePath].join('.');
    const listType = `${specType}.${list}`;
    const entries = `variables.podSpec.${list}.map(c, ${listType}{name: c.name, securityContext: ${listType}.securityContext{${containerFields(options, rules, listType)}}})`;
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
  const selected = new Set(options.checks.map((check) => check.rule).filter((rule) => (MUTATED_RULES as readonly string[]).includes(rule)));
  if (selected.size === 0) return [];
  const selector = namespaceSelector(options.namespaces, options.excludeNamespaces);
  const out: GeneratedDocument[] = [];
  for (const shape of SHAPES) {
    const name = `rootlock-safe-fixes-${shape.name}`;
    out.push({
      comment: `Sets the safe fixes of ${[...selected].join(', ')} on every container of ${shape.name === 'pods' ? 'Pods (on create, and ephemeral containers when added)' : shape.name === 'cronjobs' ? 'CronJob pod templates' : 'workload pod templates'},\n` +
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
            ...(selected.has('drop-all-capabilities') ? [{ patchType: 'JSONPatch', jsonPatch: { expression: dropAllPatch(shape, options) } }] : []),
            ...(selected.has('read-only-root-filesystem') || selected.has('no-privilege-escalation')
              ? [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: applyConfiguration(shape, options, selected) } }]
              : []),
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
