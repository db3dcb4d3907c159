// Reports written piece by piece from findings that waited on disk must be
// byte for byte the reports built whole in memory, in every format.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditManifests, auditManifestStream } from '../src/app/audit.js';
import type { AuditOptions } from '../src/app/audit.js';
import { emptyConfig } from '../src/core/config.js';
import { FindingStore } from '../src/report/finding-store.js';
import { REPORT_FORMATS, loadRenderer, loadStreamRenderer } from '../src/report/index.js';
import { compareFindings } from '../src/report/model.js';
import { RULES } from '../src/rules/index.js';
import type { Finding } from '../src/core/types.js';
import { repoRoot, sharedDir } from './helpers/repo.js';

const options = (paths: string[], cwd: string): AuditOptions => ({
  paths, cwd, rules: RULES, config: emptyConfig(), failOn: 'error', today: '2026-01-01', version: '0.1.0',
});

function findingsDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('rootlock-findings-'));
}

/** Runs `body` with os.tmpdir() pointing at a folder of its own, so other test processes' files cannot be counted. */
async function withPrivateTmp<T>(body: () => Promise<T>): Promise<T> {
  const previous = process.env['TMPDIR'];
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-stream-tmp-'));
  process.env['TMPDIR'] = dir;
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('streamed reports', () => {
  it('equal the whole reports in every format when findings spill to disk', () => withPrivateTmp(async () => {
    const corpus = join(sharedDir(), 'corpus', 'real-world');
    // A file with an input error, an exempted finding and a notice, so every part of each format is written.
    const extra = mkdtempSync(join(tmpdir(), 'rootlock-stream-test-'));
    try {
      writeFileSync(join(extra, 'broken.yaml'), 'kind: Pod\napiVersion: v1\nmetadata: [\n');
      writeFileSync(join(extra, 'not-k8s.yaml'), 'hello: world\n');
      writeFileSync(join(extra, 'exempt.yaml'), [
        'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: exempt', '  annotations:',
        '    rootlock.dev/ignore: read-only-root-filesystem', '    rootlock.dev/ignore-reason: measured in a test',
        'spec:', '  containers:', '  - name: app', '    image: nginx:1.27', '',
      ].join('\n'));
      const paths = [corpus, join(repoRoot(), 'examples'), extra];
      const whole = await auditManifests(options(paths, repoRoot()));
      const before = findingsDirs();
      const streamed = await auditManifestStream({ ...options(paths, repoRoot()), findingsInMemory: 97 });
      assert.ok(whole.findings.length > 97 * 5, `enough findings to spill several runs (${whole.findings.length})`);
      assert.equal(findingsDirs().length, before.length + 1, 'the findings went to a temporary directory');
      assert.deepEqual(streamed.report.summary, whole.summary);
      assert.ok(whole.errors.length > 0 && whole.notices.length > 0 && whole.findings.some((f) => f.exempted));
      for (const format of REPORT_FORMATS) {
        const expected = (await loadRenderer(format))({ report: whole, rules: RULES, color: format === 'text' });
        let actual = '';
        for (const piece of (await loadStreamRenderer(format))({ report: streamed.report, findings: streamed.findings, rules: RULES, color: format === 'text' })) actual += piece;
        assert.equal(actual, expected, `${format} report`);
      }
      streamed.dispose();
      assert.deepEqual(findingsDirs(), before, 'dispose removes the temporary files');
    } finally {
      rmSync(extra, { recursive: true, force: true });
    }
  }));

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
