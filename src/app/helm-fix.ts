// `rootlock fix --helm CHART`: renders the chart with the user's values,
// plans the fixes on the output with the same planner as `fix` on files,
// then finds by rendering which values carry them (src/render/helm-values-search.ts).
// What values carry goes into a values override file; what none reaches is
// listed with its template and line, and optionally written as a patch for a
// post-renderer. Nothing is written here: the command decides.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from '../core/workloads.js';
import type { Edit, InputError, JsonObject, ObjectReference } from '../core/types.js';
import type { FixPlanOptions, HumanDecision } from '../fix/plan.js';
import { fixManifests } from './fix.js';
import { chartDefaultValues, helmTemplate, mergeValues, readValuesFile, ValuesFileError } from '../render/helm-chart.js';
import type { HelmChartInput } from '../render/helm-chart.js';
import { ToolError } from '../render/external-tool.js';
import { editPrefix } from '../render/object-diff.js';
import { objectKeyOf, renderedObjects, volatileLeaves } from '../render/rendered-objects.js';
import type { RenderedObject } from '../render/rendered-objects.js';
import { buildOverride, searchValues } from '../render/helm-values-search.js';
import type { WantedEdit } from '../render/helm-values-search.js';
import { renderOverrideFile } from '../render/values-override-file.js';
import type { OverrideEntry } from '../render/values-override-file.js';
import { locateInTemplate } from '../render/template-location.js';
import type { TemplateLocation } from '../render/template-location.js';
import { postRenderPatches } from '../render/post-render-patch.js';

export interface HelmFixOptions extends Omit<FixPlanOptions, 'inputIndex' | 'boundServiceAccounts'> {
  chart: HelmChartInput;
  /** The override file to write (relative to cwd): rootlock-values.yaml by default. */
  valuesOut: string;
  /** The post-renderer patch file to write, when asked for. */
  postRenderPatch?: string;
}

/** One planned fix of one object, and how it reaches the chart. */
export interface HelmChange {
  rule: string;
  container?: string;
  message: string;
  edits: Edit[];
  /** Values paths (dotted) that carry it; empty when none does. */
  values: string[];
  /** Set when no value carries every edit: the edits left and where in the chart they belong. */
  needsTemplate?: { edits: Edit[]; template?: TemplateLocation };
}

export interface HelmObjectResult {
  object: ObjectReference;
  helmSource?: string;
  changes: HelmChange[];
  needsHuman: HumanDecision[];
}

export interface HelmFixRun {
  objects: HelmObjectResult[];
  valuesFile: { file: string; before: string; after: string };
  patchFile?: { file: string; before: string; after: string };
  /** The values found, as merged into the chart (for the proof in tests). */
  override: JsonObject;
  /** Values that were tried and kept out, and why: what they changed that the fix did not plan. */
  rejected: Array<{ values: string; value: unknown; why: string }>;
  errors: InputError[];
  measurements: { renders: number; probeRenders: number; candidateRenders: number; seconds: number };
}

export const DEFAULT_VALUES_OUT = 'rootlock-values.yaml';
export const DEFAULT_POST_RENDER_PATCH = 'rootlock-post-render-patch.yaml';

const HEADER = ' Values written by rootlock fix --helm: use them after your own values files\n (helm upgrade ... -f values.yaml -f rootlock-values.yaml). Each key names the finding it fixes.';

