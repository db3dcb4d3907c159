// `rootlock policy <engine>`: generators that read rule metadata (the
// admission checks keyed by rule id), so a rule and its policies cannot drift.
import { ADMISSION_CHECKS, NOT_AT_ADMISSION } from './admission-checks.js';
import { gatekeeperPolicies } from './gatekeeper.js';
import { kyvernoLegacyPolicies, kyvernoPolicies } from './kyverno.js';
import { validatingAdmissionPolicies } from './vap.js';
import { mutatingAdmissionPolicies } from './mutating.js';
import type { GeneratedDocument, PolicyOptions } from './options.js';

export const POLICY_ENGINES = ['gatekeeper', 'kyverno', 'vap', 'mutating-policy'] as const;
export type PolicyEngine = (typeof POLICY_ENGINES)[number];

export function generatePolicies(engine: PolicyEngine, options: PolicyOptions, legacy = false): GeneratedDocument[] {
  switch (engine) {
    case 'gatekeeper': return gatekeeperPolicies(options);
    case 'kyverno': return legacy ? kyvernoLegacyPolicies(options) : kyvernoPolicies(options);
    case 'vap': return validatingAdmissionPolicies(options);
    case 'mutating-policy': return mutatingAdmissionPolicies(options);
  }
}

export interface RuleSelection {
  checks: PolicyOptions['checks'];
  /** Requested rules that cannot be enforced at admission, with the reason. */
  skipped: Array<{ rule: string; reason: string }>;
  unknown: string[];
}

/** The checks for --rules (all by default). */
export function selectChecks(rules: readonly string[] | undefined, known: ReadonlySet<string>): RuleSelection {
  if (!rules || rules.length === 0) {
    return {
      checks: ADMISSION_CHECKS.filter((check) => check.optIn === undefined),
      skipped: ADMISSION_CHECKS.filter((check) => check.optIn !== undefined).map((check) => ({ rule: check.rule, reason: `only with --rules: ${check.optIn}` })),
      unknown: [],
    };
  }
  const unknown = rules.filter((rule) => !known.has(rule));
  const checks = ADMISSION_CHECKS.filter((check) => rules.includes(check.rule));
  const skipped = rules
    .filter((rule) => known.has(rule) && !checks.some((check) => check.rule === rule))
    .map((rule) => ({ rule, reason: NOT_AT_ADMISSION.get(rule) ?? 'no admission check' }));
  return { checks, skipped, unknown };
}

export type { GeneratedDocument, PolicyOptions } from './options.js';
