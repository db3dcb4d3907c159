// Guard: every rule folder keeps its whole contract (check, tests, fixtures,
// admission form or the reason for none, fix safety, enforcement), is
// registered, is the only place that names its rule, and its generated docs
// page is current (Polaris's hand-kept table drifted; ours cannot).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { defineRule } from '../src/core/rule.js';
import { hasAdmissionForm } from '../src/core/admission.js';
import type { AdmissionLoader } from '../src/core/admission.js';
import type { RuleDefinition } from '../src/core/rule.js';
import { ruleDocPage, rulesIndexPage } from '../src/report/rule-docs.js';
import { loadAdmissionChecks } from '../src/policy/admission-checks.js';
import { repoRoot } from './helpers/repo.js';
import { contractProblems, idsNamedOutsideTheirFolder, readRuleFolder } from './helpers/rule-contract.js';

const RULES_DIR = join(repoRoot(), 'src', 'rules');
const DOCS_DIR = join(repoRoot(), 'docs', 'rules');

describe('rule registry', () => {
  const folders = readdirSync(RULES_DIR).filter((name) => statSync(join(RULES_DIR, name)).isDirectory()).sort();

  it('registers every rule folder exactly once, under its folder name', () => {
    assert.deepEqual(RULES.map((r) => r.id).sort(), folders);
    assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
  });

  for (const folder of folders) {
    it(`${folder} keeps the contract of a rule folder`, async () => {
      const rule = RULES.find((r) => r.id === folder);
      assert.ok(rule, `${folder} is not registered in src/rules/index.ts`);
      const form = hasAdmissionForm(rule.admission) ? (await rule.admission()).default : undefined;
      assert.deepEqual(contractProblems(rule, readRuleFolder(RULES_DIR, folder, form)), []);
    });
  }

  it('the contract check reports each part a rule folder lacks', async () => {
    const complete = RULES.find((r) => r.id === 'read-only-root-filesystem') as RuleDefinition;
    const form = (await (complete.admission as AdmissionLoader)()).default;
    const folder = readRuleFolder(RULES_DIR, complete.id, form);
    assert.deepEqual(contractProblems(complete, folder), []);
    const without = (file: string) => ({ ...folder, files: new Set([...folder.files].filter((f) => f !== file)) });
    const broken: Array<[string, RuleDefinition, ReturnType<typeof readRuleFolder>, RegExp]> = [
      ['no test', complete, without('rule.test.ts'), /rule\.test\.ts is missing/],
      ['no fail fixture', complete, without('fixtures/fail.yaml'), /fail\.yaml is missing/],
      ['no fixed fixture for a fixable rule', complete, without('fixtures/fixed.yaml'), /fixed\.yaml is missing/],
      ['no admission.ts for its form', complete, without('admission.ts'), /admission\.ts is missing/],
      ['an admission form without CEL', complete, { ...folder, admissionForm: { ...form, celOk: '' } }, /needs a message, Rego and CEL/],
      ['neither form nor reason', { ...complete, admission: undefined } as unknown as RuleDefinition, folder, /no admission form/],
      ['a reason left empty', { ...complete, admission: { none: ' ' } }, without('admission.ts'), /without saying why/],
      ['no enforcement', { ...complete, enforcement: undefined } as unknown as RuleDefinition, folder, /enforcement must be deny or warn/],
      ['not fixable, no reason for a person', { ...complete, fixable: false }, folder, /fixSafety\.manualReason/],
      ['an opt-in without a fix', { ...complete, fixable: false, fixSafety: { optIn: 'x', manualReason: 'y' } }, folder, /opt-in fix for a rule that offers no fix/],
      ['an id that is not the folder', defineRule({ ...complete, id: 'other-name' }), folder, /the id must be the folder's name/],
    ];
    for (const [what, rule, brokenFolder, expected] of broken) {
      assert.match(contractProblems(rule, brokenFolder).join('\n'), expected, what);
    }
  });

  it('no product source outside a rule folder names the rule by its id', () => {
    const ids = RULES.map((r) => r.id);
    assert.deepEqual(idsNamedOutsideTheirFolder(join(repoRoot(), 'src'), ids), []);
    // The scan sees such a literal where there is one, and allows it inside the rule's own folder.
    const tree = mkdtempSync(join(tmpdir(), 'rootlock-ids-'));
    try {
      mkdirSync(join(tree, 'fix'));
      mkdirSync(join(tree, 'rules', 'no-privileged'), { recursive: true });
      writeFileSync(join(tree, 'fix', 'plan.ts'), "if (finding.rule === 'no-privileged') skip();\n");
      writeFileSync(join(tree, 'rules', 'no-privileged', 'rule.ts'), "export default defineRule({ id: 'no-privileged' });\n");
      assert.deepEqual(idsNamedOutsideTheirFolder(tree, ids), ["src/fix/plan.ts: 'no-privileged'"]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('docs/rules is generated from the current rule metadata (run `npm run docs:rules`)', async () => {
    const checks = await loadAdmissionChecks();
    for (const rule of RULES) {
      const file = join(DOCS_DIR, `${rule.id}.md`);
      assert.ok(existsSync(file), `docs/rules/${rule.id}.md is missing`);
      assert.equal(readFileSync(file, 'utf8'), ruleDocPage(rule, checks), `docs/rules/${rule.id}.md is stale`);
    }
    assert.equal(readFileSync(join(DOCS_DIR, 'README.md'), 'utf8'), rulesIndexPage(RULES), 'docs/rules/README.md is stale');
    const pages = readdirSync(DOCS_DIR).filter((f) => f !== 'README.md').map((f) => f.replace(/\.md$/, '')).sort();
    assert.deepEqual(pages, RULES.map((r) => r.id).sort(), 'docs/rules has pages for rules that no longer exist');
  });
});
