// `rootlock fix --kustomize` on small overlays (a base and an overlay with a
// name prefix, a namespace, its own patch and comments), with the real
// kustomize: the patches it writes make `kustomize build` give exactly what
// `rootlock fix` makes of the rendered output, audit clean of the fixed
// findings, a second run changes nothing, and bad input stops the run with
// nothing written.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repo.js';
import { runCli } from '../helpers/cli.js';
import { renderedObjects } from '../../src/render/rendered-objects.js';
import type { AuditReport } from '../../src/report/model.js';
import type { FixSummary } from '../../src/report/fix-summary.js';
import { renderTool } from './tools.js';

const kustomize = renderTool('kustomize');
const fixtures = join(repoRoot(), 'test', 'fixtures', 'kustomize');
const scratchDirs: string[] = [];
after(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of fixture `name` to change freely. */
function copy(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-kustomize-fix-'));
  scratchDirs.push(dir);
  cpSync(join(fixtures, name), dir, { recursive: true });
  return dir;
}

function build(dir: string): string {
  return execFileSync(kustomize, ['build', dir], { encoding: 'utf8' });
}

/** Every file under `dir` with its content, to prove nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

const fix = (cwd: string, args: string[]) => runCli(['fix', '--kustomize', 'overlay', '--kustomize-bin', kustomize, ...args], { cwd });

describe('fix --kustomize', () => {
  it('writes patches whose kustomize build equals the planner\'s result on the rendered output', async () => {
    const cwd = copy('shop');
    const original = readFileSync(join(cwd, 'overlay', 'kustomization.yaml'), 'utf8');
    const rendered = build(join(cwd, 'overlay'));
    const untouched = snapshot(cwd);

    const preview = await fix(cwd, []);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /\+\+\+ b\/overlay\/rootlock-patches\/deployment-web\.yaml/);
    assert.deepEqual(snapshot(cwd), untouched, 'the preview writes nothing');
    const check = await fix(cwd, ['--check']);
    assert.equal(check.code, 1, check.stderr);
    assert.deepEqual(snapshot(cwd), untouched, '--check writes nothing');

    const written = await fix(cwd, ['--write', '--format', 'json']);
    assert.equal(written.code, 0, written.stderr);
    const json = JSON.parse(written.stdout) as FixSummary & { kustomize: { patches: Array<{ file: string; type: string; target: { kind: string; name: string } }> } };
    // Counted in the overlay's files: the kustomization and the two new patches.
    assert.deepEqual([json.summary.files, json.summary.changedFiles], [3, 3]);
    assert.deepEqual(json.kustomize.patches.map((p) => [p.file, p.type, p.target.name]), [
      ['rootlock-patches/deployment-web.yaml', 'strategic-merge', 'web'],
      ['rootlock-patches/podtemplate-batch.yaml', 'json6902', 'batch'],
    ]);

    // The kustomization keeps every line the user wrote, comments and spacing included, in order.
    const kustomization = readFileSync(join(cwd, 'overlay', 'kustomization.yaml'), 'utf8');
    // The new entries are one block right after the overlay's own patch; every other byte is as it was.
    const anchor = original.indexOf('labels:');
    assert.equal(kustomization.slice(0, anchor), original.slice(0, anchor));
    assert.ok(kustomization.endsWith(original.slice(anchor)), kustomization);
    const added = kustomization.slice(anchor, kustomization.length - (original.length - anchor)).split('\n').filter((line) => line !== '');
    assert.ok(added.length > 0 && added.every((line) => /^(- path: rootlock-patches\/|  target:|    (group|version|kind|name):)/.test(line)), added.join('\n'));
    assert.match(kustomization, /namePrefix: prod- {3}# every name starts with prod-/);

    // kustomize build now gives what `rootlock fix` makes of the rendered output, object for object.
    const planned = await runCli(['fix', '-'], { cwd, stdin: rendered });
    const want = renderedObjects(planned.stdout, 'planned');
    const got = renderedObjects(build(join(cwd, 'overlay')), 'patched');
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, object] of want) assert.deepEqual(got.get(key)?.object, object.object, key);

    // audit finds none of the findings the run fixed (a finding is its rule, object, container and message).
    const fixed = new Set(json.files.flatMap((f) => f.objects.flatMap((o) => o.changes.map((c) => `${c.rule} ${o.object.name} ${c.container ?? ''} ${c.message}`))));
    assert.ok(fixed.size >= 10, `the run fixed ${fixed.size} findings`);
    const audit = await runCli(['audit', '-', '--format', 'json', '--fail-on', 'none'], { cwd, stdin: build(join(cwd, 'overlay')), allRules: true });
    const report = JSON.parse(audit.stdout) as AuditReport;
    assert.deepEqual(report.findings.map((f) => `${f.rule} ${f.object.name} ${f.container ?? ''} ${f.message}`).filter((f) => fixed.has(f)), []);

    // A second run has nothing to change.
    const after = snapshot(cwd);
    const again = await fix(cwd, ['--check']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const rewrite = await fix(cwd, ['--write']);
    assert.equal(rewrite.code, 0, rewrite.stderr);
    assert.deepEqual(snapshot(cwd), after);
  });

  it('starts a patches: list in a kustomization that has none', async () => {
    const cwd = copy('shop');
    writeFileSync(join(cwd, 'overlay', 'kustomization.yaml'), '# Staging.\nresources:\n  - ../base   # the shared base\n');
    const run = await fix(cwd, ['--write']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^fixed \d+ findings in 3 files;/m);
    assert.match(run.stderr, /\nfix --kustomize wrote:\n  overlay\/kustomization\.yaml: 2 entries added to patches:\n  overlay\/rootlock-patches\/deployment-web\.yaml: strategic merge patch for Deployment web\n/);
    const text = readFileSync(join(cwd, 'overlay', 'kustomization.yaml'), 'utf8');
    assert.ok(text.startsWith('# Staging.\nresources:\n  - ../base   # the shared base\npatches:\n  - path: rootlock-patches/deployment-web.yaml\n'), text);
    assert.equal((await fix(cwd, ['--check'])).code, 0);
  });

  it('reports bad input clearly and writes nothing', async () => {
    const cwd = copy('shop');
    const untouched = snapshot(cwd);
    const none = await runCli(['fix', '--kustomize', 'base/..', '--kustomize-bin', kustomize], { cwd });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no kustomization\.yaml, kustomization\.yml or Kustomization in this directory/);

    writeFileSync(join(cwd, 'overlay', 'kustomization.yaml'), 'resources:\n- ../base\npatches: [\n  - path: x.yaml\n');
    const broken = snapshot(cwd);
    const unparsable = await fix(cwd, ['--write']);
    assert.equal(unparsable.code, 2);
    assert.equal(unparsable.stderr, 'rootlock: overlay/kustomization.yaml:4:3: Block collections are not allowed within flow collections\n');
    assert.deepEqual(snapshot(cwd), broken);

    writeFileSync(join(cwd, 'overlay', 'kustomization.yaml'), 'resources:\n- ../base\npatches:\n  path: x.yaml\n');
    const notList = snapshot(cwd);
    const mapping = await fix(cwd, ['--write']);
    assert.equal(mapping.code, 2);
    assert.equal(mapping.stderr, 'rootlock: overlay/kustomization.yaml:4:3: patches: is not a list\n');
    assert.deepEqual(snapshot(cwd), notList);

    writeFileSync(join(cwd, 'overlay', 'kustomization.yaml'), 'resources:\n- ../base\n- missing.yaml\n');
    const failing = snapshot(cwd);
    const kustomizeError = await fix(cwd, ['--write']);
    assert.equal(kustomizeError.code, 2);
    assert.match(kustomizeError.stderr, /kustomize build .*missing\.yaml/);
    assert.deepEqual(snapshot(cwd), failing);

    const noTool = await runCli(['fix', '--kustomize', 'overlay', '--kustomize-bin', join(cwd, 'nope')], { cwd });
    assert.equal(noTool.code, 2);
    assert.match(noTool.stderr, /--kustomize-bin .*nope: not an executable file/);
    assert.ok(!existsSync(join(cwd, 'overlay', 'rootlock-patches')));
    void untouched;
  });
});
