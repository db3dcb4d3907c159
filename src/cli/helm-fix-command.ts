// `rootlock fix --helm CHART`: prints the diff of the values override file
// (and of the post-renderer patch, with --post-render-patch) and changes
// nothing; --write writes them atomically; --check exits 1 when either would
// change. The summary says which finding each value fixes and which need a
// template change, with the template's file and line.
import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';
import type { FixPlanOptions } from '../fix/plan.js';
import type { HelmFixRun } from '../app/helm-fix.js';

/** The options that go with --helm CHART; `rootlock fix` takes them too and hands them over. */
export interface HelmChartOptions {
  values?: string[];
  set?: string[];
  valuesOut?: string;
  postRenderPatch?: string | boolean;
  helmBin?: string;
  releaseName?: string;
  namespace?: string;
}

export interface HelmFixFlags extends HelmChartOptions {
  helm: string;
  write?: boolean;
  check?: boolean;
  format: 'text' | 'json';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The findings values fix, and those that need a patch or a template change. */
export function helmFixCounts(run: HelmFixRun): { byValues: number; needTemplate: number; needsHuman: number } {
  let byValues = 0;
  let needTemplate = 0;
  let needsHuman = 0;
  for (const object of run.objects) {
    for (const change of object.changes) change.needsTemplate ? needTemplate++ : byValues++;
    needsHuman += object.needsHuman.length;
  }
  return { byValues, needTemplate, needsHuman };
}

function renderText(run: HelmFixRun, mode: string): string {
  const lines: string[] = [];
  for (const object of run.objects) {
    if (!object.changes.length && !object.needsHuman.length) continue;
    const ref = object.object;
    lines.push(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}${object.helmSource ? ` (${object.helmSource})` : ''}`);
    for (const change of object.changes) {
      const what = `${change.rule}${change.container ? ` [${change.container}]` : ''}`;
      if (change.values.length) lines.push(`  values    ${what}: ${change.values.join(', ')}`);
      if (change.needsTemplate) {
        const where = change.needsTemplate.template;
        const at = where ? `${where.file}${where.line ? `:${where.line}` : ''}${where.field ? ` (${where.field})` : ''}` : 'the chart';
        lines.push(`  template  ${what}: no value reaches ${change.needsTemplate.edits.map((e) => e.path.join('.')).join(', ')}; change ${at}${mode === 'patch' ? ' or apply the post-renderer patch' : ''}`);
      }
    }
    for (const human of object.needsHuman) lines.push(`  human     ${human.rule}${human.container ? ` [${human.container}]` : ''}: ${human.message}\n            why: ${human.why}`);
  }
  const counts = helmFixCounts(run);
  const m = run.measurements;
  lines.push('');
  lines.push(
    `${plural(counts.byValues, 'finding')} fixed by values in ${run.valuesFile.file}; ${plural(counts.needTemplate, 'finding')} need${counts.needTemplate === 1 ? 's' : ''} a template change or a post-renderer patch; ` +
      `${plural(counts.needsHuman, 'finding')} need${counts.needsHuman === 1 ? 's' : ''} a human decision (helm rendered the chart ${m.renders} times in ${m.seconds.toFixed(1)}s)`,
  );
  return lines.join('\n') + '\n';
}

export async function runHelmFix(flags: HelmFixFlags, plan: Omit<FixPlanOptions, 'inputIndex' | 'boundServiceAccounts'>, io: CliIO): Promise<number> {
  const { resolveTool, ToolError } = await import('../render/external-tool.js');
  const { fixHelmChart, DEFAULT_VALUES_OUT, DEFAULT_POST_RENDER_PATCH } = await import('../app/helm-fix.js');
  const { unifiedDiff } = await import('../fix/diff.js');
  const { writeFileAtomic } = await import('../io/atomic-write.js');
  const cwd = io.cwd ?? process.cwd();
  let helmBinary: string;
  try {
    helmBinary = resolveTool('helm', flags.helmBin);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    io.stderr(`rootlock: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const patchFile = flags.postRenderPatch === true ? DEFAULT_POST_RENDER_PATCH : typeof flags.postRenderPatch === 'string' ? flags.postRenderPatch : undefined;
  const run = await fixHelmChart({
    ...plan,
    chart: {
      chart: flags.helm,
      valuesFiles: flags.values ?? [],
      set: flags.set ?? [],
      ...(flags.releaseName !== undefined ? { releaseName: flags.releaseName } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
      cwd,
      helmBinary,
    },
    valuesOut: flags.valuesOut ?? DEFAULT_VALUES_OUT,
    ...(patchFile !== undefined ? { postRenderPatch: patchFile } : {}),
  });
  if (run.errors.length) {
    if (flags.format === 'json') io.stdout(JSON.stringify({ version: 1, mode: 'helm', errors: run.errors }, null, 2) + '\n');
    for (const e of run.errors) io.stderr(`rootlock: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message} [${e.code}]\n`);
    return EXIT_USAGE;
  }
  const files = [run.valuesFile, ...(run.patchFile ? [run.patchFile] : [])];
  const changed = files.filter((file) => file.after !== file.before);
  const errors: string[] = [];
  if (flags.write) {
    for (const file of changed) {
      try {
        await writeFileAtomic(resolve(cwd, file.file), file.after, { create: true });
      } catch (error) {
        errors.push(`rootlock: ${file.file}: cannot write: ${(error as Error).message} [write-failed]`);
      }
    }
  }
  const mode = flags.write ? 'write' : flags.check ? 'check' : 'preview';
  if (flags.format === 'json') {
    io.stdout(
      JSON.stringify(
        {
          version: 1,
          mode,
          source: 'helm',
          chart: flags.helm,
          summary: { ...helmFixCounts(run), ...run.measurements },
          files: files.map((file) => ({ file: file.file, changed: file.after !== file.before, ...(mode !== 'write' && file.after !== file.before ? { diff: unifiedDiff(file.file, file.before, file.after) } : {}) })),
          objects: run.objects,
          values: run.override,
          rejectedValues: run.rejected,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    if (mode === 'preview') for (const file of changed) io.stdout(unifiedDiff(file.file, file.before, file.after));
    io.stderr(renderText(run, patchFile !== undefined ? 'patch' : 'values'));
  }
  for (const line of errors) io.stderr(line + '\n');
  if (errors.length) return EXIT_USAGE;
  if (flags.check && changed.length) return EXIT_FINDINGS;
  return EXIT_OK;
}
