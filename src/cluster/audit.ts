// `rootlock audit --cluster`: read live objects, group Pods under their
// workloads, run the same engine, rules, config and exemptions as a manifest
// audit, and build the same report. Shared by the CLI and the tests.
import { buildReport } from '../app/audit.js';
import { Engine } from '../core/engine.js';
import type { RootlockConfig } from '../core/config.js';
import type { RuleDefinition } from '../core/rule.js';
import type { FailOn, Notice } from '../core/types.js';
import type { AuditReport, ClusterSource } from '../report/model.js';
import { collect } from './collect.js';
import type { ClusterScope, Collected } from './collect.js';
import type { ClusterConnection } from './connection.js';
import { auditLiveObjects } from './live-audit.js';
import { groupByOwner } from './owners.js';

export interface ReportOptions {
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  configFile?: string;
  failOn: FailOn;
  today: string;
  version: string;
}

export interface ClusterAuditOptions extends ReportOptions {
  connection: ClusterConnection;
  scope: ClusterScope;
}

export async function auditCluster(options: ClusterAuditOptions): Promise<AuditReport> {
  const { connection, scope } = options;
  const collected = await collect(connection, scope);
  return reportCollected(collected, {
    context: connection.context,
    server: connection.server,
    ...(scope.namespaces !== undefined ? { namespaces: [...scope.namespaces] } : {}),
    ...(scope.labelSelector !== undefined ? { selector: scope.labelSelector } : {}),
  }, options);
}

/** The audit of objects already read; no I/O, so tests can hand it objects of their own. */
export function reportCollected(collected: Collected, where: Omit<ClusterSource, 'pods'>, options: ReportOptions): AuditReport {
  const source: ClusterSource = { ...where, pods: collected.pods.length };
  const notices: Notice[] = [];
  for (const rule of options.rules) {
    const why = rule.notInClusterAudit;
    if (why && !options.config.disabledRules.has(rule.id)) notices.push({ file: where.server, code: 'rule-not-run', message: why });
  }
  const report = (parts: Parameters<typeof buildReport>[0]): AuditReport => {
    const { version, tool, ...rest } = buildReport(parts);
    return { version, tool, cluster: source, ...rest };
  };
  const common = { files: 0, documents: 0, failOn: options.failOn, version: options.version };
  if (collected.fatal) {
    return report({ ...common, findings: [], errors: [collected.fatal], notices, objects: 0, workloads: 0 });
  }
  const groups = groupByOwner(collected.controllers, collected.pods);
  const engine = new Engine({ rules: options.rules, config: options.config, today: options.today });
  const listedIn = collected.podsListedIn;
  const result = auditLiveObjects(
    engine,
    {
      standalone: [...collected.namespaces, ...collected.serviceAccounts],
      groups,
      podsListed: (namespace) => listedIn === 'all' || (namespace !== undefined && listedIn.has(namespace)),
    },
    options.configFile,
  );
  return report({
    ...common,
    findings: result.findings,
    errors: [...collected.errors, ...result.errors],
    notices: [...notices, ...result.notices],
    objects: collected.namespaces.length + collected.serviceAccounts.length + collected.controllers.length + collected.pods.length,
    workloads: groups.length,
  });
}
