// Per-rule fixture pairs: for every fixable rule, `rootlock fix --rules <id>`
// turns fixtures/fail.yaml into fixtures/fixed.yaml exactly, and fixing
// fixed.yaml changes nothing. Regenerate after an intended change with
// `UPDATE_FIXTURES=1 npm test` and review the diff of the fixed.yaml files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { emptyConfig } from '../src/core/config.js';
import { fixManifests } from '../src/app/fix.js';
import type { RuleDefinition } from '../src/core/rule.js';
import { repoRoot } from './helpers/repo.js';

async function fixWith(rule: RuleDefinition, path: string): Promise<{ text: string; errors: string[] }> {
  const run = await fixManifests({ paths: [path], cwd: repoRoot(), rules: [rule], explicitRules: new Set([rule.id]), config: emptyConfig(), today: '2026-06-01' });
  return { text: run.files[0]?.after ?? '', errors: run.errors.map((e) => `${e.line}:${e.column} ${e.message}`) };
}

describe('fixable rules: fail.yaml -> fixed.yaml', () => {
  for (const rule of RULES.filter((r) => r.fixable)) {
    it(rule.id, async () => {
      const dir = join(repoRoot(), 'src', 'rules', rule.id, 'fixtures');
      const fixedPath = join(dir, 'fixed.yaml');
      const fixed = await fixWith(rule, join(dir, 'fail.yaml'));
      assert.deepEqual(fixed.errors, []);
      if (process.env['UPDATE_FIXTURES'] === '1') {
        // A run that rewrites what it compares against proves nothing: it writes, then fails.
        writeFileSync(fixedPath, fixed.text);
        assert.fail(`${rule.id}: fixtures updated, run again (review the diff of fixtures/fixed.yaml first)`);
      }
      assert.ok(existsSync(fixedPath), `${rule.id}: fixtures/fixed.yaml is missing (UPDATE_FIXTURES=1 npm test writes it; review it)`);
      assert.equal(fixed.text, readFileSync(fixedPath, 'utf8'));
      assert.notEqual(fixed.text, readFileSync(join(dir, 'fail.yaml'), 'utf8'), 'the fix must change fail.yaml');
      const again = await fixWith(rule, fixedPath);
      assert.equal(again.text, fixed.text, 'fixing fixed.yaml must change nothing');
    });
  }
});
