// How audit reports leave the CLI, for manifests and clusters alike: render in
// the chosen format, colour only on a terminal, to a file or standard output,
// and turn the result into the exit code.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIO } from './main.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './main.js';
import type { RuleDefinition } from '../core/rule.js';
import type { AuditReport } from '../report/model.js';
import type { ReportFormat } from '../report/index.js';
import type { Severity } from '../core/types.js';
import type { RuleSelectionFlags } from './rule-setup.js';

export interface ReportOutputFlags {
  format: ReportFormat;
  output?: string;
  color?: boolean;
}

/** Flags every audit front end (manifests, clusters) takes: rules, config, report and --fail-on. */
export interface AuditCommandFlags extends RuleSelectionFlags, ReportOutputFlags {
  failOn?: Severity | 'none';
}

export async function emitReport(report: AuditReport, rules: readonly RuleDefinition[], flags: ReportOutputFlags, io: CliIO): Promise<number> {
  const { loadRenderer } = await import('../report/index.js');
  const render = await loadRenderer(flags.format);
  const color = flags.output === undefined && flags.format === 'text' && (flags.color ?? ((io.isTTY ?? Boolean(process.stdout.isTTY)) && !process.env['NO_COLOR']));
  const text = render({ report, rules, color: Boolean(color) });
  if (flags.output) {
    try {
      await writeFile(resolve(io.cwd ?? process.cwd(), flags.output), text);
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
