// The continuous audit's Prometheus metrics in the text exposition format
// (version 0.0.4). Few enough series that a small hand-written renderer is
// clearer than a client library. Pure: the server in watch.ts serves render().
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class WatchMetrics {
  /** scope -> `rule\0severity` -> findings. */
  private readonly findings = new Map<string, Map<string, number>>();
  private readonly restarts = new Map<string, number>();
  private readonly writes = new Map<string, number>();
  private readonly latency = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
  auditedObjects = 0;
  leader = false;

  setFindings(scope: string, counts: Map<string, number>): void {
    if (counts.size === 0) this.findings.delete(scope);
    else this.findings.set(scope, counts);
  }

  watchRestarted(resource: string, relist: boolean): void {
    const key = `${resource}\0${relist ? 'relist' : 'reconnect'}`;
    this.restarts.set(key, (this.restarts.get(key) ?? 0) + 1);
  }

  reportWritten(outcome: string): void {
    this.writes.set(outcome, (this.writes.get(outcome) ?? 0) + 1);
  }

  /** One object's audit took `seconds`. */
  observeAudit(seconds: number): void {
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.latency.counts[i] = (this.latency.counts[i] ?? 0) + 1;
    });
    this.latency.sum += seconds;
    this.latency.count++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP rootlock_findings Findings of the continuous audit, by namespace ("" for cluster-scoped objects), rule and severity.');
    out.push('# TYPE rootlock_findings gauge');
    for (const [scope, counts] of [...this.findings].sort()) {
      for (const [key, count] of [...counts].sort()) {
        const [rule = '', severity = ''] = key.split('\0');
        out.push(`rootlock_findings${labels({ namespace: scope, rule, severity })} ${count}`);
      }
    }
    out.push('# HELP rootlock_audited_objects Objects the continuous audit holds findings for.');
    out.push('# TYPE rootlock_audited_objects gauge');
    out.push(`rootlock_audited_objects ${this.auditedObjects}`);
    out.push('# HELP rootlock_watch_restarts_total Watches opened again, by resource and whether a full list was needed.');
    out.push('# TYPE rootlock_watch_restarts_total counter');
    for (const [key, count] of [...this.restarts].sort()) {
      const [resource = '', reason = ''] = key.split('\0');
      out.push(`rootlock_watch_restarts_total${labels({ resource, reason })} ${count}`);
    }
    out.push('# HELP rootlock_policy_report_writes_total Writes of PolicyReports and ClusterPolicyReports, by outcome.');
    out.push('# TYPE rootlock_policy_report_writes_total counter');
    for (const [outcome, count] of [...this.writes].sort()) out.push(`rootlock_policy_report_writes_total${labels({ outcome })} ${count}`);
    out.push('# HELP rootlock_leader 1 while this replica holds the lease and writes reports.');
    out.push('# TYPE rootlock_leader gauge');
    out.push(`rootlock_leader ${this.leader ? 1 : 0}`);
    out.push('# HELP rootlock_audit_duration_seconds Time to audit one added or changed object.');
    out.push('# TYPE rootlock_audit_duration_seconds histogram');
    BUCKETS.forEach((bound, i) => out.push(`rootlock_audit_duration_seconds_bucket${labels({ le: String(bound) })} ${this.latency.counts[i] ?? 0}`));
    out.push(`rootlock_audit_duration_seconds_bucket${labels({ le: '+Inf' })} ${this.latency.count}`);
    out.push(`rootlock_audit_duration_seconds_sum ${this.latency.sum}`);
    out.push(`rootlock_audit_duration_seconds_count ${this.latency.count}`);
    return `${out.join('\n')}\n`;
  }
}
