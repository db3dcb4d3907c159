// Keeps one report per scope in the cluster: created when missing, updated in
// place with a resourceVersion-conditional PUT, created again when someone
// deletes it, deleted when its scope holds nothing any more. Writes are
// rate-limited per scope (a burst of changes becomes one write) and a few at a
// time overall, and a body equal to the last one written is not sent.
import { createHash } from 'node:crypto';
import { isObject } from '../core/path.js';
import type { ClusterConnection } from './connection.js';
import { statusMessage } from './list.js';
import { REPORT_NAME, reportObject, reportPath } from './policy-report.js';
import type { ReportBody } from './policy-report.js';
import { CLUSTER_SCOPE } from './watch-state.js';

export interface ReportWriterOptions {
  /** The cluster report's owner (a cluster-scoped object: rootlock's own Namespace), so uninstalling rootlock removes it. */
  clusterOwner?: { apiVersion: string; kind: string; name: string; uid: string };
  /** Writes at once: enough to catch up after the first list without flooding the API server. */
  concurrency?: number;
  /** Reported once per distinct problem (a namespace being deleted is not one). */
  onProblem: (message: string) => void;
  onWrite?: (scope: string, outcome: 'created' | 'updated' | 'deleted' | 'conflict') => void;
}

interface Written {
  /** A hash of the body last written, to skip identical writes (the body itself would be a second copy of every report). */
  digest?: string;
  resourceVersion?: string;
}

function digest(body: ReportBody): string {
  return createHash('sha1').update(JSON.stringify(body)).digest('base64');
}

export class ReportWriter {
  private readonly written = new Map<string, Written>();
  private active = 0;
  private readonly queue: Array<() => void> = [];
  private readonly reported = new Set<string>();

  constructor(private readonly connection: ClusterConnection, private readonly options: ReportWriterOptions) {}

  /** What the report watch saw: the report's current resourceVersion, or that it is gone. */
  observed(scope: string, resourceVersion: string | undefined, ours: boolean): void {
    const entry = this.written.get(scope) ?? {};
    if (resourceVersion === undefined) {
      this.written.set(scope, {});
      return;
    }
    // A report edited by someone else no longer holds what we wrote: write it again.
    if (!ours) delete entry.digest;
    entry.resourceVersion = resourceVersion;
    this.written.set(scope, entry);
  }

  /** Whether `body` differs from what the cluster holds as far as this writer knows. */
  isStale(scope: string, body: ReportBody | undefined): boolean {
    const entry = this.written.get(scope);
    if (body === undefined) return entry?.resourceVersion !== undefined || entry?.digest !== undefined;
    return entry?.digest !== digest(body);
  }

  /** Writes a scope's report (or deletes it when `body` is undefined). */
  async write(scope: string, body: ReportBody | undefined): Promise<void> {
    if (!this.isStale(scope, body)) return;
    await this.slot();
    try {
      if (body === undefined) await this.remove(scope);
      else await this.put(scope, body);
    } finally {
      this.release();
    }
  }

  private async slot(): Promise<void> {
    if (this.active < (this.options.concurrency ?? 4)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.queue.shift()?.();
  }

  private problem(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.options.onProblem(message);
  }

  private describe(scope: string): string {
    return scope === CLUSTER_SCOPE ? `ClusterPolicyReport ${REPORT_NAME}` : `PolicyReport ${scope}/${REPORT_NAME}`;
  }

  private async put(scope: string, body: ReportBody): Promise<void> {
    const written = digest(body);
    const owner = scope === CLUSTER_SCOPE && this.options.clusterOwner ? { ownerReferences: [{ ...this.options.clusterOwner, blockOwnerDeletion: false }] } : {};
    const object = reportObject(scope, body, owner);
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = this.written.get(scope) ?? {};
      const response = entry.resourceVersion === undefined
        ? await this.connection.send('POST', reportPath(scope), {}, object)
        : await this.connection.send('PUT', reportPath(scope, REPORT_NAME), {}, { ...object, metadata: { ...(object['metadata'] as object), resourceVersion: entry.resourceVersion } });
      if (response.status === 200 || response.status === 201) {
        const metadata = isObject(response.body) && isObject(response.body['metadata']) ? response.body['metadata'] : {};
        const resourceVersion = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
        this.written.set(scope, { digest: written, ...(resourceVersion !== undefined ? { resourceVersion } : {}) });
        this.options.onWrite?.(scope, response.status === 201 ? 'created' : 'updated');
        return;
      }
      if (response.status === 409) {
        // Created meanwhile (POST) or changed since we read it (PUT): read the current resourceVersion and try again.
        this.options.onWrite?.(scope, 'conflict');
        const current = await this.connection.get(reportPath(scope, REPORT_NAME));
        const metadata = isObject(current.body) && isObject(current.body['metadata']) ? current.body['metadata'] : {};
        const resourceVersion = current.status === 200 && typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
        this.written.set(scope, resourceVersion !== undefined ? { resourceVersion } : {});
        continue;
      }
      if (response.status === 404 && entry.resourceVersion !== undefined) {
        // Deleted since we wrote it: create it again.
        this.written.set(scope, {});
        continue;
      }
      if (scope !== CLUSTER_SCOPE && (response.status === 404 || (response.status === 403 && /being terminated/.test(statusMessage(response))))) {
        // The namespace is gone or going; its report goes with it.
        this.written.delete(scope);
        return;
      }
      this.problem(`cannot write ${this.describe(scope)}: ${statusMessage(response)}`);
      return;
    }
  }

  private async remove(scope: string): Promise<void> {
    const response = await this.connection.send('DELETE', reportPath(scope, REPORT_NAME));
    this.written.delete(scope);
    if (response.status === 200 || response.status === 202) this.options.onWrite?.(scope, 'deleted');
    else if (response.status !== 404) this.problem(`cannot delete ${this.describe(scope)}: ${statusMessage(response)}`);
  }
}
