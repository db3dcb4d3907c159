// `rootlock audit --cluster`: the manifest audit's config, rules, formats and
// exit codes, with objects read from a live cluster.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIO } from './main.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './main.js';
import { todayString } from './audit-command.js';
import { packageVersion } from './version.js';
import type { Severity } from '../core/types.js';

export interface ClusterAuditFlags {
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  chunkSize?: number;
  format: 'text' | 'json' | 'sarif' | 'junit' | 'markdown';
  output?: string;
  failOn?: Severity | 'none';
  config?: string | false;
  rules?: string[];
  disableRules?: string[];
  color?: boolean;
}

/** Options that only mean something with --cluster, as commander names them and as the user typed them. */
const CLUSTER_ONLY: ReadonlyArray<readonly [keyof ClusterAuditFlags, string]> = [
  ['kubeconfig', '--kubeconfig'],
  ['context', '--context'],
  ['namespace', '--namespace'],
  ['allNamespaces', '--all-namespaces'],
  ['selector', '--selector'],
  ['chunkSize', '--chunk-size'],
];

/** True when any cluster option is set, so `audit` hands the run to this module (which then insists on --cluster). */
export function wantsCluster(flags: ClusterAuditFlags): boolean {
  return flags.cluster === true || CLUSTER_ONLY.some(([key]) => flags[key] !== undefined);
}

export async function runClusterAudit(paths: readonly string[], flags: ClusterAuditFlags, io: CliIO): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`rootlock: ${message}\n`);
    return EXIT_USAGE;
  };
  if (!flags.cluster) {
    const given = CLUSTER_ONLY.filter(([key]) => flags[key] !== undefined).map(([, name]) => name);
    return usage(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} --cluster`);
  }
  if (paths.length) return usage('--cluster audits a live cluster and takes no paths; audit manifests without --cluster');
  if (flags.allNamespaces && flags.namespace?.length) return usage('--namespace and --all-namespaces exclude each other');
  if (flags.chunkSize !== undefined && (!Number.isInteger(flags.chunkSize) || flags.chunkSize <= 0)) return usage('--chunk-size must be a positive whole number');
  // The API server checks the selector's syntax; an empty one would silently select everything.
  if (flags.selector !== undefined && flags.selector.trim() === '') return usage('--selector is empty');

  const { RULES, RULE_IDS } = await import('../rules/index.js');
  const { loadConfig } = await import('../app/config-file.js');
  const { emptyConfig } = await import('../core/config.js');
  const { loadRenderer } = await import('../report/index.js');
  const { connect } = await import('../cluster/connection.js');
  const { auditCluster } = await import('../cluster/audit.js');
  const cwd = io.cwd ?? process.cwd();

  for (const id of [...(flags.rules ?? []), ...(flags.disableRules ?? [])]) {
    if (!RULE_IDS.has(id)) return usage(`unknown rule "${id}" (see rootlock rules)`);
  }
  const loaded = flags.config === false
    ? { config: emptyConfig(), errors: [] }
    : await loadConfig({ cwd, ...(typeof flags.config === 'string' ? { explicit: flags.config } : {}), knownRules: RULE_IDS });
  if (loaded.errors.length) {
    for (const e of loaded.errors) io.stderr(`rootlock: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message}\n`);
    return EXIT_USAGE;
  }

  const connected = await connect({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: resolve(cwd, flags.kubeconfig) } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    env: process.env,
    userAgent: `rootlock/${packageVersion()}`,
  });
  if ('problem' in connected) return usage(connected.problem);

  const rules = RULES.filter((rule) => (!flags.rules || flags.rules.includes(rule.id)) && !flags.disableRules?.includes(rule.id));
  const failOn = flags.failOn ?? loaded.config.failOn ?? 'error';
  const namespaces = flags.namespace?.length ? [...new Set(flags.namespace)] : undefined;
  const report = await auditCluster({
    connection: connected.connection,
    scope: {
      ...(namespaces ? { namespaces } : {}),
      ...(flags.selector !== undefined ? { labelSelector: flags.selector } : {}),
      ...(flags.chunkSize !== undefined ? { chunkSize: flags.chunkSize } : {}),
    },
    rules,
    config: loaded.config,
    ...('file' in loaded && loaded.file ? { configFile: loaded.file } : {}),
    failOn: failOn === 'none' ? 'error' : failOn,
    today: todayString(io),
    version: packageVersion(),
  });
  if (failOn === 'none') report.summary.failed = false;
  const render = await loadRenderer(flags.format);
  const color = flags.output === undefined && flags.format === 'text' && (flags.color ?? ((io.isTTY ?? Boolean(process.stdout.isTTY)) && !process.env['NO_COLOR']));
  const text = render({ report, rules, color: Boolean(color) });
  if (flags.output) {
    await writeFile(resolve(cwd, flags.output), text);
    if (flags.format !== 'text') io.stderr(`rootlock: wrote ${flags.format} report to ${flags.output}\n`);
  } else {
    io.stdout(text);
  }
  if (report.errors.length) return EXIT_USAGE;
  return report.summary.failed ? EXIT_FINDINGS : EXIT_OK;
}
