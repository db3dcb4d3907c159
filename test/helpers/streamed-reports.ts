// Reports written piece by piece from findings that waited on disk must be
// byte for byte the reports built whole in memory, in every format: checked
// over the repository's corpus excerpts in npm test and over the whole corpus
// in the corpus suite.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditManifests, auditManifestStream } from '../../src/app/audit.js';
import type { AuditOptions } from '../../src/app/audit.js';
import { emptyConfig } from '../../src/core/config.js';
import { REPORT_FORMATS, loadRenderer, loadStreamRenderer } from '../../src/report/index.js';
import { RULES } from '../../src/rules/index.js';
import { repoRoot } from './repo.js';

export const auditOptions = (paths: string[], cwd: string): AuditOptions => ({
  paths, cwd, rules: RULES, config: emptyConfig(), failOn: 'error', today: '2026-01-01', version: '0.1.0',
});

export function findingsDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('rootlock-findings-'));
}

/** Runs `body` with os.tmpdir() pointing at a folder of its own, so other test processes' files cannot be counted. */
export async function withPrivateTmp<T>(body: () => Promise<T>): Promise<T> {
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

/** Audits `manifests`, examples/ and a few made-up files whole and streamed (spilling past `findingsInMemory`), and compares every format. */
export function checkStreamedReports(manifests: string, findingsInMemory: number): Promise<void> {
  return withPrivateTmp(async () => {
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
      const paths = [manifests, join(repoRoot(), 'examples'), extra];
      const whole = await auditManifests(auditOptions(paths, repoRoot()));
      const before = findingsDirs();
      const streamed = await auditManifestStream({ ...auditOptions(paths, repoRoot()), findingsInMemory });
      assert.ok(whole.findings.length > findingsInMemory * 5, `enough findings to spill several runs (${whole.findings.length})`);
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
  });
}
