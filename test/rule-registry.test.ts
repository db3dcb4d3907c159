// Guard: every rule folder has its module, tests and fixtures, is registered,
// and its generated docs page is current (Polaris's hand-kept table drifted;
// ours cannot).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { ruleDocPage, rulesIndexPage } from '../src/report/rule-docs.js';
import { repoRoot } from './helpers/repo.js';

const RULES_DIR = join(repoRoot(), 'src', 'rules');
const DOCS_DIR = join(repoRoot(), 'docs', 'rules');

describe('rule registry', () => {
  const folders = readdirSync(RULES_DIR).filter((name) => statSync(join(RULES_DIR, name)).isDirectory()).sort();

  it('registers every rule folder exactly once, under its folder name', () => {
    assert.deepEqual(RULES.map((r) => r.id).sort(), folders);
    assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
  });

  for (const folder of folders) {
    it(`${folder} has rule.ts, rule.test.ts and pass/fail fixtures`, () => {
      for (const file of ['rule.ts', 'rule.test.ts', 'fixtures/pass.yaml', 'fixtures/fail.yaml']) {
        assert.ok(existsSync(join(RULES_DIR, folder, file)), `${folder}/${file} is missing`);
      }
    });
  }

  it('docs/rules is generated from the current rule metadata (run `npm run docs:rules`)', () => {
    for (const rule of RULES) {
      const file = join(DOCS_DIR, `${rule.id}.md`);
      assert.ok(existsSync(file), `docs/rules/${rule.id}.md is missing`);
      assert.equal(readFileSync(file, 'utf8'), ruleDocPage(rule), `docs/rules/${rule.id}.md is stale`);
    }
    assert.equal(readFileSync(join(DOCS_DIR, 'README.md'), 'utf8'), rulesIndexPage(RULES), 'docs/rules/README.md is stale');
    const pages = readdirSync(DOCS_DIR).filter((f) => f !== 'README.md').map((f) => f.replace(/\.md$/, '')).sort();
    assert.deepEqual(pages, RULES.map((r) => r.id).sort(), 'docs/rules has pages for rules that no longer exist');
  });
});
