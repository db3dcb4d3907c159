// The admission checks: each rule's admission form (src/rules/<id>/admission.ts)
// keyed by the rule's id, in the registry's order, and the rules admission
// cannot enforce with the reason. Built from the rule folders, so a rule and
// its policies have one home.
import { isAdmissionForm } from '../core/admission.js';
import type { AdmissionForm } from '../core/admission.js';
import { RULES } from '../rules/index.js';

export type AdmissionCheck = AdmissionForm & {
  /** The rule's id. */
  rule: string;
};

export const ADMISSION_CHECKS: readonly AdmissionCheck[] = RULES.flatMap((rule) => (isAdmissionForm(rule.admission) ? [{ ...rule.admission, rule: rule.id }] : []));

/** Rules without an admission check, and why. */
export const NOT_AT_ADMISSION: ReadonlyMap<string, string> = new Map(
  RULES.flatMap((rule) => (isAdmissionForm(rule.admission) ? [] : [[rule.id, rule.admission.none] as const])),
);

