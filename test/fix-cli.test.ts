// `rootlock fix` from the command line with every rule: the pipeline from
// standard input, Helm attribution, the JSON summary, and that audit agrees
// after --write.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';
import { repoRoot } from './helpers/repo.js';
import { informsOnly } from './helpers/rule-tester.js';

const scratch = mkdtempSync(join(tmpdir(), 'rootlock-fix-cli-all-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    cwd: scratch,
    today: '2026-06-01',
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  };
  return { code: await main(args, io), stdout, stderr };
}

const HELM = `---
# Source: shop/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.25
`;

describe('rootlock fix (all rules)', () => {
  it('fixes standard input to standard output and names the Helm template the change belongs in', async () => {
    const result = await cli(['fix', '--no-config', '-'], HELM);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /readOnlyRootFilesystem: true/);
    assert.match(result.stdout, /^# Source: shop\/templates\/web.yaml$/m);
    assert.match(result.stderr, /rendered from shop\/templates\/web.yaml: make these changes in that chart template/);
    const again = await cli(['fix', '--no-config', '--check', '-'], result.stdout);
    assert.equal(again.stdout, result.stdout, 'fixing the fixed output changes nothing');
  });

  it('prints a JSON summary with each change, what needs a human and why, and the diff', async () => {
    const result = await cli(['fix', '--no-config', '--format', 'json', '-'], HELM);
    const summary = JSON.parse(result.stderr) as { version: number; summary: { changes: number; needsHuman: number }; files: Array<{ objects: Array<{ helmSource: string; changes: Array<{ rule: string; edits: unknown[] }>; needsHuman: Array<{ rule: string; why: string }> }> }> };
    assert.equal(summary.version, 1);
    const object = summary.files[0]?.objects[0];
    assert.equal(object?.helmSource, 'shop/templates/web.yaml');
    assert.ok(object?.changes.some((c) => c.rule === 'writable-paths-mounted' && c.edits.length === 6));
    assert.ok(object?.needsHuman.some((h) => h.rule === 'resource-limits' && /--default-limits/.test(h.why)));
    assert.equal(summary.summary.changes, object?.changes.length);
  });

  it('after --write, audit no longer reports what fix fixed', async () => {
    const dir = join(scratch, 'examples');
    cpSync(join(repoRoot(), 'examples'), dir, { recursive: true });
    const fixed = await cli(['fix', '--no-config', '--write', '--format', 'json', 'examples']);
    assert.equal(fixed.code, 0);
    const summary = JSON.parse(fixed.stdout) as { files: Array<{ objects: Array<{ object: { name: string }; changes: Array<{ rule: string; container?: string }>; needsHuman: Array<{ rule: string; container?: string }> }> }> };
    const audit = await cli(['audit', '--no-config', '--format', 'json', 'examples']);
    const report = JSON.parse(audit.stdout) as { findings: Array<{ rule: string; severity: 'error' | 'warning' | 'info'; container?: string; object: { name: string }; exempted: boolean }> };
    const human = new Set(summary.files.flatMap((f) => f.objects.flatMap((o) => o.needsHuman.map((h) => `${o.object.name}|${h.rule}|${h.container ?? ''}`))));
    const claims = new Set(summary.files.flatMap((f) => f.objects.flatMap((o) => o.changes.map((c) => `${o.object.name}|${c.rule}|${c.container ?? ''}`))).filter((k) => !human.has(k)));
    assert.ok(claims.size > 5);
    // Info that asks nothing (a path the image writes only in some configurations) is not what the fix claims.
    assert.deepEqual(report.findings.filter((f) => !f.exempted && !informsOnly(f) && claims.has(`${f.object.name}|${f.rule}|${f.container ?? ''}`)), []);
    assert.match(readFileSync(join(dir, 'web.yaml'), 'utf8'), /mountPath: \/var\/cache\/nginx/);
    assert.match(readFileSync(join(dir, 'web.yaml'), 'utf8'), /^# A typical first deployment/, 'comments survive');
  });

  it('rejects malformed flag values with exit 2', async () => {
    assert.equal((await cli(['fix', '--no-config', '--default-limits', 'cpu', 'x.yaml'])).code, 2);
    assert.equal((await cli(['fix', '--no-config', '--memory-tmp', 'lots', 'x.yaml'])).code, 2);
    assert.equal((await cli(['fix', '--no-config', '--raise-memory-limit', 'x.yaml'])).code, 2);
  });
});
