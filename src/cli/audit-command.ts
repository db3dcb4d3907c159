import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIO } from './main.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './main.js';
import { packageVersion } from './version.js';
import type { Severity } from '../core/types.js';

interface AuditFlags {
  format: 'text' | 'json' | 'sarif' | 'junit' | 'markdown';
  output?: string;
  failOn?: Severity | 'none';
  config?: string | false;
  rules?: string[];
  disableRules?: string[];
  maxDocumentSize?: number;
  color?: boolean;
}

export function todayString(io: CliIO): string {
  return io.today ?? new Date().toISOString().slice(0, 10);
}

export async function runAudit(paths: string[], flags: AuditFlags, io: CliIO): Promise<number> {
  const { RULES, RULE_IDS } = await import('../rules/index.js');
  const { loadConfig } = await import('../app/config-file.js');
  const { emptyConfig } = await import('../core/config.js');
  const { auditManifests } = await import('../app/audit.js');
  const { displayName } = await import('../input/sources.js');
  const { loadRenderer } = await import('../report/index.js');
  const cwd = io.cwd ?? process.cwd();

  for (const id of [...(flags.rules ?? []), ...(flags.disableRules ?? [])]) {
    if (!RULE_IDS.has(id)) {
      io.stderr(`rootlock: unknown rule "${id}" (see rootlock rules)\n`);
      return EXIT_USAGE;
    }
  }
  if (flags.maxDocumentSize !== undefined && !(Number.isFinite(flags.maxDocumentSize) && flags.maxDocumentSize > 0)) {
    io.stderr('rootlock: --max-document-size must be a positive number of MiB\n');
    return EXIT_USAGE;
  }

  const loaded = flags.config === false
    ? { config: emptyConfig(), errors: [] }
    : await loadConfig({ cwd, ...(typeof flags.config === 'string' ? { explicit: flags.config } : {}), knownRules: RULE_IDS });
  if (loaded.errors.length) {
    for (const e of loaded.errors) io.stderr(`rootlock: ${displayName(e.file, cwd)}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message} [${e.code}]\n`);
    return EXIT_USAGE;
  }
  const rules = RULES.filter((rule) => (!flags.rules || flags.rules.includes(rule.id)) && !flags.disableRules?.includes(rule.id));
  const failOn = flags.failOn ?? loaded.config.failOn ?? 'error';
  const report = await auditManifests({
    paths,
    cwd,
    rules,
    config: loaded.config,
    ...('file' in loaded && loaded.file ? { configFile: loaded.file } : {}),
    failOn: failOn === 'none' ? 'error' : failOn,
    today: todayString(io),
    version: packageVersion(),
    ...(flags.maxDocumentSize !== undefined ? { maxDocumentChars: Math.floor(flags.maxDocumentSize * 1024 * 1024) } : {}),
    ...(io.stdin ? { stdin: io.stdin } : {}),
  });
  if (failOn === 'none') report.summary.failed = false;
  const render = await loadRenderer(flags.format);
  const color = flags.output === undefined && flags.format === 'text' && (flags.color ?? ((io.isTTY ?? Boolean(process.stdout.isTTY)) && !process.env['NO_COLOR']));
  const text = render({ report, rules, color: Boolean(color) });
  if (flags.output) {
    try {
      await writeFile(resolve(cwd, flags.output), text);
    } catch (error) {
      io.stderr(`rootlock: cannot write ${flags.output}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (flags.format !== 'text') io.stderr(`rootlock: wrote ${flags.format} report to ${flags.output}\n`);
  } else {
    io.stdout(text);
  }
  if (report.errors.length) return EXIT_USAGE;
  return report.summary.failed ? EXIT_FINDINGS : EXIT_OK;
}
