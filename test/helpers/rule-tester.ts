// RuleTester: runs one rule over YAML text or a fixture file through the same
// parser and engine as the CLI, so rule tests see exactly what users see.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/core/engine.js';
import { emptyConfig } from '../../src/core/config.js';
import type { RootlockConfig } from '../../src/core/config.js';
import type { RuleDefinition } from '../../src/core/rule.js';
import type { Finding, InputError, Notice } from '../../src/core/types.js';
import { parseManifests } from '../../src/input/kube-yaml.js';
import { RULES } from '../../src/rules/index.js';
import { repoRoot } from './repo.js';

export interface RuleRun {
  findings: Finding[];
  errors: InputError[];
  notices: Notice[];
  /** Number of documents parsed. */
  documents: number;
}

export function runRules(rules: readonly RuleDefinition[], text: string, options: { file?: string; config?: RootlockConfig; today?: string } = {}): RuleRun {
  const file = options.file ?? 'input.yaml';
  const engine = new Engine({ rules, config: options.config ?? emptyConfig(), today: options.today ?? '2026-01-01' });
  const parsed = parseManifests(text, file);
  const run: RuleRun = { findings: [], errors: [...parsed.errors], notices: [], documents: parsed.documents.length };
  for (const document of parsed.documents) {
    const result = engine.audit({ file, value: document.value, documentIndex: document.index, locate: document.locate, ...(document.helmSource ? { helmSource: document.helmSource } : {}) });
    run.findings.push(...result.findings);
    run.errors.push(...result.errors);
    run.notices.push(...result.notices);
  }
  const last = engine.finish();
  run.findings.push(...last.findings);
  run.notices.push(...last.notices);
  return run;
}

export function runRule(rule: RuleDefinition, text: string, options: { file?: string; config?: RootlockConfig; today?: string } = {}): RuleRun {
  return runRules([rule], text, options);
}

export function fixturePath(ruleId: string, name: string): string {
  return join(repoRoot(), 'src', 'rules', ruleId, 'fixtures', name);
}

/**
 * The standard fixture contract: every document in pass.yaml is clean; every
 * Kubernetes document in fail.yaml produces at least one finding of the rule.
 */
export function checkFixtures(rule: RuleDefinition): void {
  const pass = fixturePath(rule.id, 'pass.yaml');
  const fail = fixturePath(rule.id, 'fail.yaml');
  assert.ok(existsSync(pass), `${rule.id}: fixtures/pass.yaml is missing`);
  assert.ok(existsSync(fail), `${rule.id}: fixtures/fail.yaml is missing`);
  const passing = runRule(rule, readFileSync(pass, 'utf8'), { file: pass });
  assert.ok(passing.documents > 0, `${rule.id}: pass.yaml has no documents`);
  assert.deepEqual(passing.findings.filter((f) => !f.exempted).map((f) => `${f.object.name}: ${f.message}`), [], `${rule.id}: pass.yaml must be clean`);
  const failing = runRule(rule, readFileSync(fail, 'utf8'), { file: fail });
  assert.ok(failing.documents > 0, `${rule.id}: fail.yaml has no documents`);
  for (let index = 0; index < failing.documents; index++) {
    const hits = failing.findings.filter((f) => f.documentIndex === index && f.rule === rule.id);
    assert.ok(hits.length > 0, `${rule.id}: document ${index + 1} of fail.yaml produced no finding`);
    for (const hit of hits) {
      assert.ok(hit.line !== undefined && hit.column !== undefined, `${rule.id}: finding without position: ${hit.message}`);
    }
  }
}

/**
 * An info finding of a rule whose info findings ask no decision of anyone
 * (fixSafety.infoNeedsNoDecision: a path an image writes only in some
 * configurations, a capability the image needs): not what a fix claims to fix.
 */
export function informsOnly(finding: Pick<Finding, 'rule' | 'severity'>): boolean {
  return finding.severity === 'info' && RULES.find((rule) => rule.id === finding.rule)?.fixSafety?.infoNeedsNoDecision === true;
}
