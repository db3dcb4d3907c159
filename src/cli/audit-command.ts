import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import { EXIT_USAGE } from './io.js';
import { packageVersion } from './version.js';
import type { AuditCommandFlags } from './emit-report.js';
import type { ParsedDocument } from '../input/kube-yaml.js';
import type { RootlockConfig } from '../core/config.js';
import type { ProfileMatcher } from '../dashboard/profiles.js';

interface AuditFlags extends AuditCommandFlags {
  maxDocumentSize?: number;
}

export function todayString(io: CliIO): string {
  return io.today ?? new Date().toISOString().slice(0, 10);
}

/** The --profile results, matched against the input's containers as the audit reads it; null when a file is unreadable (said on stderr). */
async function readProfiles(files: readonly string[], cwd: string, config: RootlockConfig, io: CliIO): Promise<ProfileMatcher | null> {
  const { readProfileFile } = await import('../profile/profile-file.js');
  const { ProfileMatcher } = await import('../dashboard/profiles.js');
  try {
    const profiles = await Promise.all(files.map(async (file) => ({ file, profile: await readProfileFile(resolve(cwd, file), file) })));
    return new ProfileMatcher(profiles, config);
  } catch (error) {
    io.stderr(`rootlock: --profile: ${(error as Error).message}\n`);
    return null;
  }
}

export async function runAudit(paths: string[], flags: AuditFlags, io: CliIO): Promise<number> {
  const { auditManifestStream } = await import('../app/audit.js');
  const { setupRules } = await import('./rule-setup.js');
  const { emitStreamedReport } = await import('./emit-report.js');
  const cwd = io.cwd ?? process.cwd();
  if (flags.maxDocumentSize !== undefined && !(Number.isFinite(flags.maxDocumentSize) && flags.maxDocumentSize > 0)) {
    io.stderr('rootlock: --max-document-size must be a positive number of MiB\n');
    return EXIT_USAGE;
  }
  if (flags.profile?.length && flags.format !== 'html') {
    io.stderr('rootlock: --profile is shown by the HTML report only; add --format html (rootlock fix --profile mounts what it saw written)\n');
    return EXIT_USAGE;
  }
  const setup = await setupRules(flags, io);
  if (!setup) return EXIT_USAGE;
  const profiles = flags.profile?.length ? await readProfiles(flags.profile, cwd, setup.config, io) : undefined;
  if (profiles === null) return EXIT_USAGE;
  const failOn = flags.failOn ?? setup.config.failOn ?? 'error';
  // The HTML report lists every workload, clean ones too, and previews each fix with the planner `rootlock fix` uses.
  const collector = flags.format === 'html'
    ? new (await import('../dashboard/workloads.js')).WorkloadCollector({ rules: setup.rules, config: setup.config, today: todayString(io), ...(flags.rules ? { explicitRules: new Set(flags.rules) } : {}) })
    : undefined;
  const audit = await auditManifestStream({
    paths,
    cwd,
    rules: setup.rules,
    config: setup.config,
    ...(setup.configFile ? { configFile: setup.configFile } : {}),
    failOn,
    today: todayString(io),
    version: packageVersion(),
    ...(flags.maxDocumentSize !== undefined ? { maxDocumentChars: Math.floor(flags.maxDocumentSize * 1024 * 1024) } : {}),
    ...(io.stdin ? { stdin: io.stdin } : {}),
    ...(collector ? {
      onDocument: (file: string, document: ParsedDocument) => {
        collector.add(file, document);
        profiles?.add(file, document);
      },
    } : {}),
  });
  try {
    return await emitStreamedReport(audit.report, audit.findings, setup.rules, flags, io, collector, profiles?.result());
  } finally {
    audit.dispose();
    collector?.dispose();
  }
}
