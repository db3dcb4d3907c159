// `rootlock verify --cluster`: runs the user's manifests in a throwaway
// namespace of their own cluster and reports whether each workload comes up
// with the settings it has (read-only root and all). Every object is first
// sent as a server-side dry run, so a manifest the API server would refuse
// creates nothing; the namespace is deleted however the run ends.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiResponse, ClusterConnection } from './connection.js';
import { judgeWorkload, type Judgement, type PodJson, type Verdict, type WorkloadJson } from './verify-readiness.js';
import { suggestFromLogs } from '../suggest/logs.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'rootlock' } as const;
export const NAMESPACE_PREFIX = 'rootlock-verify-';

/** The kinds verify can create, where their API lives, and whether it waits for them to come up. */
const KINDS: Readonly<Record<string, { prefix: string; plural: string; workload: boolean }>> = {
  Pod: { prefix: '/api/v1', plural: 'pods', workload: true },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments', workload: true },
  StatefulSet: { prefix: '/apis/apps/v1', plural: 'statefulsets', workload: true },
  DaemonSet: { prefix: '/apis/apps/v1', plural: 'daemonsets', workload: true },
  ReplicaSet: { prefix: '/apis/apps/v1', plural: 'replicasets', workload: true },
  Job: { prefix: '/apis/batch/v1', plural: 'jobs', workload: true },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps', workload: false },
  Secret: { prefix: '/api/v1', plural: 'secrets', workload: false },
  Service: { prefix: '/api/v1', plural: 'services', workload: false },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', workload: false },
  PersistentVolumeClaim: { prefix: '/api/v1', plural: 'persistentvolumeclaims', workload: false },
};

/** One object read from a manifest, with where it was read. */
export interface ManifestObject {
  file: string;
  line: number;
  value: Record<string, unknown>;
}

export interface ObjectProblem {
  file: string;
  line: number;
  /** `Kind/name`. */
  object: string;
  message: string;
}

export interface WorkloadVerdict {
  file: string;
  line: number;
  kind: string;
  name: string;
  verdict: Verdict;
  reason: string;
  /** Directories to mount, from "Read-only file system" lines in a failing workload's logs (the `suggest` engine's). */
  mounts: Array<{ path: string; evidence: string[] }>;
}

export interface ClusterVerifyResult {
  context: string;
  namespace?: string;
  /** Objects the API server refused in the dry run (then nothing was created), or verify cannot create. */
  rejected: ObjectProblem[];
  workloads: WorkloadVerdict[];
  /** Requests that failed, the interruption, and a namespace left behind. */
  errors: string[];
  /** False when the namespace could not be deleted (it is named in errors). */
  cleanedUp: boolean;
}

export interface ClusterVerifyOptions {
  connection: ClusterConnection;
  objects: readonly ManifestObject[];
  timeoutMs: number;
  /**
   * How long a workload must stay Ready, its containers not restarting, to pass: a container
   * without a readiness probe is Ready the moment it starts, before a read-only root can stop it.
   */
  settleMs?: number;
  /** How long to wait for the namespace to be gone. */
  deleteTimeoutMs?: number;
  pollMs?: number;
  /** Aborted on SIGINT/SIGTERM: stop waiting and clean up. */
  signal?: AbortSignal;
  /** Called once the namespace exists (the CLI says which one, so a user who kills verify knows what to delete). */
  onNamespace?: (name: string) => void;
}

/** The API server's own sentence for a refused request (a Status object), or the HTTP status and body. */
export function apiMessage(res: ApiResponse): string {
  const body = res.body as { kind?: string; message?: string } | undefined;
  if (body?.kind === 'Status' && body.message) return body.message;
  return `HTTP ${res.status}: ${res.text.slice(0, 300).trim()}`;
}

const ok = (res: ApiResponse) => res.status >= 200 && res.status < 300;

