// `rootlock dashboard`: the HTML report of a live cluster, served read-only.
// Now and then every --interval it reads the PolicyReports of the continuous
// auditor when the cluster has them (list on policyreports), else audits the
// cluster itself (the audit's read-only listing and RBAC), and serves the page
// of the latest data it got, saying when the data was taken and where from.
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_USAGE } from './io.js';
import { todayString } from './audit-command.js';
import { connectFromFlags } from './cluster-connect.js';
import { packageVersion } from './version.js';
import { parseListen } from './webhook-command.js';
import type { RuleSelectionFlags } from './rule-setup.js';

export interface DashboardFlags extends RuleSelectionFlags {
  listen: string;
  interval: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  selector?: string;
}

/** `90s`, `5m`, `1h` or a number of seconds, in milliseconds; undefined when it is none of these. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2] === 'h' ? 3_600_000 : match[2] === 'm' ? 60_000 : 1000;
  const ms = Number(match[1]) * unit;
  return ms > 0 ? ms : undefined;
}

export async function runDashboard(flags: DashboardFlags, io: CliIO, signals: NodeJS.EventEmitter = process): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`rootlock: ${message}\n`);
    return EXIT_USAGE;
  };
  const listen = parseListen(flags.listen);
  if (!listen) return usage(`--listen takes [host]:port, e.g. 127.0.0.1:8080 (got "${flags.listen}")`);
  const intervalMs = parseInterval(flags.interval);
  if (intervalMs === undefined) return usage(`--interval takes a duration such as 30s, 5m or 1h (got "${flags.interval}")`);
  if (flags.selector !== undefined && flags.selector.trim() === '') return usage('--selector is empty');
  const { setupRules } = await import('./rule-setup.js');
  const setup = await setupRules(flags, io);
  if (!setup) return EXIT_USAGE;
  const connected = await connectFromFlags(flags, io.cwd ?? process.cwd());
  if ('problem' in connected) return usage(connected.problem);
  const { auditCluster } = await import('../cluster/audit.js');
  const { streamContextOf } = await import('../report/model.js');
  const { streamHtmlReport } = await import('../dashboard/html.js');
  const { readPolicyReports } = await import('../dashboard/policy-reports.js');
  const { startDashboardServer } = await import('../dashboard/server.js');
  const namespaces = flags.namespace?.length ? [...new Set(flags.namespace)] : undefined;

  let page: string | undefined;
  let last: { report: Awaited<ReturnType<typeof auditCluster>>; at: string; reports?: number; changedAt?: string } | undefined;
  const render = (lastError?: string) => {
    if (!last) return;
    const context = streamContextOf({ report: last.report, rules: setup.rules, color: false });
    const { report: _, ...taken } = last;
    page = [...streamHtmlReport(context, { taken: { ...taken, ...(lastError !== undefined ? { lastError } : {}) } })].join('');
  };
  const refresh = async () => {
    const failOn = setup.config.failOn ?? 'error';
    try {
      // A label selector picks workloads, which the reports cannot filter by: with one, the dashboard audits itself.
      // When the reports cannot be read (no list permission, storage still starting), the dashboard audits itself.
      const read = flags.selector === undefined
        ? await readPolicyReports(connected.connection, { ...(namespaces ? { namespaces } : {}), failOn, version: packageVersion() }).catch((error: unknown) => {
          io.stderr(`rootlock dashboard: cannot read the PolicyReports, auditing the cluster instead: ${(error as Error).message}\n`);
          return undefined;
        })
        : undefined;
      if (read) {
        last = { report: read.report, at: new Date().toISOString(), reports: read.reports, changedAt: read.changedAt };
        render();
        io.stderr(`rootlock dashboard: read ${read.reports} PolicyReport(s) of the continuous auditor, ${read.report.summary.workloads} workload(s), at ${last.at}; findings last changed at ${read.changedAt}\n`);
        return;
      }
      const report = await auditCluster({
        connection: connected.connection,
        scope: { ...(namespaces ? { namespaces } : {}), ...(flags.selector !== undefined ? { labelSelector: flags.selector } : {}) },
        rules: setup.rules,
        config: setup.config,
        ...(setup.configFile ? { configFile: setup.configFile } : {}),
        failOn,
        today: todayString(io),
        version: packageVersion(),
      });
      last = { report, at: new Date().toISOString() };
      render();
      io.stderr(`rootlock dashboard: audited ${report.summary.workloads} workload(s) at ${last.at}\n`);
    } catch (error) {
      // The page keeps the last good data and says the latest audit failed.
      io.stderr(`rootlock dashboard: reading the cluster failed: ${(error as Error).message}\n`);
      render((error as Error).message);
    }
  };

  let server;
  try {
    server = await startDashboardServer({ host: listen.host ?? '127.0.0.1', port: listen.port, page: () => page });
  } catch (error) {
    return usage(`cannot serve on ${flags.listen}: ${(error as Error).message}`);
  }
  io.stderr(`rootlock dashboard: serving http://${listen.host ?? '127.0.0.1'}:${server.port}/ (read-only), auditing every ${flags.interval}\n`);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = async () => {
    await refresh();
    if (!stopped) timer = setTimeout(() => void loop(), intervalMs);
  };
  void loop();
  await new Promise<void>((done) => {
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      void server.close().then(done);
    };
    signals.once('SIGTERM', stop);
    signals.once('SIGINT', stop);
  });
  io.stderr('rootlock dashboard: stopped\n');
  return EXIT_OK;
}
