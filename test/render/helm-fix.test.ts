// `rootlock fix --helm` on small charts written for it, with the real helm
// and kustomize: values with the usual names, values nested per component,
// settings a template writes itself (reported with file:line and patched by
// the post-renderer patch), and bad input that must stop the run with
// nothing written.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repo.js';
import { runCli } from '../helpers/cli.js';
import { proveHelmFix, runHelmFix } from '../helpers/helm-proof.js';
import type { HelmCase } from '../helpers/helm-proof.js';
import { renderTool } from './tools.js';

const helm = renderTool('helm');
const kustomize = renderTool('kustomize');
const charts = join(repoRoot(), 'test', 'fixtures', 'charts');
const scratchDirs: string[] = [];
after(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-helm-fix-'));
  scratchDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function chartCase(name: string, extra: Partial<HelmCase> = {}): HelmCase {
  return { chart: join(charts, name), cwd: scratch(), helm, kustomize, ...extra };
}

function changeOf(json: Awaited<ReturnType<typeof runHelmFix>>['json'], object: string, rule: string) {
  const change = json.objects.filter((o) => o.object.name === object).flatMap((o) => o.changes).find((c) => c.rule === rule);
  assert.ok(change, `${rule} on ${object} is planned`);
  return change;
}

describe('fix --helm on charts whose values carry the fixes', () => {
  it('finds the well-named values by rendering and proves the override', async () => {
    const json = await proveHelmFix(chartCase('named-values'));
    assert.deepEqual(changeOf(json, 'release-name-web', 'read-only-root-filesystem').values, ['securityContext.readOnlyRootFilesystem']);
    assert.deepEqual(changeOf(json, 'release-name-web', 'seccomp-profile').values, ['podSecurityContext.seccompProfile.type']);
    assert.deepEqual(changeOf(json, 'release-name-web', 'writable-paths-mounted').values, ['extraVolumes', 'extraVolumeMounts']);
    assert.equal(json.summary.needTemplate, 0);
    // The random password in the chart's Secret changes on every render and is not taken for an effect of a value.
    assert.ok(json.summary.byValues >= 5);
    assert.ok(json.summary.renders <= 8, `rendered ${json.summary.renders} times`);
  });

  it('with --default-limits the limits go into resources, and the user\'s values and --set are kept', async () => {
    const cwd = scratch({ 'my-values.yaml': 'image:\n  tag: "1.5.0"\n' });
    const json = await proveHelmFix({ ...chartCase('named-values'), cwd, values: ['my-values.yaml'], set: ['extraVolumeMounts=null'], releaseName: 'shop', fixFlags: ['--default-limits', 'cpu=500m,memory=256Mi'] });
    assert.deepEqual(changeOf(json, 'shop-web', 'resource-limits').values, ['resources.limits.cpu', 'resources.limits.memory']);
    const written = readFileSync(join(cwd, 'rootlock-values.yaml'), 'utf8');
    assert.match(written, /# rootlock: fixes resource-limits in Deployment shop-web \[web\]\n {4}cpu: 500m/);
  });

  it('finds values nested per component, and refuses a value that also changes another object', async () => {
    const json = await proveHelmFix(chartCase('components'));
    assert.deepEqual(changeOf(json, 'release-name-controller', 'read-only-root-filesystem').values, ['controller.containerSecurityContext.readOnlyRootFilesystem']);
    // server's template writes readOnlyRootFilesystem from its own value; setting it in containerSecurityContext too would duplicate the key.
    assert.deepEqual(changeOf(json, 'release-name-server', 'read-only-root-filesystem').values, ['server.readOnlyRootFilesystem']);
    assert.deepEqual(changeOf(json, 'release-name-server', 'writable-paths-mounted').values, ['server.volumes', 'server.volumeMounts']);
    // serviceAccount.automountServiceAccountToken reaches the server's pod, but it also changes the ServiceAccount: not a value to use.
    const token = changeOf(json, 'release-name-server', 'no-service-account-token-automount');
    assert.deepEqual(token.values, []);
    assert.match(token.needsTemplate?.template?.file ?? '', /components\/templates\/server\.yaml$/);
    assert.equal(token.needsTemplate?.template?.line, 15);
    assert.ok(!JSON.stringify(json.values).includes('serviceAccount'));
  });
});

describe('fix --helm on a chart that writes settings itself', () => {
  it('reports the template line, writes the post-renderer patch, and the patch completes the fix', async () => {
    const c = chartCase('hardcoded');
    const json = await proveHelmFix(c);
    const readOnly = changeOf(json, 'release-name-worker', 'read-only-root-filesystem');
    assert.deepEqual(readOnly.values, []);
    assert.match(readOnly.needsTemplate?.template?.file ?? '', /hardcoded\/templates\/worker\.yaml$/);
    assert.equal(readOnly.needsTemplate?.template?.line, 24);
    const mounts = changeOf(json, 'release-name-worker', 'writable-paths-mounted');
    // extraVolumes could carry the volume, but not its mount: half a fix is no fix, so both go to the patch.
    assert.deepEqual(mounts.values, []);
    assert.equal(mounts.needsTemplate?.edits.length, 2);
    assert.ok(!JSON.stringify(json.values).includes('extraVolumes'));
    const patch = readFileSync(join(c.cwd, 'rootlock-post-render-patch.yaml'), 'utf8');
    assert.match(patch, /- name: worker\n {10}securityContext:\n {12}readOnlyRootFilesystem: true/);
    assert.match(patch, /volumes:\n {8}- name: tmp\n {10}emptyDir: \{\}/);
  });

  it('prints a diff and the template lines by default, and writes nothing', async () => {
    const c = chartCase('hardcoded');
    const run = await runCli(['fix', '--helm', c.chart, '--helm-bin', helm], { cwd: c.cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^--- a\/rootlock-values.yaml\n\+\+\+ b\/rootlock-values.yaml/);
    assert.match(run.stderr, /template {2}read-only-root-filesystem \[worker\]: no value reaches .*worker\.yaml:24 \(readOnlyRootFilesystem\)/);
    assert.match(run.stderr, /helm rendered the chart \d+ times in/);
    assert.ok(!existsSync(join(c.cwd, 'rootlock-values.yaml')));
    const check = await runCli(['fix', '--helm', c.chart, '--helm-bin', helm, '--check', '--values-out', 'out/values.yaml'], { cwd: c.cwd });
    assert.equal(check.code, 1);
  });
});

describe('fix --helm on bad input', () => {
  it('a chart that does not render: helm\'s error with the template file', async () => {
    const c = chartCase('broken');
    const run = await runCli(['fix', '--helm', c.chart, '--helm-bin', helm, '--write'], { cwd: c.cwd });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /helm could not render the chart: .*broken\/templates\/pod\.yaml:4.*noSuchFunction/);
    assert.ok(!existsSync(join(c.cwd, 'rootlock-values.yaml')));
  });

  it('a values file that does not parse: file:line:column, before helm runs', async () => {
    const cwd = scratch({ 'bad.yaml': 'image:\n  tag: a: b\nresources: {}\n' });
    const run = await runCli(['fix', '--helm', join(charts, 'named-values'), '--values', 'bad.yaml', '--helm-bin', helm, '--write'], { cwd });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /rootlock: bad\.yaml:2:8: not valid YAML: Nested mappings/);
    assert.ok(!existsSync(join(cwd, 'rootlock-values.yaml')));
  });

  it('an override file that does not parse is left alone', async () => {
    const cwd = scratch({ 'rootlock-values.yaml': 'securityContext: [\n' });
    const run = await runCli(['fix', '--helm', join(charts, 'named-values'), '--helm-bin', helm, '--write'], { cwd });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /rootlock-values\.yaml:\d+:\d+: not valid YAML/);
    assert.equal(readFileSync(join(cwd, 'rootlock-values.yaml'), 'utf8'), 'securityContext: [\n');
  });

  it('a chart with no workloads', async () => {
    const c = chartCase('no-workloads');
    const run = await runCli(['fix', '--helm', c.chart, '--helm-bin', helm, '--write'], { cwd: c.cwd });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /renders no workloads/);
    assert.ok(!existsSync(join(c.cwd, 'rootlock-values.yaml')));
  });

  it('a missing helm binary and manifest paths next to --helm', async () => {
    const cwd = scratch();
    const missing = await runCli(['fix', '--helm', join(charts, 'named-values'), '--helm-bin', join(cwd, 'no-helm')], { cwd });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--helm-bin .*no-helm: not an executable file/);
    const paths = await runCli(['fix', 'k8s/', '--helm', join(charts, 'named-values'), '--helm-bin', helm], { cwd });
    assert.equal(paths.code, 2);
    assert.match(paths.stderr, /give no manifest paths/);
    const stray = await runCli(['fix', '--values', 'x.yaml', '.'], { cwd });
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /only apply with --helm/);
  });
});
