// CEL for the Kubernetes-native engines (ValidatingAdmissionPolicy, Kyverno
// ValidatingPolicy): the same workload model as src/core/workloads.ts (pod
// spec and pod template metadata per kind, every container list) and the same
// exemption annotations as src/core/exemptions.ts.
import { IGNORE_ANNOTATION } from '../core/exemptions.js';
import type { AdmissionCheck } from './admission-checks.js';
import { resourceRules } from './match.js';

export interface CelVariable {
  name: string;
  expression: string;
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const POD_SPEC =
  "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";

// A pod template may have no metadata: the API server fills in an empty one, the Kyverno CLI does not.
const POD_META =
  "object.kind == 'Pod' ? object.metadata : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.?metadata.orValue({}) : object.spec.template.?metadata.orValue({})";

export const CEL_VARIABLES: readonly CelVariable[] = [
  { name: 'podSpec', expression: POD_SPEC },
  { name: 'podMeta', expression: POD_META },
  {
    name: 'containers',
    expression: 'variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?containers.orValue([]) + variables.podSpec.?ephemeralContainers.orValue([])',
  },
  { name: 'nonEphemeralContainers', expression: 'variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?containers.orValue([])' },
];

function ignoredIn(rule: string, annotationKey: string): string {
  return `m.?annotations[?${annotationKey}].orValue('').split(',').exists(s, s.trim() in [${quote(rule)}, '*', 'all'])`;
}

/**
 * True when the object or its pod template carries rootlock.dev/ignore for
 * this rule. Stands alone (no variables), so it can be a matchCondition.
 */
export function ruleIgnoredExpression(rule: string, objectOnly = false): string {
  if (objectOnly) return `[object.metadata].exists(m, ${ignoredIn(rule, quote(IGNORE_ANNOTATION))})`;
  return `[object.metadata, (${POD_META})].exists(m, ${ignoredIn(rule, quote(IGNORE_ANNOTATION))})`;
}

/** True when container `c` is exempt from the rule by annotation or image (needs variables.podMeta). */
export function containerExemptExpression(rule: string, exemptImages: readonly string[]): string {
  const parts = [`[object.metadata, variables.podMeta].exists(m, ${ignoredIn(rule, `(${quote(IGNORE_ANNOTATION + '.')} + c.name)`)})`];
  const exact = exemptImages.filter((p) => !p.endsWith('*'));
  const prefixes = exemptImages.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  if (exact.length) parts.push(`c.?image.orValue('') in [${exact.map(quote).join(', ')}]`);
  if (prefixes.length) parts.push(`[${prefixes.map(quote).join(', ')}].exists(p, c.?image.orValue('').startsWith(p))`);
  return parts.join(' || ');
}

export interface CelValidation {
  expression: string;
  messageExpression: string;
}

/** The validations for one check; rule-level exemption is left to ruleIgnoredExpression (a matchCondition). */
export function celValidations(check: AdmissionCheck, exemptImages: readonly string[]): CelValidation[] {
  const out = [celValidation(check, exemptImages)];
  if (check.scope === 'container' && check.pod) {
    const windows = check.skipWindows ? "variables.podSpec.?os.?name.orValue('') == 'windows' || " : '';
    out.push({ expression: `${windows}${check.pod.celOk}`, messageExpression: `${quote(`rootlock ${check.rule}: ${check.pod.message}`)}` });
  }
  return out;
}

function celValidation(check: AdmissionCheck, exemptImages: readonly string[]): CelValidation {
  const prefix = `${quote(`rootlock ${check.rule}: `)}`;
  if (check.scope === 'object') {
    return { expression: check.celOk, messageExpression: `${prefix} + object.kind + ' ' + object.metadata.name + ': ' + ${quote(check.message)}` };
  }
  const windows = check.skipWindows ? "variables.podSpec.?os.?name.orValue('') == 'windows' || " : '';
  if (check.scope === 'pod') {
    return { expression: `${windows}${check.celOk}`, messageExpression: `${prefix} + ${quote(check.message)}` };
  }
  const list = check.lists === 'not-ephemeral' ? 'variables.nonEphemeralContainers' : 'variables.containers';
  const passes = `(${containerExemptExpression(check.rule, exemptImages)} || (${check.celOk}))`;
  return {
    expression: `${windows}${list}.all(c, ${passes})`,
    messageExpression: `${prefix} + ${list}.filter(c, !${passes}).map(c, c.name).join(', ') + ' ' + ${quote(check.message)}`,
  };
}

/** The match, exemption condition and variables of the policy for one check. */
export function celPolicyParts(check: AdmissionCheck): { resourceRules: Array<Record<string, unknown>>; matchCondition: string; variables: CelVariable[] } {
  if (check.scope === 'object') {
    return {
      resourceRules: check.kinds.map((group) => ({ apiGroups: [group.apiGroup], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: group.resources })),
      matchCondition: `!(${ruleIgnoredExpression(check.rule, true)})`,
      variables: [],
    };
  }
  return { resourceRules: resourceRules(), matchCondition: `!(${ruleIgnoredExpression(check.rule)})`, variables: CEL_VARIABLES.map((v) => ({ ...v })) };
}