async function* textStream(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

function failure(errors: InputError[], file: string): HelmFixRun {
  return { objects: [], valuesFile: { file, before: '', after: '' }, override: {}, rejected: [], errors, measurements: { renders: 0, probeRenders: 0, candidateRenders: 0, seconds: 0 } };
}

function errorOf(error: unknown, chart: string): InputError {
  if (error instanceof ValuesFileError) return { file: error.file, ...(error.line !== undefined ? { line: error.line, column: error.column ?? 1 } : {}), code: 'values-invalid', message: error.message.replace(/^.*?: /, '') };
  if (error instanceof ToolError) {
    // helm's own hint about --debug is for helm's command line, not rootlock's.
    const said = (error.stderr || error.message).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('Use --debug')).join('\n').replace(/^Error: /, '');
    return { file: chart, code: 'helm-failed', message: `helm could not render the chart: ${said}` };
  }
  return { file: chart, code: 'helm-fix-failed', message: (error as Error).message };
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function label(ref: ObjectReference): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export async function fixHelmChart(options: HelmFixOptions): Promise<HelmFixRun> {
  const started = Date.now();
  const { chart } = options;
  const cwd = chart.cwd;
  const outFile = options.valuesOut;
  let userValues: JsonObject = {};
  let defaults: JsonObject;
  try {
    for (const file of chart.valuesFiles) userValues = mergeValues(userValues, readValuesFile(file, cwd));
    // The existing override file is read now so that one that does not parse stops the run before helm does.
    const existing = readIfExists(resolve(cwd, outFile));
    if (existing !== undefined) renderOverrideFile(existing, outFile, [], HEADER);
    defaults = await chartDefaultValues(chart);
  } catch (error) {
    return failure([errorOf(error, chart.chart)], outFile);
  }
  const values = mergeValues(defaults, userValues);

  let renders = 0;
  const scratch = mkdtempSync(join(tmpdir(), 'rootlock-helm-'));
  try {
    const render = async (override?: JsonObject): Promise<string> => {
      renders++;
      if (override === undefined) return helmTemplate(chart);
      const file = join(scratch, `override-${renders}.yaml`);
      // JSON is YAML; null stays null, which tells helm to drop the chart's default.
      writeFileSync(file, JSON.stringify(override));
      return helmTemplate(chart, file);
    };
    let baselineText: string;
    let baseline: Map<string, RenderedObject>;
    let again: Map<string, RenderedObject>;
    try {
      baselineText = await render();
      baseline = renderedObjects(baselineText, 'helm template');
      again = renderedObjects(await render(), 'helm template');
    } catch (error) {
      return failure([errorOf(error, chart.chart)], outFile);
    }
    const locations = [...options.config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS];
    if (![...baseline.values()].some(({ object }) => workloadOf(object, locations))) {
      return failure([{ file: chart.chart, code: 'no-workloads', message: 'the chart renders no workloads (no Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet ...) with these values: nothing to fix' }], outFile);
    }
    const volatile = volatileLeaves(baseline, again);

    const { chart: _chart, valuesOut: _out, postRenderPatch: _patch, ...planOptions } = options;
    const planned = await fixManifests({ ...planOptions, paths: ['-'], cwd, stdin: textStream(baselineText) });
    if (planned.errors.length) return failure(planned.errors.map((e) => ({ ...e, file: e.file === '-' ? `${chart.chart} (rendered)` : e.file })), outFile);
    const fixedFile = planned.files[0];
    const target = fixedFile ? renderedObjects(fixedFile.after, 'helm template (fixed)') : new Map(baseline);

    // Every edit of every planned change, relative to its object.
    const wanted: WantedEdit[] = [];
    const changeEdits = new Map<string, WantedEdit[]>();
    for (const plan of fixedFile?.objects ?? []) {
      const objectKey = objectKeyOf(plan.object);
      const planned = target.get(objectKey);
      plan.changes.forEach((change, index) => {
        const list: WantedEdit[] = [];
        for (const edit of change.edits) {
          const item: WantedEdit = { id: wanted.length, objectKey, ref: plan.object, ...(plan.helmSource ? { helmSource: plan.helmSource } : {}), rule: change.rule, ...(change.container ? { container: change.container } : {}), message: change.message, edit, prefix: editPrefix(planned?.object, edit) };
          wanted.push(item);
          list.push(item);
        }
        changeEdits.set(`${objectKey}#${index}`, list);
      });
    }

    const search = await searchValues({ baseline, target, volatile, wanted, values, fixes: [...changeEdits.values()].map((items) => items.map((item) => item.id)), render: async (override) => renderedObjects(await render(override), 'helm template') });
    const carriedBy = new Map<number, string[]>();
    for (const { candidate, carries } of search.accepted) for (const id of carries) carriedBy.set(id, [...(carriedBy.get(id) ?? []), candidate.path.join('.')]);

    const chartDir = existsSync(resolve(cwd, chart.chart)) && statSync(resolve(cwd, chart.chart)).isDirectory() ? chart.chart : undefined;
    const objects: HelmObjectResult[] = [];
    const patchObjects: Array<{ ref: ObjectReference; planned: JsonObject; edits: Edit[] }> = [];
    for (const plan of fixedFile?.objects ?? []) {
      const objectKey = objectKeyOf(plan.object);
      const changes: HelmChange[] = plan.changes.map((change, index) => {
        const edits = changeEdits.get(`${objectKey}#${index}`) ?? [];
        const left = edits.filter((item) => !search.reached.has(item.id));
        const valuesPaths = [...new Set(edits.flatMap((item) => carriedBy.get(item.id) ?? []))];
        const result: HelmChange = { rule: change.rule, ...(change.container ? { container: change.container } : {}), message: change.message, edits: change.edits, values: valuesPaths };
        if (left.length) {
          const first = left[0] as WantedEdit;
          const template = locateInTemplate(chartDir, plan.helmSource, first.edit.path, cwd, change.container);
          result.needsTemplate = { edits: left.map((item) => item.edit), ...(template ? { template } : {}) };
        }
        return result;
      });
      const leftEdits = changes.flatMap((change) => change.needsTemplate?.edits ?? []);
      const plannedObject = target.get(objectKey);
      if (leftEdits.length && plannedObject) patchObjects.push({ ref: plan.object, planned: plannedObject.object, edits: leftEdits });
      objects.push({ object: plan.object, ...(plan.helmSource ? { helmSource: plan.helmSource } : {}), changes, needsHuman: plan.needsHuman });
    }

    // The override file: one entry per accepted values path, commented with the findings it fixes.
    const entries: OverrideEntry[] = [];
    const flat = buildOverride(search.accepted.map((a) => a.candidate));
    const seen = new Set<string>();
    for (const { candidate } of search.accepted) {
      const key = JSON.stringify(candidate.path);
      if (seen.has(key)) continue;
      seen.add(key);
      const comments = new Set<string>();
      for (const other of search.accepted) {
        if (JSON.stringify(other.candidate.path) !== key) continue;
        for (const id of other.carries) {
          const item = wanted[id] as WantedEdit;
          comments.add(`rootlock: fixes ${item.rule} in ${label(item.ref)}${item.container ? ` [${item.container}]` : ''}`);
        }
      }
      let value: unknown = flat;
      for (const segment of candidate.path) value = (value as JsonObject)[segment];
      entries.push({ path: candidate.path, value, comments: [...comments] });
    }
    const outPath = resolve(cwd, outFile);
    const before = readIfExists(outPath) ?? '';
    const after = entries.length ? renderOverrideFile(before === '' ? undefined : before, outFile, entries, HEADER) : before;
    const run: HelmFixRun = {
      objects,
      valuesFile: { file: outFile, before, after },
      override: search.override,
      rejected: search.rejected.map(({ candidate, why }) => ({ values: candidate.path.join('.'), value: candidate.kind === 'append' ? { append: candidate.value } : candidate.value, why })),
      errors: [],
      measurements: { renders, probeRenders: search.probeRenders, candidateRenders: search.candidateRenders, seconds: (Date.now() - started) / 1000 },
    };
    if (options.postRenderPatch !== undefined) {
      const patchPath = resolve(cwd, options.postRenderPatch);
      const patchBefore = readIfExists(patchPath) ?? '';
      const text = postRenderPatches(patchObjects);
      run.patchFile = { file: options.postRenderPatch, before: patchBefore, after: text === '' ? patchBefore : `# Strategic merge patches written by rootlock fix --helm for what no value of the chart reaches.\n# Apply them in a Helm post-renderer (kustomize: patches: - path: ${options.postRenderPatch}).\n${text}` };
    }
    return run;
  } catch (error) {
    return failure([errorOf(error, chart.chart)], outFile);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
