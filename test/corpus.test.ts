// Real public manifests (shared/corpus/real-world): every document parses,
// valid input yields no errors, and the findings are stable. The snapshot is a
// regression guard: after an intended change, review the diff of
// test/corpus/findings.snapshot.json produced by `UPDATE_SNAPSHOTS=1 npm test`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { runRules } from './helpers/rule-tester.js';
import { manifestFiles, repoRoot, sharedDir } from './helpers/repo.js';

const CORPUS = join(sharedDir(), 'corpus', 'real-world');
const SNAPSHOT = join(repoRoot(), 'test', 'corpus', 'findings.snapshot.json');

// Corpus files that are not valid input, with the error Kubernetes' strict
// decoder would also give. Everything else must parse cleanly.
const KNOWN_INVALID: Record<string, string[]> = {
  // `selector` appears twice under spec (lines 6 and 12).
  'kubernetes-examples/_archived__openshift-origin__etcd-controller.yaml': ['12:3 yaml-duplicate-key'],
  'kubernetes-examples/_archived__openshift-origin__openshift-controller.yaml': ['12:3 yaml-duplicate-key'],
};


describe('real-world corpus', () => {
  const files = manifestFiles(CORPUS);

  it('has the corpus beside the repository', () => {
    assert.ok(files.length > 100, `expected the corpus at ${CORPUS}`);
  });

  it('parses every document without errors and keeps findings stable', () => {
    const snapshot: Record<string, string[]> = {};
    let documents = 0;
    for (const file of files) {
      const name = relative(CORPUS, file);
      const run = runRules(RULES, readFileSync(file, 'utf8'), { file: name });
      documents += run.documents;
      assert.deepEqual(run.errors.map((e) => `${e.line}:${e.column} ${e.code}`), KNOWN_INVALID[name] ?? [], `${name}: unexpected errors`);
      for (const finding of run.findings) {
        assert.ok(finding.line !== undefined && finding.column !== undefined, `${name}: finding without position`);
      }
      snapshot[name] = run.findings
        .map((f) => `${f.line}:${f.column} ${f.rule} ${f.object.kind}/${f.object.name}${f.container ? ` [${f.container}]` : ''} ${f.path}${f.exempted ? ' (exempted)' : ''}`)
        .sort();
    }
    assert.ok(documents > 200, `only ${documents} documents parsed`);
    if (process.env['UPDATE_SNAPSHOTS'] === '1' || !existsSync(SNAPSHOT)) {
      mkdirSync(join(repoRoot(), 'test', 'corpus'), { recursive: true });
      writeFileSync(SNAPSHOT, JSON.stringify(snapshot, null, 1) + '\n');
      if (process.env['UPDATE_SNAPSHOTS'] !== '1') assert.fail('snapshot was missing and has been written; review and commit it');
    }
    const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, string[]>;
    assert.deepEqual(snapshot, expected);
  });
});
