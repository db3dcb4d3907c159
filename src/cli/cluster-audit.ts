// `rootlock audit --cluster`: the manifest audit's config, rules, formats and
// exit codes, with objects read from a live cluster.
import type { CliIO } from './io.js';
import { EXIT_USAGE } from './io.js';
import { todayString } from './audit-command.js';
import { connectFromFlags } from './cluster-connect.js';
import { packageVersion } from './version.js';
import type { AuditCommandFlags } from './emit-report.js';

export interface ClusterAuditFlags extends AuditCommandFlags {
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  chunkSize?: number;
  watch?: boolean;
  policyReports?: boolean;
  metricsListen?: string;
  reportInterval?: number;
  leaderElect?: boolean;
  leaseName?: string;
  leaseNamespace?: string;
  leaseDuration?: number;
}

/** Options that only mean something with --cluster, as commander names them and as the user typed them. */
const CLUSTER_ONLY: ReadonlyArray<readonly [keyof ClusterAuditFlags, string]> = [
  ['kubeconfig', '--kubeconfig'],
  ['context', '--context'],
  ['namespace', '--namespace'],
  ['allNamespaces', '--all-namespaces'],
  ['selector', '--selector'],
  ['chunkSize', '--chunk-size'],
  ['watch', '--watch'],
];

/** Options that only mean something with --watch. */
const WATCH_ONLY: ReadonlyArray<readonly [keyof ClusterAuditFlags, string]> = [
  ['policyReports', '--policy-reports'],
  ['metricsListen', '--metrics-listen'],
  ['reportInterval', '--report-interval'],
  ['leaderElect', '--leader-elect'],
  ['leaseName', '--lease-name'],
  ['leaseNamespace', '--lease-namespace'],
  ['leaseDuration', '--lease-duration'],
];

/** True when any cluster option is set, so `audit` hands the run to this module (which then insists on --cluster). */
export function wantsCluster(flags: ClusterAuditFlags): boolean {
  return flags.cluster === true || [...CLUSTER_ONLY, ...WATCH_ONLY].some(([key]) => flags[key] !== undefined);
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
  if (flags.drift !== undefined && flags.format !== 'html') return usage('--drift is shown by the HTML report only; add --format html');
  if (flags.profile?.length) return usage('--profile is matched against the containers of manifests: audit the manifests (rootlock audit k8s/ --format html --profile FILE), not --cluster');

  const watchOnly = WATCH_ONLY.filter(([key]) => flags[key] !== undefined).map(([, name]) => name);
  if (!flags.watch && watchOnly.length) return usage(`${watchOnly.join(', ')} ${watchOnly.length === 1 ? 'needs' : 'need'} --watch`);
  if (flags.watch) {
    const { runClusterWatch } = await import('./cluster-watch.js');
    return runClusterWatch(flags, io);
  }

  const { auditCluster } = await import('../cluster/audit.js');
  const { setupRules } = await import('./rule-setup.js');
  const { emitReport } = await import('./emit-report.js');
  const cwd = io.cwd ?? process.cwd();
  const setup = await setupRules(flags, io);
  if (!setup) return EXIT_USAGE;

  const connected = await connectFromFlags(flags, cwd);
  if ('problem' in connected) return usage(connected.problem);

  const failOn = flags.failOn ?? setup.config.failOn ?? 'error';
  const namespaces = flags.namespace?.length ? [...new Set(flags.namespace)] : undefined;
  const report = await auditCluster({
    connection: connected.connection,
    scope: {
      ...(namespaces ? { namespaces } : {}),
      ...(flags.selector !== undefined ? { labelSelector: flags.selector } : {}),
      ...(flags.chunkSize !== undefined ? { chunkSize: flags.chunkSize } : {}),
    },
    rules: setup.rules,
    config: setup.config,
    ...(setup.configFile ? { configFile: setup.configFile } : {}),
    failOn,
    today: todayString(io),
    version: packageVersion(),
  });
  return emitReport(report, setup.rules, flags, io);
}
