// rootlock audit's verdict on one case, per rule: does the Engine report a
// finding that is not exempted (and that the admission form enforces)? This
// is the reference every engine is held to.
import { Engine } from '../../src/core/engine.js';
import { emptyConfig } from '../../src/core/config.js';
import { RULES } from '../../src/rules/index.js';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import type { PolicyCase } from './cases.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

/** Rule id -> true when rootlock reports a (non-exempted) finding. */
export function rootlockVerdicts(policyCase: PolicyCase, rules: readonly string[]): Map<string, boolean> {
  const config = emptyConfig();
  if (policyCase.exemptImages) {
    config.exemptions.push({ rules: '*', images: policyCase.exemptImages, reason: 'exempt image (policy parameter)', index: 0 });
  }
  const engine = new Engine({ rules: RULES.filter((rule) => rules.includes(rule.id)), config, today: '2026-01-01' });
  const result = engine.audit({ file: policyCase.name, value: policyCase.object });
  const findings = [...result.findings, ...engine.finish().findings];
  const enforced = (rule: string, severity: string): boolean => severity !== 'info' || !ADMISSION_CHECKS.find((check) => check.rule === rule)?.infoNotEnforced;
  return new Map(rules.map((rule) => [rule, findings.some((f) => f.rule === rule && !f.exempted && enforced(rule, f.severity))]));
}