function nameOf(value: Record<string, unknown>): string {
  const metadata = value['metadata'] as { name?: unknown; generateName?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? metadata.name : typeof metadata?.generateName === 'string' ? `${metadata.generateName}*` : '?';
}

/** The object as it is sent: in the throwaway namespace, whatever namespace the manifest named. */
function placed(value: Record<string, unknown>, namespace: string): Record<string, unknown> {
  const metadata = { ...((value['metadata'] as Record<string, unknown> | undefined) ?? {}), namespace };
  return { ...value, metadata };
}

interface Created {
  source: ManifestObject;
  kind: string;
  name: string;
  uid: string;
  path: string;
}

export async function verifyInCluster(options: ClusterVerifyOptions): Promise<ClusterVerifyResult> {
  const { connection, signal } = options;
  const pollMs = options.pollMs ?? 1000;
  const result: ClusterVerifyResult = { context: connection.context, rejected: [], workloads: [], errors: [], cleanedUp: true };

  // Refuse what verify cannot create before touching the cluster.
  const sendable: Array<{ source: ManifestObject; kind: string }> = [];
  for (const source of options.objects) {
    const kind = typeof source.value['kind'] === 'string' ? source.value['kind'] : '?';
    if (!KINDS[kind]) {
      result.rejected.push({ file: source.file, line: source.line, object: `${kind}/${nameOf(source.value)}`, message: `verify --cluster creates only ${Object.keys(KINDS).join(', ')}` });
    } else sendable.push({ source, kind });
  }
  if (result.rejected.length) return result;
  if (!sendable.some((s) => KINDS[s.kind]!.workload)) {
    result.errors.push('the manifests hold no workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet or Job) to verify');
    return result;
  }

  const made = await connection.send('POST', '/api/v1/namespaces', {}, {
    apiVersion: 'v1', kind: 'Namespace', metadata: { generateName: NAMESPACE_PREFIX, labels: { ...MANAGED_BY } },
  });
  if (!ok(made)) {
    result.errors.push(`cannot create a namespace to verify in: ${apiMessage(made)}`);
    return result;
  }
  const namespace = (made.body as { metadata: { name: string } }).metadata.name;
  result.namespace = namespace;
  options.onNamespace?.(namespace);
  try {
    const pathOf = (kind: string) => `${KINDS[kind]!.prefix}/namespaces/${namespace}/${KINDS[kind]!.plural}`;
    for (const { source, kind } of sendable) {
      const res = await sendOnceReady(connection, pathOf(kind), { dryRun: 'All' }, placed(source.value, namespace), pollMs);
      if (!ok(res)) result.rejected.push({ file: source.file, line: source.line, object: `${kind}/${nameOf(source.value)}`, message: apiMessage(res) });
    }
    if (result.rejected.length || signal?.aborted) {
      if (signal?.aborted) result.errors.push('interrupted');
      return result;
    }
    const created: Created[] = [];
    for (const { source, kind } of sendable) {
      const res = await sendOnceReady(connection, pathOf(kind), {}, placed(source.value, namespace), pollMs);
      if (!ok(res)) {
        result.errors.push(`${source.file}:${source.line}: ${kind}/${nameOf(source.value)}: ${apiMessage(res)}`);
        return result;
      }
      const metadata = (res.body as { metadata: { name: string; uid: string } }).metadata;
      if (KINDS[kind]!.workload) created.push({ source, kind, name: metadata.name, uid: metadata.uid, path: `${pathOf(kind)}/${metadata.name}` });
    }
    const judged = await waitForWorkloads(connection, namespace, created, options.timeoutMs, options.settleMs ?? 0, pollMs, signal);
    const warnings = judged.some((j) => j.judgement.verdict === undefined) ? await warningEvents(connection, namespace, result.errors) : [];
    for (const { workload, judgement, pods, replicaSets } of judged) {
      const verdict: Verdict = judgement.verdict ?? 'unknown';
      let reason = judgement.verdict ? judgement.reason : `${signal?.aborted ? 'interrupted' : `not Ready within ${options.timeoutMs / 1000} s`}; last state: ${judgement.reason}`;
      if (!judgement.verdict) {
        const mine = new Set([workload.uid, ...replicaSets, ...pods.map((pod) => pod.metadata?.uid)]);
        const last = warnings.filter((e) => mine.has(e.involvedObject?.uid)).at(-1);
        if (last) reason += `; last warning: ${last.reason ?? '?'}: ${last.message ?? ''}`.trimEnd();
      }
      const mounts = verdict === 'fail' ? await mountsFromLogs(connection, namespace, pods, result.errors) : [];
      result.workloads.push({ file: workload.source.file, line: workload.source.line, kind: workload.kind, name: workload.name, verdict, reason, mounts });
    }
    if (signal?.aborted) result.errors.push('interrupted');
    return result;
  } catch (error) {
    result.errors.push(`lost the API server: ${(error as Error).message}`);
    return result;
  } finally {
    const problem = await deleteNamespace(connection, namespace, options.deleteTimeoutMs ?? 60_000, pollMs);
    if (problem) {
      result.cleanedUp = false;
      result.errors.push(problem);
    }
  }
}

/** A new namespace's default ServiceAccount: the controller manager adds it a moment after the namespace. */
const NO_DEFAULT_ACCOUNT = /serviceaccounts? "default" not found/;
const ACCOUNT_WAIT_MS = 15_000;

/** POSTs an object; while the namespace's default ServiceAccount is not there yet, asks again (no other refusal is retried). */
async function sendOnceReady(connection: ClusterConnection, path: string, query: Record<string, string>, body: unknown, pollMs: number): Promise<ApiResponse> {
  const deadline = Date.now() + ACCOUNT_WAIT_MS;
  for (;;) {
    const res = await connection.send('POST', path, query, body);
    if (ok(res) || !NO_DEFAULT_ACCOUNT.test(apiMessage(res)) || Date.now() >= deadline) return res;
    await sleep(Math.min(pollMs, 250));
  }
}

interface Judged {
  workload: Created;
  judgement: Judgement;
  pods: PodJson[];
  /** UIDs of the ReplicaSets a Deployment made: a controller's warnings (FailedCreate) are about them. */
  replicaSets: string[];
}

/** Polls the workloads and their pods until each has a verdict, the time is up, or the signal fires. */
async function waitForWorkloads(connection: ClusterConnection, namespace: string, created: readonly Created[], timeoutMs: number, settleMs: number, pollMs: number, signal: AbortSignal | undefined): Promise<Judged[]> {
  const deadline = Date.now() + timeoutMs;
  // When each workload was first seen passing, and its containers' restarts then: a restart starts the wait again.
  const passing = new Map<Created, { since: number; restarts: number }>();
  let last: Judged[] = created.map((workload) => ({ workload, judgement: { reason: 'not read yet' }, pods: [], replicaSets: [] }));
  for (;;) {
    const pods = await connection.get(`/api/v1/namespaces/${namespace}/pods`);
    const replicaSets = created.some((c) => c.kind === 'Deployment') ? await connection.get(`/apis/apps/v1/namespaces/${namespace}/replicasets`) : undefined;
    for (const res of [pods, replicaSets]) if (res && !ok(res)) throw new Error(apiMessage(res));
    const podItems = ((pods.body as { items?: PodJson[] }).items ?? []);
    // A Deployment owns its pods through a ReplicaSet: map each ReplicaSet to its Deployment.
    const ownerOf = new Map<string, string>();
    for (const rs of ((replicaSets?.body as { items?: PodJson[] } | undefined)?.items ?? [])) {
      const owner = rs.metadata?.ownerReferences?.find((o) => o.controller);
      if (owner?.uid && rs.metadata?.uid) ownerOf.set(rs.metadata.uid, owner.uid);
    }
    const podsOf = (uid: string) => podItems.filter((pod) => {
      const owner = pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
      return owner !== undefined && (owner === uid || ownerOf.get(owner) === uid);
    });
    const next: Judged[] = [];
    for (const workload of created) {
      const res = await connection.get(workload.path);
      if (!ok(res)) throw new Error(`cannot read ${workload.kind}/${workload.name}: ${apiMessage(res)}`);
      const object = res.body as WorkloadJson & PodJson;
      const own = workload.kind === 'Pod' ? [object] : podsOf(workload.uid);
      const replicaSets = [...ownerOf].filter(([, owner]) => owner === workload.uid).map(([rs]) => rs);
      next.push({ workload, judgement: settled(judgeWorkload({ ...object, kind: workload.kind }, own), workload, own, passing, settleMs), pods: own, replicaSets });
    }
    last = next;
    if (last.every((j) => j.judgement.verdict !== undefined) || signal?.aborted) return last;
    const left = deadline - Date.now();
    if (left <= 0) return last;
    try {
      await sleep(Math.min(pollMs, left), undefined, signal ? { signal } : {});
    } catch {
      // Aborted: the loop reads once more and returns.
    }
  }
}

/** The sum of the pods' container restarts. */
function restarts(pods: readonly PodJson[]): number {
  let count = 0;
  for (const pod of pods) for (const status of pod.status?.containerStatuses ?? []) count += status.restartCount ?? 0;
  return count;
}

/** A pass counts once it has held for the settle time with no restart; until then the workload is still being watched. */
function settled(judgement: Judgement, workload: Created, pods: readonly PodJson[], passing: Map<Created, { since: number; restarts: number }>, settleMs: number): Judgement {
  if (judgement.verdict !== 'pass') {
    passing.delete(workload);
    return judgement;
  }
  const now = Date.now();
  const count = restarts(pods);
  const seen = passing.get(workload);
  if (!seen || seen.restarts !== count) {
    passing.set(workload, { since: now, restarts: count });
    if (settleMs > 0) return { reason: `${judgement.reason}; watching it stay up for ${settleMs / 1000} s` };
    return judgement;
  }
  if (now - seen.since >= settleMs) return { ...judgement, reason: `${judgement.reason} for ${Math.round((now - seen.since) / 100) / 10} s` };
  return { reason: `${judgement.reason}; watching it stay up for ${settleMs / 1000} s` };
}

interface EventJson {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { uid?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  metadata?: { creationTimestamp?: string };
}

/** The namespace's Warning events, oldest first: what the scheduler or a controller said about a workload that did not come up (FailedScheduling, FailedCreate). */
async function warningEvents(connection: ClusterConnection, namespace: string, errors: string[]): Promise<EventJson[]> {
  const res = await connection.get(`/api/v1/namespaces/${namespace}/events`, { fieldSelector: 'type=Warning' });
  if (!ok(res)) {
    errors.push(`cannot list the events of namespace ${namespace}: ${apiMessage(res)}`);
    return [];
  }
  const when = (e: EventJson) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  return ((res.body as { items?: EventJson[] }).items ?? []).sort((a, b) => when(a).localeCompare(when(b)));
}

/** Reads the current and previous logs of every container of the failing pods and asks the suggest engine for mounts. */
async function mountsFromLogs(connection: ClusterConnection, namespace: string, pods: readonly PodJson[], errors: string[]): Promise<WorkloadVerdict['mounts']> {
  const byPath = new Map<string, string[]>();
  for (const pod of pods) {
    const name = pod.metadata?.name;
    if (!name) continue;
    const containers = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const container of containers) {
      for (const previous of ['false', 'true']) {
        const res = await connection.get(`/api/v1/namespaces/${namespace}/pods/${name}/log`, { container: container.name, previous });
        // No previous instance is a 400, not a problem.
        if (res.status === 400) continue;
        if (!ok(res)) {
          errors.push(`cannot read the logs of pod ${name} container "${container.name ?? '?'}": ${apiMessage(res)}`);
          continue;
        }
        for (const suggestion of suggestFromLogs(res.text).suggestions) {
          const evidence = byPath.get(suggestion.path) ?? [];
          evidence.push(...suggestion.evidence.map((e) => e.text));
          byPath.set(suggestion.path, evidence);
        }
      }
    }
  }
  return [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, evidence]) => ({ path, evidence: [...new Set(evidence)] }));
}

/** Deletes the namespace and waits for it to be gone; a sentence naming it when it could not be. */
export async function deleteNamespace(connection: ClusterConnection, namespace: string, timeoutMs: number, pollMs: number): Promise<string | undefined> {
  const path = `/api/v1/namespaces/${namespace}`;
  const leftBehind = (why: string) => `namespace ${namespace} could not be deleted (${why}); delete it with: kubectl delete namespace ${namespace}`;
  try {
    const res = await connection.send('DELETE', path, {}, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    if (!ok(res) && res.status !== 404) return leftBehind(apiMessage(res));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await connection.get(path);
      if (now.status === 404) return undefined;
      if (!ok(now)) return leftBehind(apiMessage(now));
      if (Date.now() >= deadline) return leftBehind(`still there after ${timeoutMs / 1000} s`);
      await sleep(pollMs);
    }
  } catch (error) {
    return leftBehind((error as Error).message);
  }
}
