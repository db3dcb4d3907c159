// `rootlock fix --kustomize DIR`: prints the diff of the overlay's
// kustomization file and of the patch files the fixes need, and changes
// nothing; --write writes them atomically; --check exits 1 when anything would
// change. The summary lists every change per rendered object and which patch
// carries it.
import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';
import type { KustomizeFixOptions, KustomizeFixRun } from '../app/kustomize-fix.js';

export interface KustomizeFixFlags {
  write?: boolean;
  check?: boolean;
  format: 'text' | 'json';
}

/** What the mode wrote (or would write): the kustomization and each patch file with the object it targets. */
function wroteText(run: KustomizeFixRun, mode: 'write' | 'check' | 'preview', changed: boolean): string {
  const kustomization = run.files[0];
  if (!changed || !kustomization) return '';
  const verb = mode === 'write' ? 'wrote' : 'would write';
  const lines = [`fix --kustomize ${verb}:`];
  const added = run.patches.length;
  if (kustomization.after !== kustomization.before) lines.push(`  ${kustomization.file}: ${added} ${added === 1 ? 'entry' : 'entries'} added to patches:`);
  for (const patch of run.patches) {
    const file = run.files.find((f) => f.file.endsWith(patch.file));
    lines.push(`  ${file?.file ?? patch.file}: ${patch.type === 'strategic-merge' ? 'strategic merge' : 'JSON 6902'} patch for ${patch.target.kind} ${patch.target.name}`);
  }
  return lines.join('\n') + '\n';
}

export async function runKustomizeFix(options: KustomizeFixOptions, flags: KustomizeFixFlags, io: CliIO): Promise<number> {
  const { fixKustomization } = await import('../app/kustomize-fix.js');
  const { unifiedDiff } = await import('../fix/diff.js');
  const { writeFileAtomic } = await import('../io/atomic-write.js');
  const { buildFixSummary, renderFixSummaryText } = await import('../report/fix-summary.js');
  const { KustomizationError } = await import('../render/kustomization-file.js');
  const { ToolError } = await import('../render/external-tool.js');
  let run;
  try {
    run = await fixKustomization(options);
  } catch (error) {
    if (error instanceof KustomizationError || error instanceof ToolError) {
      io.stderr(`rootlock: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const changed = run.files.filter((f) => f.after !== f.before);
  if (flags.write && run.errors.length === 0) {
    // Patch files first: a kustomization that lists a patch file not yet written would not build.
    for (const file of [...run.files.slice(1), ...run.files.slice(0, 1)].filter((f) => f.after !== f.before)) {
      const path = resolve(options.cwd, file.file);
      try {
        // A patch file is new (created with its directory); the kustomization must already be there.
        const isNew = file.before === '' && file !== run.files[0];
        await writeFileAtomic(path, file.after, { create: isNew, createDirectories: isNew });
      } catch (error) {
        run.errors.push({ file: file.file, code: 'write-failed', message: `cannot write: ${(error as Error).message}` });
        break;
      }
    }
  }
  const mode = flags.write ? 'write' : flags.check ? 'check' : 'preview';
  const label = `kustomize build ${options.dir}`;
  const summary = buildFixSummary(mode, [{ file: label, changed: changed.length > 0, objects: run.objects }], run.errors);
  // The changes land in the overlay's files (the kustomization and its patches), not in the one rendered output.
  summary.summary.files = run.files.length;
  summary.summary.changedFiles = changed.length;
  if (flags.format === 'json') {
    const files = run.files.map((f) => ({ file: f.file, changed: f.after !== f.before, ...(f.after !== f.before ? { diff: unifiedDiff(f.file, f.before, f.after) } : {}) }));
    io.stdout(JSON.stringify({ ...summary, source: 'kustomize', kustomize: { dir: options.dir, files, patches: run.patches.map((p) => ({ file: p.file, type: p.type, target: p.target })) } }, null, 2) + '\n');
  } else {
    if (mode === 'preview') for (const file of changed) io.stdout(unifiedDiff(file.file, file.before, file.after));
    io.stderr(renderFixSummaryText(summary));
    io.stderr(wroteText(run, mode, changed.length > 0));
  }
  for (const e of run.errors) io.stderr(`rootlock: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message} [${e.code}]\n`);
  if (run.errors.length) return EXIT_USAGE;
  if (flags.check && changed.length > 0) return EXIT_FINDINGS;
  return EXIT_OK;
}
