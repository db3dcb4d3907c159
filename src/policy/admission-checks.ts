// The admission checks: each rule's admission form (src/rules/<id>/admission.ts)
// keyed by the rule's id, in the registry's order, and the rules admission
// cannot enforce with the reason. Built from the rule folders, so a rule and
// its policies have one home; the admission forms load on first use, so a
// command that enforces nothing never loads them.
import { hasAdmissionForm } from '../core/admission.js';
import type { AdmissionForm } from '../core/admission.js';
import { RULES } from '../rules/index.js';
import type { PolicyOptions } from './options.js';

export type AdmissionCheck = AdmissionForm & {
  /** The rule's id. */
  rule: string;
};

let loading: Promise<readonly AdmissionCheck[]> | undefined;

/** Every rule's admission check, in the registry's order (loaded once). */
export function loadAdmissionChecks(): Promise<readonly AdmissionCheck[]> {
  loading ??= Promise.all(
    RULES.flatMap((rule) => (hasAdmissionForm(rule.admission) ? [rule.admission().then((loaded) => ({ ...loaded.default, rule: rule.id }))] : [])),
  );
  return loading;
}

/** Rules without an admission check, and why. */
export const NOT_AT_ADMISSION: ReadonlyMap<string, string> = new Map(
  RULES.flatMap((rule) => (hasAdmissionForm(rule.admission) ? [] : [[rule.id, rule.admission.none] as const])),
);

export interface RuleSelection {
  checks: PolicyOptions['checks'];
  /** Requested rules that cannot be enforced at admission, with the reason. */
  skipped: Array<{ rule: string; reason: string }>;
  unknown: string[];
}

/** The checks for --rules (all by default), from `loadAdmissionChecks()`. */
export function selectChecks(all: readonly AdmissionCheck[], rules: readonly string[] | undefined, known: ReadonlySet<string>): RuleSelection {
  if (!rules || rules.length === 0) {
    return {
      checks: all.filter((check) => check.optIn === undefined),
      skipped: all.filter((check) => check.optIn !== undefined).map((check) => ({ rule: check.rule, reason: `only with --rules: ${check.optIn}` })),
      unknown: [],
    };
  }
  const unknown = rules.filter((rule) => !known.has(rule));
  const checks = all.filter((check) => rules.includes(check.rule));
  const skipped = rules
    .filter((rule) => known.has(rule) && !checks.some((check) => check.rule === rule))
    .map((rule) => ({ rule, reason: NOT_AT_ADMISSION.get(rule) ?? 'no admission check' }));
  return { checks, skipped, unknown };
}
