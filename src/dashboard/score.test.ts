import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../rules/index.js';
import { checklistItems, ScoreMean, workloadScore } from './score.js';
import { repoRoot } from '../../test/helpers/repo.js';

describe('the HTML report\'s score', () => {
  it('has the ten checklist items of the CKS study guide, weighted by severity', () => {
    const items = checklistItems(RULES);
    assert.equal(items.length, 10);
    assert.deepEqual(items.find((item) => item.rules.includes('drop-all-capabilities'))?.rules, ['drop-all-capabilities', 'no-added-capabilities']);
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    assert.equal(workloadScore(items, 0), 100);
    assert.equal(workloadScore(items, (1 << items.length) - 1), 0);
    assert.equal(workloadScore(items, 1), (100 * (total - (items[0]?.weight ?? 0))) / total);
    const mean = new ScoreMean();
    assert.equal(mean.value, undefined);
    [30.8, 30.8, 100].forEach((score) => mean.add(score));
    assert.equal(mean.value, 54);
  });

  it('docs/html-report.md lists the items, rules and weights the page uses', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'html-report.md'), 'utf8');
    for (const item of checklistItems(RULES)) {
      assert.ok(doc.includes(`| ${item.text} | ${item.rules.join(', ')} | ${item.weight} |`), `docs/html-report.md has a row for: ${item.text}`);
    }
  });
});
