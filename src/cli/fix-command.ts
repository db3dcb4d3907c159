// `rootlock fix`: prints a unified diff of what the fixes would change and
// changes nothing; --write rewrites the files in place, atomically; --check
// exits 1 when anything would change; `-` reads standard input and writes the
// fixed manifests to standard output.
import { resolve } from 'node:path';
import type { CliIO } from './main.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './main.js';
import { todayString } from './audit-command.js';

interface FixFlags {
  write?: boolean;
  check?: boolean;
  config?: string | false;
  rules?: string[];
  disableRules?: string[];
  maxFileSize: number;
}

export async function runFix(paths: string[], flags: FixFlags, io: CliIO): Promise<number> {
  const { RULES, RULE_IDS } = await import('../rules/index.js');
  const { loadConfig } = await import('../app/config-file.js');
  const { emptyConfig } = await import('../core/config.js');
  const { fixManifests } = await import('../app/fix.js');
  const { unifiedDiff } = await import('../fix/diff.js');
  const { writeFileAtomic } = await import('../fix/write.js');
  const cwd = io.cwd ?? process.cwd();

  for (const id of [...(flags.rules ?? []), ...(flags.disableRules ?? [])]) {
    if (!RULE_IDS.has(id)) {
      io.stderr(`rootlock: unknown rule "${id}" (see rootlock rules)\n`);
      return EXIT_USAGE;
    }
  }
  const fromStdin = paths.includes('-');
  if (fromStdin && paths.length > 1) {
    io.stderr('rootlock: "-" (standard input) cannot be combined with other paths in fix\n');
    return EXIT_USAGE;
  }
  if (fromStdin && flags.write) {
    io.stderr('rootlock: --write rewrites files; with "-" the fixed manifests go to standard output\n');
    return EXIT_USAGE;
  }
  if (!Number.isFinite(flags.maxFileSize) || flags.maxFileSize <= 0) {
    io.stderr('rootlock: --max-file-size must be a positive number of MiB\n');
    return EXIT_USAGE;
  }

  const loaded = flags.config === false
    ? { config: emptyConfig(), errors: [] }
    : await loadConfig({ cwd, ...(typeof flags.config === 'string' ? { explicit: flags.config } : {}), knownRules: RULE_IDS });
  if (loaded.errors.length) {
    for (const e of loaded.errors) io.stderr(`rootlock: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  const rules = RULES.filter((rule) => rule.fixable && (!flags.rules || flags.rules.includes(rule.id)) && !flags.disableRules?.includes(rule.id));

  const run = await fixManifests({
    paths,
    cwd,
    rules,
    config: loaded.config,
    today: todayString(io),
    maxFileBytes: Math.floor(flags.maxFileSize * 1024 * 1024),
    ...(io.stdin ? { stdin: io.stdin } : {}),
  });

  const changed = run.files.filter((f) => f.after !== f.before);
  if (fromStdin) {
    for (const file of run.files) io.stdout(file.after);
  } else if (flags.write) {
    for (const file of changed) {
      try {
        await writeFileAtomic(resolve(cwd, file.file), file.after);
      } catch (error) {
        run.errors.push({ file: file.file, code: 'write-failed', message: `cannot write the fixed file: ${(error as Error).message}` });
      }
    }
  } else {
    for (const file of changed) io.stdout(unifiedDiff(file.file, file.before, file.after));
  }

  for (const e of run.errors) io.stderr(`rootlock: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message}\n`);
  const fixes = changed.reduce((sum, f) => sum + f.fixes, 0);
  const verb = flags.write ? 'fixed' : 'would fix';
  io.stderr(`rootlock: ${changed.length === 0 ? 'nothing to fix' : `${verb} ${fixes} finding${fixes === 1 ? '' : 's'} in ${changed.length} file${changed.length === 1 ? '' : 's'}`}\n`);

  if (run.errors.length) return EXIT_USAGE;
  if (flags.check && changed.length > 0) return EXIT_FINDINGS;
  return EXIT_OK;
}
