// Reports written piece by piece from findings that waited on disk must be
// byte for byte the reports built whole in memory, in every format.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FindingStore } from '../src/report/finding-store.js';
import { compareFindings } from '../src/report/model.js';
import type { Finding } from '../src/core/types.js';
import { corpusExcerptsDir, repoRoot } from './helpers/repo.js';
import { checkStreamedReports, findingsDirs, withPrivateTmp } from './helpers/streamed-reports.js';

describe('streamed reports', () => {
  it('equal the whole reports in every format when findings spill to disk', () => checkStreamedReports(corpusExcerptsDir(), 17));

  it('merges runs as a stable sort would, ties in the order added', () => {
    const store = new FindingStore(3);
    const added: Finding[] = [];
    const files = ['b.yaml', 'a.yaml', 'c.yaml'];
    for (let i = 0; i < 40; i++) {
      const finding: Finding = {
        rule: i % 2 ? 'run-as-non-root' : 'read-only-root-filesystem', severity: 'error', message: `m${i} ünïcode`, hint: 'h',
        file: files[i % 3] as string, line: (i * 7) % 5, column: 1, object: { apiVersion: 'v1', kind: 'Pod', name: `p${i}` },
        path: 'spec', fixable: false, exempted: false,
      };
      added.push(finding);
      store.add(finding);
    }
    const sorted = store.sorted();
    assert.equal(sorted.count, 40);
    const expected = [...added].sort(compareFindings).map((f) => f.message);
    assert.deepEqual([...sorted].map((f) => f.message), expected);
    assert.deepEqual([...sorted].map((f) => f.message), expected, 'readable again');
    store.dispose();
  });

  it('writes --output atomically and removes the findings files', () => withPrivateTmp(async () => {
    const { runCli } = await import('./helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-stream-cli-'));
    try {
      const before = findingsDirs();
      const run = await runCli(['audit', join(repoRoot(), 'examples'), '--format', 'json', '-o', join(dir, 'report.json')], { cwd: dir });
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { findings: unknown[] };
      assert.ok(report.findings.length > 0);
      assert.deepEqual(readdirSync(dir), ['report.json'], 'no temporary file is left beside the report');
      assert.deepEqual(findingsDirs(), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));
});
