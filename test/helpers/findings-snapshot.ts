// Real public manifests: every document parses, valid input yields no errors,
// every finding has a position, and the findings are stable. The snapshot is
// a regression guard: after an intended change, `UPDATE_SNAPSHOTS=1` rewrites
// it (and fails, so the run that wrote it never counts as a pass); review its diff.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { RULES } from '../../src/rules/index.js';
import { runRules } from './rule-tester.js';
import { manifestFiles } from './repo.js';

/** Files that are not valid input, with the errors Kubernetes' strict decoder would also give. */
export const KNOWN_INVALID: Readonly<Record<string, readonly string[]>> = {
  // `selector` appears twice under spec (lines 6 and 12).
  'kubernetes-examples/_archived__openshift-origin__etcd-controller.yaml': ['12:3 yaml-duplicate-key'],
  'kubernetes-examples/_archived__openshift-origin__openshift-controller.yaml': ['12:3 yaml-duplicate-key'],
};

export function checkFindingsSnapshot(dir: string, snapshotFile: string, minimum: { files: number; documents: number }): void {
  const files = manifestFiles(dir);
  assert.ok(files.length >= minimum.files, `expected at least ${minimum.files} manifest files under ${dir}, found ${files.length}`);
  const snapshot: Record<string, string[]> = {};
  let documents = 0;
  for (const file of files) {
    const name = relative(dir, file);
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
  assert.ok(documents >= minimum.documents, `only ${documents} documents parsed`);
  if (process.env['UPDATE_SNAPSHOTS'] === '1' || !existsSync(snapshotFile)) {
    writeFileSync(snapshotFile, JSON.stringify(snapshot, null, 1) + '\n');
    assert.fail(`${relative(process.cwd(), snapshotFile)}: fixtures updated, run again (review the diff first)`);
  }
  const expected = JSON.parse(readFileSync(snapshotFile, 'utf8')) as Record<string, string[]>;
  assert.deepEqual(snapshot, expected);
}
