// Which offered fixes `rootlock fix` applies on its own, and why the others
// need a human: each rule says so in its `fixSafety` (opt-in, the reason a
// person must decide, the risk for this container). A fix that would stop the
// container from starting is not a fix: when the rule cannot tell, the change
// is reported instead.
import { objectReference } from '../core/exemptions.js';
import { documentObjects, workloadOf, BUILTIN_POD_SPEC_LOCATIONS } from '../core/workloads.js';
import type { PodSpecLocation } from '../core/workloads.js';
import type { FixSafetyContext, FixTarget, RuleDefinition } from '../core/rule.js';
import type { Finding } from '../core/types.js';

export interface PolicyContext extends FixSafetyContext {
  locations: readonly PodSpecLocation[];
  /** Rules the user named with --rules. */
  explicitRules: ReadonlySet<string>;
  /** The rules by id. */
  rules: ReadonlyMap<string, RuleDefinition>;
}

export type Decision = { apply: true } | { apply: false; why: string };

/** The workload and container a finding is about, looked up in the current document. */
function locateFinding(document: unknown, finding: Finding, locations: readonly PodSpecLocation[] = BUILTIN_POD_SPEC_LOCATIONS): FixTarget | undefined {
  for (const { object } of documentObjects(document)) {
    const ref = objectReference(object);
    if (ref.kind !== finding.object.kind || ref.name !== finding.object.name || ref.namespace !== finding.object.namespace) continue;
    const workload = workloadOf(object, locations);
    if (!workload) return undefined;
    const container = workload.containers.find((c) => c.name === finding.container && c.type === finding.containerType);
    return { workload, container, namespace: finding.object.namespace };
  }
  return undefined;
}

export function decide(finding: Finding, document: unknown, context: PolicyContext): Decision {
  const safety = context.rules.get(finding.rule)?.fixSafety;
  if (!finding.edits?.length) return { apply: false, why: safety?.manualReason ?? finding.hint };
  if (safety?.optIn && !context.explicitRules.has(finding.rule)) {
    return { apply: false, why: `${safety.optIn}; run rootlock fix --rules ${finding.rule} to apply it` };
  }
  if (safety?.risk) {
    const target = locateFinding(document, finding, context.locations);
    const risk = target ? safety.risk(target, context) : undefined;
    if (risk !== undefined) return { apply: false, why: risk };
  }
  return { apply: true };
}
