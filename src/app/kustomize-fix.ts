// `rootlock fix --kustomize DIR`: renders the overlay with the user's
// kustomize, plans the fixes on the rendered objects exactly as `fix` does for
// files, and turns each fixed object's change into a patch file in the overlay,
// listed under its kustomization's `patches:`. Nothing is written here: the
// command decides.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { InputError } from '../core/types.js';
import type { ObjectPlan } from '../fix/plan.js';
import { minimalEdits } from '../fix/minimal-edits.js';
import { resolveTool, runTool } from '../render/external-tool.js';
import { readKustomization, withPatches } from '../render/kustomization-file.js';
import { kustomizePatch } from '../render/kustomize-patch.js';
import type { KustomizePatch } from '../render/kustomize-patch.js';
import { objectKeyOf, renderedObjects } from '../render/rendered-objects.js';
import { fixManifests } from './fix.js';
import type { FixRunOptions } from './fix.js';

/** Where the patch files go, inside the overlay (kustomize loads only files under the kustomization's root). */
export const PATCH_DIR = 'rootlock-patches';

export interface KustomizeFixOptions extends Omit<FixRunOptions, 'paths' | 'stdin' | 'pinImages'> {
  /** The overlay directory, as given. */
  dir: string;
  kustomizeBin?: string;
}

export interface KustomizeFixFile {
  /** Relative to cwd. */
  file: string;
  before: string;
  after: string;
}

export interface KustomizeFixRun {
  /** The kustomization file and one new patch file per fixed object. */
  files: KustomizeFixFile[];
  objects: ObjectPlan[];
  patches: Array<KustomizePatch & { file: string }>;
  errors: InputError[];
}

/** A name safe as a file name: what kustomize names objects with, anything else replaced. */
function fileSafe(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
}

/** The object's name before the overlay's own namePrefix/nameSuffix, which kustomize applies after its patches. */
function nameInOverlay(name: string, prefix: string, suffix: string): string {
  let out = name;
  if (prefix && out.startsWith(prefix)) out = out.slice(prefix.length);
  if (suffix && out.endsWith(suffix)) out = out.slice(0, out.length - suffix.length);
  return out;
}

export async function fixKustomization(options: KustomizeFixOptions): Promise<KustomizeFixRun> {
  const dir = resolve(options.cwd, options.dir);
  const kustomization = readKustomization(dir, options.dir);
  const binary = resolveTool('kustomize', options.kustomizeBin);
  const rendered = await runTool(binary, ['build', dir], { cwd: options.cwd });
  const label = `kustomize build ${options.dir}`;
  const { dir: _dir, kustomizeBin: _bin, ...planOptions } = options;
  const run = await fixManifests({ ...planOptions, paths: ['-'], stdin: Readable.from([rendered]) });
  const fixed = run.files[0];
  const out: KustomizeFixRun = { files: [], objects: fixed?.objects ?? [], patches: [], errors: run.errors.map((e) => ({ ...e, file: e.file === '-' ? label : e.file })) };
  if (!fixed || fixed.after === fixed.before || out.errors.length) return out;

  const before = renderedObjects(rendered, label);
  const after = renderedObjects(fixed.after, label);
  const taken = new Set([...kustomization.patchPaths]);
  const entries: Array<{ path: string; target: KustomizePatch['target'] }> = [];
  for (const plan of fixed.objects) {
    if (!plan.changes.length) continue;
    const key = objectKeyOf(plan.object);
    const was = before.get(key);
    const now = after.get(key);
    if (!was || !now) continue;
    const edits = minimalEdits(was.object, now.object);
    if (!edits.length) continue;
    const targetName = nameInOverlay(plan.object.name, kustomization.namePrefix, kustomization.nameSuffix);
    const patch = kustomizePatch(plan.object, targetName, was.object, now.object, edits);
    // A later run that fixes more of the same object adds a second file rather than rewriting the first.
    const stem = `${PATCH_DIR}/${fileSafe(plan.object.kind)}-${fileSafe(targetName)}`;
    let path = `${stem}.yaml`;
    for (let n = 2; taken.has(path) || existsSync(join(dir, path)); n++) path = `${stem}-${n}.yaml`;
    taken.add(path);
    const rules = [...new Set(plan.changes.map((c) => c.rule))].join(', ');
    const kind = patch.type === 'strategic-merge' ? 'Strategic merge patch' : 'JSON 6902 patch';
    const text = `# ${kind} written by rootlock fix --kustomize for ${plan.object.kind} ${plan.object.name}: ${rules}.\n${patch.text}`;
    out.patches.push({ ...patch, file: path });
    out.files.push({ file: relative(options.cwd, join(dir, path)), before: '', after: text });
    entries.push({ path, target: patch.target });
  }
  out.files.unshift({ file: relative(options.cwd, kustomization.path), before: kustomization.text, after: withPatches(kustomization, entries) });
  return out;
}
