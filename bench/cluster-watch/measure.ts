// One side of the cluster-watch benchmark, in a process of its own so that
// heap and peak RSS belong to it alone (run with --expose-gc):
//   bare:  a bare informer cache: every object of the audited resources listed page by page and kept whole
//   watch: `audit --cluster --watch --policy-reports` until ready, then (with changes > 0)
//          Deployment changes timed to their PolicyReport update, counting the auditor's API requests
// Prints one line, `RESULT {json}`.
// Usage: node --expose-gc dist/bench/cluster-watch/measure.js bare|watch KUBECONFIG [changes] [workloads] [namespaces]
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '../../src/cluster/connection.js';
import type { ClusterConnection } from '../../src/cluster/connection.js';
import { AUDITED_RESOURCES, listPath } from '../../src/cluster/resources.js';
import { startWatch } from '../../src/cluster/watch.js';
import { emptyConfig } from '../../src/core/config.js';
import { RULES } from '../../src/rules/index.js';

const [mode, kubeconfig, changesArg, workloadsArg, namespacesArg] = process.argv.slice(2);
const changes = Number(changesArg ?? 0);
const workloads = Number(workloadsArg ?? 0);
const namespaces = Number(namespacesArg ?? 1);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
function heap(): number {
  (gc as () => void)();
  (gc as () => void)();
  return process.memoryUsage().heapUsed;
}
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function connection(): Promise<ClusterConnection> {
  const connected = await connect({ kubeconfig, env: {} });
  if ('problem' in connected) throw new Error(connected.problem);
  return connected.connection;
}

async function bare(): Promise<Record<string, number>> {
  const conn = await connection();
  const base = heap();
  const rssBase = process.memoryUsage().rss;
  const started = performance.now();
  // As client-go's informers keep them: whole objects (status and managedFields too), by namespace/name.
  const cache = new Map<string, Map<string, unknown>>();
  for (const type of AUDITED_RESOURCES) {
    const store = new Map<string, unknown>();
    cache.set(type.plural, store);
    let token: string | undefined;
    do {
      const res = await conn.get(listPath(type), { limit: '500', continue: token });
      if (res.status !== 200) throw new Error(`list ${type.plural}: ${res.status}`);
      const body = res.body as { items: Array<{ metadata: { namespace?: string; name: string } }>; metadata: { continue?: string } };
      for (const item of body.items) store.set(`${item.metadata.namespace ?? ''}/${item.metadata.name}`, item);
      token = body.metadata.continue || undefined;
    } while (token);
  }
  const ms = performance.now() - started;
  const objects = [...cache.values()].reduce((n, store) => n + store.size, 0);
  const retained = heap() - base;
  // The same cache with managedFields dropped, as informers with a transform (controller-runtime's advice) keep it.
  for (const store of cache.values()) for (const item of store.values()) delete (item as { metadata: { managedFields?: unknown } }).metadata.managedFields;
  const trimmed = heap() - base;
  // Read the cache after the last measurement, so that it is still alive for it.
  const kept = [...cache.values()].reduce((n, store) => n + store.size, 0);
  return { ms, objects: Math.min(objects, kept), retained, trimmed, peakRss: peakRss() - rssBase };
}

async function watch(): Promise<Record<string, number>> {
  const conn = await connection();
  const counts = { get: 0, send: 0, stream: 0 };
  // Every request the auditor makes, whatever part of it makes it.
  const counted: ClusterConnection = {
    ...conn,
    get: (path, query) => (counts.get++, conn.get(path, query)),
    send: (method, path, query, body) => (counts.send++, conn.send(method, path, query, body)),
    ...(conn.stream ? { stream: (path: string, query?: Record<string, string | undefined>) => (counts.stream++, (conn.stream as NonNullable<ClusterConnection['stream']>)(path, query)) } : {}),
  };
  const total = () => counts.get + counts.send + counts.stream;
  const base = heap();
  const rssBase = process.memoryUsage().rss;
  const started = performance.now();
  const result = await startWatch({
    connection: counted, rules: RULES, config: emptyConfig(), today: '2026-06-01', policyReports: true, reportIntervalMs: 2000,
    log: (line) => console.error(line),
  });
  if ('problem' in result) throw new Error(result.problem);
  const { watcher } = result;
  await watcher.ready;
  const ms = performance.now() - started;
  const firstList = total();
  // Let the first reports be written (no request for 3 s), then weigh what stays.
  for (let last = -1; last !== total();) {
    last = total();
    await sleep(3000);
  }
  const firstReports = total() - firstList;
  const retained = heap() - base;
  const out: Record<string, number> = { ms, objects: watcher.state.size, sharedVerdicts: watcher.state.sharedVerdicts, retained, peakRss: peakRss() - rssBase, firstListRequests: firstList, firstReportRequests: firstReports };

  if (changes > 0) {
    const changer = await connection();
    const latencies: number[] = [];
    const before = { ...counts };
    for (let c = 0; c < changes; c++) {
      const i = c * Math.floor(workloads / changes) + (c % namespaces);
      const namespace = `bench-${i % namespaces}`;
      const reportsPath = `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${namespace}/policyreports`;
      const current = await changer.get(`${reportsPath}/rootlock`);
      const rv = (current.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      const events = await (changer.stream as NonNullable<ClusterConnection['stream']>)(reportsPath, { watch: '1', resourceVersion: rv, fieldSelector: 'metadata.name=rootlock' });
      const res = await changer.get(`/apis/apps/v1/namespaces/${namespace}/deployments/web-${i}`);
      const deployment = res.body as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
      (deployment.spec.template.spec.containers[0] as Record<string, unknown>)['securityContext'] = { privileged: true };
      const changed = performance.now();
      const put = await changer.send('PUT', `/apis/apps/v1/namespaces/${namespace}/deployments/web-${i}`, {}, deployment);
      if (put.status !== 200) throw new Error(`PUT web-${i}: ${put.status} ${put.text.slice(0, 200)}`);
      for await (const line of events.lines) {
        const event = JSON.parse(line) as { object: { results?: Array<{ rule?: string; resources: Array<{ name: string }> }> } };
        if ((event.object.results ?? []).some((r) => r.rule === 'no-privileged' && r.resources[0]?.name === `web-${i}`)) break;
      }
      latencies.push(performance.now() - changed);
      events.abort();
      await sleep(500);
    }
    // What the changes set off (ReplicaSets, Pods, status updates) settles; its requests count too.
    await sleep(5000);
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    Object.assign(out, {
      changes, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN,
      requestsPerChange: (total() - before.get - before.send - before.stream) / changes,
      getsPerChange: (counts.get - before.get) / changes, writesPerChange: (counts.send - before.send) / changes, watchesPerChange: (counts.stream - before.stream) / changes,
    });
  }
  await watcher.stop();
  return out;
}

const result = mode === 'bare' ? await bare() : mode === 'watch' ? await watch() : undefined;
if (!result) throw new Error(`unknown mode ${mode}: bare or watch`);
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
