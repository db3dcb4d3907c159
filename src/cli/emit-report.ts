// How audit reports leave the CLI, for manifests and clusters alike: render in
// the chosen format, colour only on a terminal, to a file or standard output,
// and turn the result into the exit code.
import { resolve } from 'node:path';
import { stdoutIsTerminal } from './process-output.js';
import type { CliIO } from './io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';
import type { RuleDefinition } from '../core/rule.js';
import type { AuditReport, FindingSequence } from '../report/model.js';
import type { ReportFormat } from '../report/index.js';
import type { FailOn } from '../core/types.js';
import type { RuleSelectionFlags } from './rule-setup.js';
import type { DriftView } from '../dashboard/drift.js';
import type { WorkloadSource } from '../dashboard/workloads.js';
import type { ProfileView } from '../dashboard/profiles.js';

export interface ReportOutputFlags {
  format: ReportFormat;
  output?: string;
  color?: boolean;
  /** --drift FILE: `rootlock drift scan --format json` output shown in the HTML report. */
  drift?: string;
  /** --profile FILE (manifest audits): `rootlock profile --format json` results shown in the HTML report. */
  profile?: string[];
}

/** Flags every audit front end (manifests, clusters) takes: rules, config, report and --fail-on. */
export interface AuditCommandFlags extends RuleSelectionFlags, ReportOutputFlags {
  failOn?: FailOn;
}

/** Pieces of a report gathered into writes of about this size. */
const WRITE_BYTES = 64 * 1024;

/** Renders a report held whole (live clusters). */
export async function emitReport(report: AuditReport, rules: readonly RuleDefinition[], flags: ReportOutputFlags, io: CliIO): Promise<number> {
  const { streamContextOf } = await import('../report/model.js');
  const context = streamContextOf({ report, rules, color: false });
  return emitStreamedReport(context.report, context.findings, rules, flags, io);
}

/**
 * Renders a report piece by piece to standard output (written synchronously
 * on Linux for files, pipes and terminals, so nothing piles up in memory) or
 * to a file, replaced atomically as `fix --write` replaces manifests.
 */
export async function emitStreamedReport(report: AuditReport, findings: FindingSequence, rules: readonly RuleDefinition[], flags: ReportOutputFlags, io: CliIO, workloads?: WorkloadSource, profiles?: readonly ProfileView[]): Promise<number> {
  const { loadStreamRenderer } = await import('../report/index.js');
  if (flags.drift !== undefined && flags.format !== 'html') {
    io.stderr('rootlock: --drift is shown by the HTML report only; add --format html\n');
    return EXIT_USAGE;
  }
  let render = await loadStreamRenderer(flags.format);
  if (flags.format === 'html') {
    const { streamHtmlReport } = await import('../dashboard/html.js');
    let drift: DriftView | undefined;
    if (flags.drift !== undefined) {
      const { readDriftFile } = await import('../dashboard/drift.js');
      try {
        drift = await readDriftFile(resolve(io.cwd ?? process.cwd(), flags.drift));
      } catch (error) {
        io.stderr(`rootlock: --drift: ${(error as Error).message}\n`);
        return EXIT_USAGE;
      }
    }
    render = (context) => streamHtmlReport(context, { ...(workloads ? { workloads } : {}), ...(drift ? { drift } : {}), ...(profiles ? { profiles } : {}) });
  }
  const color = flags.output === undefined && flags.format === 'text' && (flags.color ?? ((io.isTTY ?? stdoutIsTerminal()) && !process.env['NO_COLOR']));
  const pieces = render({ report, findings, rules, color: Boolean(color) });
  if (flags.output) {
    try {
      const { writeFileAtomic } = await import('../io/atomic-write.js');
      await writeFileAtomic(resolve(io.cwd ?? process.cwd(), flags.output), batched(pieces), { create: true });
    } catch (error) {
      io.stderr(`rootlock: cannot write ${flags.output}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (flags.format !== 'text') io.stderr(`rootlock: wrote ${flags.format} report to ${flags.output}\n`);
  } else {
    for (const chunk of batched(pieces)) io.stdout(chunk);
  }
  if (report.errors.length) return EXIT_USAGE;
  return report.summary.failed ? EXIT_FINDINGS : EXIT_OK;
}

/** The pieces of a report gathered into strings of about WRITE_BYTES: one write each, not one per piece. */
function* batched(pieces: Iterable<string>): Generator<string> {
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    if (pending.length >= WRITE_BYTES) {
      yield pending;
      pending = '';
    }
  }
  if (pending !== '') yield pending;
}
