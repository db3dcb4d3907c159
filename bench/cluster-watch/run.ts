// bench/cluster-watch: the continuous audit against a real API server (the
// test control plane; no kubelet: Pods are stored, not run). Deployments
// (replicas 0, so the controller manager makes one empty ReplicaSet each) and
// Pods owned by those ReplicaSets, across namespaces. Measured in one run:
//   - initial list-and-audit (start to ready) against a bare paginated list of the same resources
//   - retained heap of the watch state against the same objects held as a bare informer cache keeps them
//   - change -> PolicyReport latency (a Deployment's image changed; p50, p99)
//   - API requests per change
// Usage: node --expose-gc dist/bench/cluster-watch/run.js [workloads=1000] [podsPerWorkload=3] [namespaces=20] [changes=30]
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '../../src/cluster/connection.js';
import type { ClusterConnection } from '../../src/cluster/connection.js';
import { listAll } from '../../src/cluster/list.js';
import { AUDITED_RESOURCES } from '../../src/cluster/resources.js';
import { startWatch } from '../../src/cluster/watch.js';
import { emptyConfig } from '../../src/core/config.js';
import { RULES } from '../../src/rules/index.js';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import type { ControlPlane } from '../../test/helpers/control-plane.js';
import { installReportCrds } from '../../test/helpers/watcher.js';

const workloads = Number(process.argv[2] ?? 1000);
const podsPer = Number(process.argv[3] ?? 3);
const namespaceCount = Number(process.argv[4] ?? 20);
const changes = Number(process.argv[5] ?? 30);

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

async function populate(cp: ControlPlane): Promise<void> {
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `bench-${i}`);
  for (const name of namespaces) await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const indices = Array.from({ length: workloads }, (_, i) => i);
  await inPool(indices, 16, async (i) => {
    const namespace = namespaces[i % namespaceCount] as string;
    const res = await cp.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `web-${i}`, namespace },
      spec: { replicas: 0, selector: { matchLabels: { app: `web-${i}` } }, template: { metadata: { labels: { app: `web-${i}` } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
    });
    if (res.status !== 201) throw new Error(`create Deployment: ${res.status} ${JSON.stringify(res.body)}`);
  });
  // The ReplicaSets the controller manager makes; Pods are created as if they had made them.
  const replicaSets = new Map<string, { namespace: string; name: string; uid: string }>();
  for (;;) {
    const res = await cp.request('GET', '/apis/apps/v1/replicasets');
    for (const item of (res.body as { items: Array<{ metadata: { name: string; namespace: string; uid: string } }> }).items) replicaSets.set(item.metadata.uid, item.metadata);
    if (replicaSets.size >= workloads) break;
    await sleep(500);
  }
  const pods = [...replicaSets.values()].flatMap((rs) => Array.from({ length: podsPer }, (_, j) => ({ rs, j })));
  await inPool(pods, 16, async ({ rs, j }) => {
    const res = await cp.request('POST', `/api/v1/namespaces/${rs.namespace}/pods`, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${rs.name}-${j}`, namespace: rs.namespace, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.name, uid: rs.uid, controller: true }] },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    });
    if (res.status !== 201) throw new Error(`create Pod: ${res.status} ${JSON.stringify(res.body)}`);
  });
}

async function bareList(connection: ClusterConnection): Promise<{ ms: number; objects: unknown[] }> {
  const started = performance.now();
  const objects: unknown[] = [];
  for (const type of AUDITED_RESOURCES) {
    // Raw pages, as a bare informer cache stores them: whole objects, status and managedFields included.
    let token: string | undefined;
    do {
      const res = await connection.get(`${type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`}/${type.plural}`, { limit: '500', continue: token });
      const body = res.body as { items: unknown[]; metadata: { continue?: string } };
      objects.push(...body.items);
      token = body.metadata.continue || undefined;
    } while (token);
  }
  return { ms: performance.now() - started, objects };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  if (!gc) console.error('run with node --expose-gc for the memory figures');
  const cp = await startControlPlane();
  try {
    const t0 = performance.now();
    await populate(cp);
    await installReportCrds(cp);
    console.log(`cluster: ${workloads} Deployments, ${workloads} ReplicaSets, ${workloads * podsPer} Pods in ${namespaceCount} namespaces (created in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const connected = await connect({ kubeconfig: cp.kubeconfigPath, env: {} });
    if ('problem' in connected) throw new Error(connected.problem);
    const connection = connected.connection;
    // Warm-up: the API server's watch cache and this process's JIT.
    await bareList(connection);
    await listAll(connection, AUDITED_RESOURCES[2] as (typeof AUDITED_RESOURCES)[number]);

    const before = heap();
    const bare = await bareList(connection);
    const bareHeap = heap() - before;
    const bareCount = bare.objects.length;
    bare.objects.length = 0;

    let requests = 0;
    const base = heap();
    const started = performance.now();
    const result = await startWatch({
      connection, rules: RULES, config: emptyConfig(), today: '2026-06-01', policyReports: true, reportIntervalMs: 200,
      log: (line) => console.error(line), onRequest: () => requests++,
    });
    if ('problem' in result) throw new Error(result.problem);
    const { watcher } = result;
    await watcher.ready;
    const syncMs = performance.now() - started;
    await sleep(3000);
    const watchHeap = heap() - base;
    console.log(`objects: ${bareCount} listed bare, ${watcher.state.size} held by the watch state`);
    console.log(`initial list: bare paginated list ${bare.ms.toFixed(0)} ms, list-and-audit ${syncMs.toFixed(0)} ms: ratio ${(syncMs / bare.ms).toFixed(2)}x`);
    console.log(`retained heap: bare informer cache ${(bareHeap / 2 ** 20).toFixed(1)} MiB, watch state ${(watchHeap / 2 ** 20).toFixed(1)} MiB: ratio ${(watchHeap / bareHeap).toFixed(2)}x`);

    // Change -> report latency: one Deployment at a time is made privileged, and the report is polled until it says so.
    // (Removing a finding would not do: the Deployment's Pods, which no kubelet replaces here, still have it.)
    const latencies: number[] = [];
    const requestsBefore = requests;
    for (let c = 0; c < changes; c++) {
      const i = c * Math.floor(workloads / changes);
      const namespace = `bench-${i % namespaceCount}`;
      const patched = performance.now();
      const res = await cp.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/web-${i}`);
      const deployment = res.body as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
      (deployment.spec.template.spec.containers[0] as Record<string, unknown>)['securityContext'] = { privileged: true };
      await cp.request('PUT', `/apis/apps/v1/namespaces/${namespace}/deployments/web-${i}`, deployment);
      for (;;) {
        const report = await cp.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${namespace}/policyreports/rootlock`);
        const results = (report.body as { results?: Array<{ rule?: string; resources: Array<{ name: string }> }> }).results ?? [];
        if (results.some((r) => r.rule === 'no-privileged' && r.resources[0]?.name === `web-${i}`)) break;
        await sleep(10);
      }
      latencies.push(performance.now() - patched);
      await sleep(250);
    }
    const perChange = (requests - requestsBefore) / changes;
    console.log(`change -> PolicyReport: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms over ${changes} changes (report interval 0.2 s)`);
    console.log(`API requests by the auditor per change: ${perChange.toFixed(2)} (list, watch and write requests; ${requests} in all)`);
    await watcher.stop();
  } finally {
    await cp.stop();
  }
}

await main();
