// A scope's view of the continuous audit as a Policy WG report
// (wgpolicyk8s.io/v1alpha2): a PolicyReport per namespace, a
// ClusterPolicyReport for cluster-scoped objects. How rootlock's findings map
// onto the schema (docs/cluster-watch.md has the same table):
//
//   finding, severity error    -> result fail, severity high, scored
//   finding, severity warning  -> result warn, severity medium
//   finding, severity info     -> result warn, severity info
//   finding that is exempted   -> result skip (the exemption's reason in properties)
//   object it could not judge  -> result error (the error record's message)
//   workload with no findings  -> one result pass, without a rule
//
// Pure: the writer sends what this builds.
import type { Finding, Severity } from '../core/types.js';
import { CLUSTER_SCOPE } from './watch-state.js';
import type { ResourceRef, ViewEntry } from './watch-state.js';

export const REPORT_GROUP = 'wgpolicyk8s.io';
export const REPORT_VERSION = 'v1alpha2';
export const REPORT_API_VERSION = `${REPORT_GROUP}/${REPORT_VERSION}`;
/** The name of every report rootlock writes; one per namespace, one for the cluster. */
export const REPORT_NAME = 'rootlock';
export const POLICY = 'rootlock';
export const SOURCE = 'rootlock';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export type PolicyResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
type ReportSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface ReportResult {
  source: string;
  policy: string;
  rule?: string;
  category?: string;
  severity?: ReportSeverity;
  timestamp: { seconds: number; nanos: number };
  result: PolicyResult;
  scored?: boolean;
  resources: ResourceRef[];
  message?: string;
  properties?: Record<string, string>;
}

export interface ReportSummary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

/** What rootlock owns in a report: the rest of the object (metadata) belongs to the writer and the API server. */
export interface ReportBody {
  scope?: ResourceRef;
  summary: ReportSummary;
  results: ReportResult[];
}

const SEVERITY: Record<Severity, { result: PolicyResult; severity: ReportSeverity }> = {
  error: { result: 'fail', severity: 'high' },
  warning: { result: 'warn', severity: 'medium' },
  info: { result: 'warn', severity: 'info' },
};

export function resultOf(finding: Pick<Finding, 'severity' | 'exempted'>): PolicyResult {
  return finding.exempted ? 'skip' : SEVERITY[finding.severity].result;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resultFor(entry: ViewEntry, item: ViewEntry['findings'][number]): ReportResult {
  const { finding, pods, since } = item;
  const properties: Record<string, string> = { path: finding.path };
  if (finding.container !== undefined) properties['container'] = finding.container;
  if (finding.containerType !== undefined) properties['containerType'] = finding.containerType;
  if (finding.hint) properties['fix'] = finding.hint;
  properties['fixable'] = String(finding.fixable);
  if (pods !== undefined) properties['pods'] = String(pods);
  if (finding.exemption) properties['exemption'] = finding.exemption.reason ?? finding.exemption.source;
  if (entry.owner) properties['owner'] = `${entry.owner.kind}/${entry.owner.name}`;
  const mapped = SEVERITY[finding.severity];
  return {
    source: SOURCE,
    policy: POLICY,
    rule: finding.rule,
    category: 'immutability',
    severity: mapped.severity,
    timestamp: { seconds: since, nanos: 0 },
    result: resultOf(finding),
    scored: true,
    resources: [entry.resource],
    message: finding.message,
    properties,
  };
}

/** The body of a scope's report; results in a stable order so an unchanged view is an unchanged body. */
export function reportBody(entries: readonly ViewEntry[], now: number): ReportBody {
  const results: ReportResult[] = [];
  for (const entry of entries) {
    for (const item of entry.findings) results.push(resultFor(entry, item));
    for (const error of entry.errors) {
      results.push({ source: SOURCE, policy: POLICY, timestamp: { seconds: now, nanos: 0 }, result: 'error', resources: [entry.resource], message: error.message, properties: { code: error.code } });
    }
    if (entry.findings.every((item) => item.finding.exempted) && entry.errors.length === 0) {
      const since = Math.min(now, ...entry.findings.map((item) => item.since));
      results.push({ source: SOURCE, policy: POLICY, timestamp: { seconds: since, nanos: 0 }, result: 'pass', scored: true, resources: [entry.resource], message: 'no findings' });
    }
  }
  const keyOf = (result: ReportResult) => {
    const resource = result.resources[0];
    return [resource?.kind ?? '', resource?.name ?? '', result.rule ?? '', result.properties?.['container'] ?? '', result.properties?.['path'] ?? '', result.result, result.message ?? ''].join('\u0000');
  };
  results.sort((a, b) => compare(keyOf(a), keyOf(b)));
  const summary: ReportSummary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const result of results) summary[result.result]++;
  return { summary, results };
}

/** The whole object to create: a PolicyReport in `scope`, or the ClusterPolicyReport for CLUSTER_SCOPE. */
export function reportObject(scope: string, body: ReportBody, metadata: { ownerReferences?: unknown[] } = {}): Record<string, unknown> {
  const cluster = scope === CLUSTER_SCOPE;
  return {
    apiVersion: REPORT_API_VERSION,
    kind: cluster ? 'ClusterPolicyReport' : 'PolicyReport',
    metadata: {
      name: REPORT_NAME,
      ...(cluster ? {} : { namespace: scope }),
      labels: { [MANAGED_BY_LABEL]: 'rootlock' },
      ...(metadata.ownerReferences ? { ownerReferences: metadata.ownerReferences } : {}),
    },
    summary: body.summary,
    results: body.results,
  };
}

/** REST path of a scope's report; `name` omitted for the collection. */
export function reportPath(scope: string, name?: string): string {
  const base = scope === CLUSTER_SCOPE
    ? `/apis/${REPORT_API_VERSION}/clusterpolicyreports`
    : `/apis/${REPORT_API_VERSION}/namespaces/${encodeURIComponent(scope)}/policyreports`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}
