// The proof a `rootlock fix --helm` run must pass, on the real helm (and
// kustomize for the post-renderer patch): the chart rendered with the user's
// values plus the override file audits clean of every finding the values fix,
// its objects equal what `rootlock fix` makes of the plain rendered output at
// every field the values reach, the patch on top gives exactly that output,
// and a second run adds nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { editPrefix, flattenObject, underPrefix, describeLeaf } from '../../src/render/object-diff.js';
import { renderedObjects, volatileLeaves, objectKeyOf } from '../../src/render/rendered-objects.js';
import type { RenderedObject } from '../../src/render/rendered-objects.js';
import type { Edit, ObjectReference } from '../../src/core/types.js';
import type { AuditReport } from '../../src/report/model.js';

export interface HelmRunJson {
  mode: string;
  summary: { byValues: number; needTemplate: number; needsHuman: number; renders: number; probeRenders: number; candidateRenders: number; seconds: number };
  files: Array<{ file: string; changed: boolean }>;
  objects: Array<{ object: ObjectReference; changes: Array<{ rule: string; container?: string; edits: Edit[]; values: string[]; needsTemplate?: { edits: Edit[]; template?: { file: string; line?: number } } }> }>;
  values: Record<string, unknown>;
}

export interface HelmCase {
  chart: string;
  /** --values files, relative to `cwd`. */
  values?: string[];
  set?: string[];
  releaseName?: string;
  /** Extra fix flags (e.g. --default-limits). */
  fixFlags?: string[];
  /** A scratch folder the override and patch files are written in. */
  cwd: string;
  helm: string;
  kustomize: string;
}

function helmArgs(c: HelmCase): string[] {
  return [...(c.values ?? []).flatMap((v) => ['--values', v]), ...(c.set ?? []).flatMap((s) => ['--set', s]), ...(c.releaseName ? ['--release-name', c.releaseName] : [])];
}

