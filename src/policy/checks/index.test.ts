// Guard: every rule either has an admission check or says why it has none,
// and no check or reason names a rule that does not exist.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES, RULE_IDS } from '../../rules/index.js';
import { ADMISSION_CHECKS, NOT_AT_ADMISSION } from './index.js';

describe('admission checks cover the rule registry', () => {
  it('every rule has a check or a reason, never both', () => {
    for (const rule of RULES) {
      const checked = ADMISSION_CHECKS.some((check) => check.rule === rule.id);
      const reason = NOT_AT_ADMISSION.has(rule.id);
      assert.ok(checked !== reason, `${rule.id}: ${checked ? 'has both a check and a reason' : 'has neither a check nor a reason'}`);
    }
  });
  it('names only registered rules, each once', () => {
    for (const check of ADMISSION_CHECKS) assert.ok(RULE_IDS.has(check.rule), `check for unknown rule ${check.rule}`);
    for (const rule of NOT_AT_ADMISSION.keys()) assert.ok(RULE_IDS.has(rule), `reason for unknown rule ${rule}`);
    assert.equal(new Set(ADMISSION_CHECKS.map((c) => c.rule)).size, ADMISSION_CHECKS.length);
  });
});
