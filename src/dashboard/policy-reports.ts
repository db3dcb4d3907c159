// `rootlock dashboard` reads the PolicyReports that the continuous auditor
// (`audit --cluster --watch --policy-reports`) keeps, when the cluster has
// them, instead of auditing the cluster itself: the watcher already holds the
// findings, and reading one report per namespace is far cheaper than a full
// list of every workload. This turns the reports back into the audit report
// the page renders; src/cluster/policy-report.ts is the mapping it inverts.
import { isObject } from '../core/path.js';
import type { FailOn, Finding, InputError, Severity } from '../core/types.js';
import { buildReport } from '../app/audit.js';
import type { ClusterConnection } from '../cluster/connection.js';
import { listAll } from '../cluster/list.js';
import { MANAGED_BY_LABEL, POLICY, REPORT_API_VERSION } from '../cluster/policy-report.js';
import { objectApiReference } from '../cluster/resources.js';
import { CLUSTER_POLICY_REPORTS, POLICY_REPORTS } from '../cluster/watch.js';
import type { AuditReport } from '../report/model.js';

export interface ReportsRead {
  report: AuditReport;
  /** When the newest of the reports was last written (ISO time): when the findings last changed. */
  changedAt: string;
  /** How many report objects were read. */
  reports: number;
}

/** Kinds the audit reads for one field; they are objects, not workloads (the one-shot audit does not count them either). */
const NOT_WORKLOADS = new Set(['Namespace', 'ServiceAccount']);

function severityOf(result: string, severity: unknown): Severity {
  if (result === 'fail') return 'error';
  if (result === 'skip') return severity === 'high' ? 'error' : severity === 'info' ? 'info' : 'warning';
  return severity === 'info' ? 'info' : 'warning';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The latest time the API server recorded a write of `object` (its managed fields), else when it was created. */
function writtenAt(object: Record<string, unknown>): number {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  let latest = Date.parse(text(metadata['creationTimestamp']) ?? '') || 0;
  for (const entry of Array.isArray(metadata['managedFields']) ? metadata['managedFields'] : []) {
    if (isObject(entry)) latest = Math.max(latest, Date.parse(text(entry['time']) ?? '') || 0);
  }
  return latest;
}

/**
 * The audit report held by rootlock's PolicyReports (and its ClusterPolicyReport),
 * or undefined when the cluster does not serve the kinds or holds no report of rootlock's.
 * Throws when the API server refuses the list, so the page says why.
 */
export async function readPolicyReports(connection: ClusterConnection, options: { namespaces?: readonly string[]; failOn: FailOn; version: string }): Promise<ReportsRead | undefined> {
  const group = await connection.get(`/apis/${REPORT_API_VERSION}`);
  if (group.status === 404) return undefined;
  const objects: Record<string, unknown>[] = [];
  const labelSelector = `${MANAGED_BY_LABEL}=rootlock`;
  const lists = options.namespaces
    ? options.namespaces.map((namespace) => listAll(connection, POLICY_REPORTS, { namespace, labelSelector }))
    : [listAll(connection, POLICY_REPORTS, { labelSelector }), listAll(connection, CLUSTER_POLICY_REPORTS, { labelSelector })];
  for (const listed of await Promise.all(lists)) {
    if ('error' in listed) throw new Error(listed.error.message);
    objects.push(...listed.items);
  }
  const findings: Finding[] = [];
  const errors: InputError[] = [];
  const workloads = new Set<string>();
  const objectsSeen = new Set<string>();
  let ours = 0;
  let latest = 0;
  for (const object of objects) {
    const results = Array.isArray(object['results']) ? object['results'].filter(isObject).filter((r) => r['policy'] === POLICY) : [];
    if (results.length === 0) continue;
    ours++;
    latest = Math.max(latest, writtenAt(object));
    for (const result of results) {
      const resource = Array.isArray(result['resources']) && isObject(result['resources'][0]) ? result['resources'][0] : undefined;
      if (!resource) continue;
      const ref = { apiVersion: text(resource['apiVersion']) ?? '', kind: text(resource['kind']) ?? '', name: text(resource['name']) ?? '', ...(text(resource['namespace']) !== undefined ? { namespace: text(resource['namespace'])! } : {}) };
      const file = objectApiReference({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) } });
      objectsSeen.add(file);
      if (!NOT_WORKLOADS.has(ref.kind)) workloads.add(file);
      const properties = isObject(result['properties']) ? result['properties'] : {};
      const outcome = text(result['result']) ?? '';
      const rule = text(result['rule']);
      if (outcome === 'error') {
        errors.push({ file, code: text(properties['code']) ?? 'error', message: text(result['message']) ?? '' });
        continue;
      }
      if (rule === undefined || outcome === 'pass') continue;
      // The report keeps an exemption's reason, or its source when it has none.
      const exemption = text(properties['exemption']);
      const containerType = text(properties['containerType']);
      const pods = Number(properties['pods']);
      const owner = text(properties['owner'])?.split('/');
      findings.push({
        rule,
        severity: severityOf(outcome, result['severity']),
        message: text(result['message']) ?? '',
        hint: text(properties['fix']) ?? '',
        file,
        object: ref,
        ...(text(properties['container']) !== undefined ? { container: text(properties['container'])! } : {}),
        ...(containerType === 'container' || containerType === 'initContainer' || containerType === 'ephemeralContainer' ? { containerType } : {}),
        path: text(properties['path']) ?? '',
        fixable: properties['fixable'] === 'true',
        exempted: outcome === 'skip',
        ...(exemption !== undefined ? { exemption: exemption === 'annotation' || exemption === 'config' ? { source: exemption } : { source: 'annotation' as const, reason: exemption } } : {}),
        ...(Number.isInteger(pods) && pods >= 0 && properties['pods'] !== undefined ? { pods } : {}),
        ...(owner && owner.length === 2 ? { owner: { apiVersion: '', kind: owner[0]!, name: owner[1]!, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) } } : {}),
      });
    }
  }
  if (ours === 0) return undefined;
  const built = buildReport({ findings, errors, notices: [], files: 0, documents: 0, objects: objectsSeen.size, workloads: workloads.size, failOn: options.failOn, version: options.version });
  const { version, tool, ...rest } = built;
  const report: AuditReport = { version, tool, cluster: { context: connection.context, server: connection.server, ...(options.namespaces ? { namespaces: [...options.namespaces] } : {}), pods: 0 }, ...rest };
  return { report, changedAt: new Date(latest || Date.now()).toISOString(), reports: ours };
}
