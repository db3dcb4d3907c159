// `rootlock audit --cluster --watch`: the continuous audit, until SIGTERM or
// SIGINT. Problems that stop the start (no report CRDs, a metrics address in
// use) are one line and exit 2; everything later is logged once and the audit
// goes on.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_USAGE } from './io.js';
import { todayString } from './audit-command.js';
import { connectFromFlags } from './cluster-connect.js';
import type { ClusterAuditFlags } from './cluster-audit.js';

const DEFAULT_LEASE_NAMESPACE = 'rootlock-system';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(.*):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65535) return undefined;
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function podNamespace(): string | undefined {
  return existsSync(SERVICE_ACCOUNT_NAMESPACE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined : undefined;
}

export async function runClusterWatch(flags: ClusterAuditFlags, io: CliIO): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`rootlock: ${message}\n`);
    return EXIT_USAGE;
  };
  if (flags.namespace?.length || flags.selector !== undefined) return usage('--watch audits every namespace; --namespace and --selector are not supported with it yet');
  if (flags.output !== undefined) return usage('--watch writes reports into the cluster (--policy-reports) and metrics (--metrics-listen), not --output');
  const listen = flags.metricsListen !== undefined ? parseListen(flags.metricsListen) : undefined;
  if (flags.metricsListen !== undefined && !listen) return usage(`--metrics-listen wants host:port, got "${flags.metricsListen}"`);
  const interval = flags.reportInterval ?? 2;
  if (!Number.isFinite(interval) || interval < 0) return usage('--report-interval must be a number of seconds, 0 or more');
  const leaseDuration = flags.leaseDuration ?? 15;
  if (!Number.isInteger(leaseDuration) || leaseDuration < 2) return usage('--lease-duration must be a whole number of seconds, 2 or more');
  if (!flags.leaderElect && (flags.leaseName !== undefined || flags.leaseNamespace !== undefined || flags.leaseDuration !== undefined)) {
    return usage('--lease-name, --lease-namespace and --lease-duration need --leader-elect');
  }
  if (!flags.policyReports && !listen) return usage('--watch needs somewhere to put what it finds: --policy-reports, --metrics-listen, or both');

  const { setupRules } = await import('./rule-setup.js');
  const { startWatch } = await import('../cluster/watch.js');
  const cwd = io.cwd ?? process.cwd();
  const setup = await setupRules(flags, io);
  if (!setup) return EXIT_USAGE;
  const connected = await connectFromFlags(flags, cwd);
  if ('problem' in connected) return usage(connected.problem);

  const identity = `${hostname()}_${process.pid}`;
  const ownNamespace = flags.leaseNamespace ?? podNamespace() ?? DEFAULT_LEASE_NAMESPACE;
  const started = await startWatch({
    connection: connected.connection,
    rules: setup.rules,
    config: setup.config,
    today: todayString(io),
    policyReports: flags.policyReports === true,
    ownerNamespace: ownNamespace,
    ...(listen ? { metricsListen: listen } : {}),
    ...(flags.leaderElect
      ? { leaderElection: { namespace: ownNamespace, name: flags.leaseName ?? 'rootlock-audit', identity, leaseDurationSeconds: leaseDuration, retryPeriodMs: Math.max(500, (leaseDuration * 1000) / 5) } }
      : {}),
    reportIntervalMs: interval * 1000,
    ...(flags.chunkSize !== undefined ? { chunkSize: flags.chunkSize } : {}),
    log: (line) => io.stderr(`${line}\n`),
  });
  if ('problem' in started) return usage(started.problem);
  const { watcher } = started;
  void watcher.ready.then(() => io.stderr(`rootlock: watching ${watcher.state.size} objects in context "${connected.connection.context}"\n`));
  await new Promise<void>((resolve) => {
    const end = () => resolve();
    process.once('SIGTERM', end);
    process.once('SIGINT', end);
  });
  await watcher.stop();
  return EXIT_OK;
}