function template(c: HelmCase, extra: string[] = []): string {
  const args = ['template', ...(c.releaseName ? [c.releaseName] : []), c.chart, ...(c.values ?? []).flatMap((v) => ['--values', v]), ...extra, ...(c.set ?? []).flatMap((s) => ['--set', s])];
  return execFileSync(c.helm, args, { cwd: c.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export async function runHelmFix(c: HelmCase, extra: string[]): Promise<{ code: number; json: HelmRunJson; stderr: string }> {
  const run = await runCli(['fix', '--helm', c.chart, ...helmArgs(c), '--helm-bin', c.helm, '--format', 'json', ...(c.fixFlags ?? []), ...extra], { cwd: c.cwd });
  let json: HelmRunJson;
  try {
    json = JSON.parse(run.stdout) as HelmRunJson;
  } catch {
    throw new Error(`fix --helm printed no JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, json, stderr: run.stderr };
}

function label(ref: ObjectReference): string {
  return `${ref.kind}/${ref.name}`;
}

/** Writes the override and the patch, then checks everything the proof asks; returns the run's summary. */
export async function proveHelmFix(c: HelmCase): Promise<HelmRunJson> {
  const first = await runHelmFix(c, ['--write', '--post-render-patch']);
  assert.equal(first.code, 0, first.stderr);
  const baselineText = template(c);
  const planned = await runCli(['fix', '-', ...(c.fixFlags ?? [])], { cwd: c.cwd, stdin: baselineText });
  assert.ok(planned.code === 0 || planned.code === 1, planned.stderr);
  const baseline = renderedObjects(baselineText, 'baseline');
  const volatile = volatileLeaves(baseline, renderedObjects(template(c), 'baseline again'));
  const target = renderedObjects(planned.stdout, 'planned');
  const valuesFile = join(c.cwd, 'rootlock-values.yaml');
  const finalText = template(c, existsSync(valuesFile) ? ['--values', valuesFile] : []);
  const final = renderedObjects(finalText, 'with the override');

  // 1. audit clean of every finding the values fix.
  const audit = await runCli(['audit', '-', '--format', 'json', '--fail-on', 'none'], { cwd: c.cwd, stdin: finalText, allRules: true });
  // A finding the planned output has too (an info the planner leaves alone) is not one the values were to fix.
  const plannedAudit = await runCli(['audit', '-', '--format', 'json', '--fail-on', 'none'], { cwd: c.cwd, stdin: planned.stdout, allRules: true });
  const findingKey = (f: AuditReport['findings'][number]): string => `${f.rule}|${f.object.kind}/${f.object.name}|${f.container ?? ''}|${f.message}`;
  const stays = new Set((JSON.parse(plannedAudit.stdout) as AuditReport).findings.map(findingKey));
  const report = JSON.parse(audit.stdout) as AuditReport;
  const left = new Set(report.findings.filter((f) => !stays.has(findingKey(f))).map((f) => `${f.rule}|${f.object.kind}/${f.object.name}|${f.container ?? ''}`));
  for (const object of first.json.objects) for (const change of object.changes) {
    if (change.needsTemplate) continue;
    assert.ok(!left.has(`${change.rule}|${label(object.object)}|${change.container ?? ''}`), `${change.rule} on ${label(object.object)} [${change.container ?? ''}] is still found with the override`);
  }

  // 2. every field the values reach equals the planner's result; nothing else changed.
  const same = (a: RenderedObject, b: RenderedObject, key: string, prefix?: string): string[] => {
    const noisy = volatile.get(key);
    const keys = new Set([...a.leaves.keys(), ...b.leaves.keys()]);
    return [...keys].filter((leaf) => (prefix === undefined || underPrefix(leaf, prefix)) && !noisy?.has(leaf) && a.leaves.get(leaf) !== b.leaves.get(leaf)).map(describeLeaf);
  };
  for (const object of first.json.objects) {
    const key = objectKeyOf(object.object);
    const planned = target.get(key);
    const got = final.get(key);
    assert.ok(planned && got, `${label(object.object)} is rendered`);
    for (const change of object.changes) {
      const reached = change.edits.filter((edit) => !change.needsTemplate?.edits.some((e) => JSON.stringify(e) === JSON.stringify(edit)));
      for (const edit of reached) {
        const diff = same(got, planned, key, editPrefix(planned.object, edit));
        assert.deepEqual(diff, [], `${label(object.object)}: ${change.rule} ${edit.path.join('.')} differs from the planned result`);
      }
    }
  }

  // 3. the post-renderer patch on top gives exactly the planned output.
  const patchFile = join(c.cwd, 'rootlock-post-render-patch.yaml');
  let patched = final;
  if (existsSync(patchFile)) {
    const dir = join(c.cwd, 'post-render');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'all.yaml'), finalText);
    writeFileSync(join(dir, 'patch.yaml'), readFileSync(patchFile, 'utf8'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - all.yaml\npatches:\n  - path: patch.yaml\n');
    patched = renderedObjects(execFileSync(c.kustomize, ['build', dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }), 'post-rendered');
  }
  for (const [key, planned] of target) {
    const got = patched.get(key);
    assert.ok(got, `${key} is in the post-rendered output`);
    if (JSON.stringify([...planned.leaves]) === JSON.stringify([...(baseline.get(key)?.leaves ?? [])])) continue;
    assert.deepEqual(same(got, { ...planned, leaves: flattenObject(planned.object) }, key), [], `${key}: values plus patch differ from the planned result`);
  }

  // 4. fixing twice changes nothing: with the override applied there is nothing to add, and without it the same file comes out.
  const before = existsSync(valuesFile) ? readFileSync(valuesFile, 'utf8') : undefined;
  const again = await runHelmFix({ ...c, values: [...(c.values ?? []), ...(before !== undefined ? ['rootlock-values.yaml'] : [])] }, ['--check', '--post-render-patch']);
  assert.equal(again.code, 0, `a second run with the override applied would still change something: ${again.stderr}`);
  if (before !== undefined) {
    const rerun = await runHelmFix(c, ['--check']);
    assert.equal(rerun.code, 0, `a second run without it would rewrite rootlock-values.yaml: ${JSON.stringify(rerun.json.files)}`);
  }
  return first.json;
}
