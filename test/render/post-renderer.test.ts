// `rootlock fix --post-renderer` as Helm 4 runs it: the plugin in
// deploy/helm-plugin, found through a temporary HELM_PLUGINS, with the real
// helm. Its output is what `rootlock fix -` makes of the rendered chart, and
// audit finds none of the findings it fixed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repo.js';
import { runCli } from '../helpers/cli.js';
import type { AuditReport } from '../../src/report/model.js';
import { renderedObjects } from '../../src/render/rendered-objects.js';
import { renderTool } from './tools.js';

const helm = renderTool('helm');
const scratch = mkdtempSync(join(tmpdir(), 'rootlock-post-renderer-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('fix --post-renderer', () => {
  it('is a Helm 4 post-renderer plugin whose output is the fixed chart', async () => {
    const plugins = join(scratch, 'plugins');
    const bin = join(scratch, 'bin');
    mkdirSync(plugins);
    mkdirSync(bin);
    symlinkSync(join(repoRoot(), 'deploy', 'helm-plugin'), join(plugins, 'rootlock'));
    // As npm installs it: `rootlock` on PATH.
    symlinkSync(join(repoRoot(), 'bin', 'rootlock.js'), join(bin, 'rootlock'));
    const env = { ...process.env, HELM_PLUGINS: plugins, HELM_CONFIG_HOME: join(scratch, 'config'), HELM_CACHE_HOME: join(scratch, 'cache'), HELM_DATA_HOME: join(scratch, 'data'), PATH: `${bin}:${process.env['PATH'] ?? ''}` };
    execFileSync(helm, ['create', join(scratch, 'chart')], { env });
    const rendered = execFileSync(helm, ['template', 'web', join(scratch, 'chart')], { env, encoding: 'utf8' });
    const fixed = execFileSync(helm, ['template', 'web', join(scratch, 'chart'), '--post-renderer', 'rootlock'], { env, encoding: 'utf8' });

    const planned = await runCli(['fix', '-'], { cwd: scratch, stdin: rendered });
    // Helm re-serializes what the post-renderer returns, so objects are compared, not text.
    const want = renderedObjects(planned.stdout, 'planned');
    const got = renderedObjects(fixed, 'post-rendered');
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, object] of want) assert.deepEqual(got.get(key)?.object, object.object, key);
    const audit = await runCli(['audit', '-', '--format', 'json', '--fail-on', 'none'], { cwd: scratch, stdin: fixed, allRules: true });
    const report = JSON.parse(audit.stdout) as AuditReport;
    assert.deepEqual(report.findings.filter((f) => f.rule === 'read-only-root-filesystem').map((f) => f.object.name), []);

    // Standard output is the manifests only; exit 0 although it fixed things; unreadable input fails.
    const direct = await runCli(['fix', '--post-renderer'], { cwd: scratch, stdin: rendered });
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(direct.stdout, planned.stdout);
    assert.match(direct.stderr, /fixed \d+ findings? in the manifests written to standard output/);
    const broken = await runCli(['fix', '--post-renderer'], { cwd: scratch, stdin: 'kind: [\n' });
    assert.notEqual(broken.code, 0);
  });
});
