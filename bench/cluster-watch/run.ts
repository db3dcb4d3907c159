// bench/cluster-watch: the continuous audit against a real API server (the
// test control plane; no kubelet or scheduler, so the Pods the ReplicaSets
// create are stored and stay Pending). N Deployments of 3 replicas each across
// N/50 namespaces; the controller manager makes their ReplicaSets and Pods.
// Measured in one run, each side in a process of its own (measure.ts),
// alternating, medians over the repetitions:
//   - initial list-and-audit (start to ready) against a bare paginated list of the same resources
//   - retained heap and peak RSS against a bare informer cache holding the same objects
//   - change -> PolicyReport latency (a Deployment made privileged; p50, p99) and API requests per change
// Usage: npx tsc -p . && node dist/bench/cluster-watch/run.js [--size 10000] [--changes 50] [--reps 2] [--profile DIR]
// (--profile: each side writes a V8 CPU profile into DIR, for `node --cpu-prof`'s viewers)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import type { ControlPlane } from '../../test/helpers/control-plane.js';
import { installReportCrds } from '../../test/helpers/watcher.js';
import { benchClient, inPool } from './client.js';
import type { BenchClient } from './client.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '10000' }, changes: { type: 'string', default: '50' }, reps: { type: 'string', default: '2' }, replicas: { type: 'string', default: '3' }, profile: { type: 'string' } } });
const workloads = Number(values.size);
const replicas = Number(values.replicas);
const namespaceCount = Math.max(1, Math.round(workloads / 50));
const changes = Number(values.changes);
const reps = Number(values.reps);

function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function count(client: BenchClient, path: string): Promise<number> {
  let total = 0;
  let token: string | undefined;
  do {
    const res = await client.send('GET', `${path}?limit=5000${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    const body = res.body as { items: unknown[]; metadata: { continue?: string } };
    total += body.items.length;
    token = body.metadata.continue || undefined;
  } while (token);
  return total;
}

async function populate(cp: ControlPlane, client: BenchClient): Promise<void> {
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `bench-${i}`);
  await inPool(namespaces, 16, async (name) => {
    const res = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (res.status !== 201) throw new Error(`create Namespace: ${res.status} ${JSON.stringify(res.body)}`);
  });
  // Pods are refused until the namespace's default ServiceAccount exists.
  while ((await count(client, '/api/v1/serviceaccounts')) < namespaceCount) await sleep(500);
  const started = Date.now();
  await inPool(Array.from({ length: workloads }, (_, i) => i), 32, async (i) => {
    const namespace = namespaces[i % namespaceCount] as string;
    const res = await client.send('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `web-${i}`, namespace, labels: { app: `web-${i}` } },
      spec: { replicas, selector: { matchLabels: { app: `web-${i}` } }, template: { metadata: { labels: { app: `web-${i}` } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } } },
    });
    if (res.status !== 201) throw new Error(`create Deployment: ${res.status} ${JSON.stringify(res.body)}`);
  });
  log(`${workloads} Deployments created in ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for the controller manager's ReplicaSets and Pods`);
  let last = -1;
  for (;;) {
    const [replicaSets, pods] = [await count(client, '/apis/apps/v1/replicasets'), await count(client, '/api/v1/pods')];
    if (replicaSets >= workloads && pods >= workloads * replicas) break;
    if (pods !== last) log(`  ${replicaSets} ReplicaSets, ${pods} Pods`);
    last = pods;
    await sleep(10_000);
  }
}

interface Measured { [key: string]: number }

function child(mode: 'bare' | 'watch', cp: ControlPlane, withChanges: number, heapLimitMiB = 16384): Promise<Measured> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'measure.js');
  return new Promise((resolve, reject) => {
    const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
    const proc = spawn(process.execPath, ['--expose-gc', `--max-old-space-size=${heapLimitMiB}`, ...profile, script, mode, cp.kubeconfigPath, String(withChanges), String(workloads), String(namespaceCount)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`${mode} exited ${code}: ${err.slice(-2000)}`));
      if (err.trim()) log(`  ${mode} said: ${err.trim().split('\n').slice(0, 5).join(' | ')}`);
      resolve(JSON.parse(line.slice(7)) as Measured);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<void> {
  log(`size: ${workloads} Deployments x ${replicas} replicas in ${namespaceCount} namespaces; ${changes} changes; ${reps} repetitions`);
  const cp = await startControlPlane({ controllerManagerArgs: ['--kube-api-qps=2000', '--kube-api-burst=4000', '--concurrent-deployment-syncs=20', '--concurrent-replicaset-syncs=20'] });
  const client = benchClient(cp.server, { ca: cp.caCertPem, cert: cp.adminCertPem, key: cp.adminKeyPem });
  try {
    const t0 = Date.now();
    await populate(cp, client);
    await installReportCrds(cp);
    const objects = { replicaSets: await count(client, '/apis/apps/v1/replicasets'), pods: await count(client, '/api/v1/pods') };
    log(`cluster: ${workloads} Deployments, ${objects.replicaSets} ReplicaSets, ${objects.pods} Pods in ${namespaceCount} namespaces (filled in ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    // The reports of a previous repetition are deleted so each watch run writes them all again.
    const clearReports = async () => {
      for (const ns of Array.from({ length: namespaceCount }, (_, i) => `bench-${i}`)) await client.send('DELETE', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns}/policyreports/rootlock`);
      await client.send('DELETE', '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/rootlock');
    };
    await child('bare', cp, 0); // warms the API server's watch cache and the page cache; not counted
    const bare: Measured[] = [];
    const watch: Measured[] = [];
    for (let r = 0; r < reps; r++) {
      bare.push(await child('bare', cp, 0));
      await clearReports();
      watch.push(await child('watch', cp, r === reps - 1 ? changes : 0));
      log(`  repetition ${r + 1}: bare ${JSON.stringify(bare[r])}`);
      log(`  repetition ${r + 1}: watch ${JSON.stringify(watch[r])}`);
    }
    // Peak RSS follows the garbage collector's pace more than what is kept: the same watch under a heap
    // limit such as a container's memory limit sets (the bare cache would not fit in it).
    await clearReports();
    const limitMiB = Math.max(64, Math.ceil((4 * (watch[0]?.['retained'] ?? 0)) / 2 ** 20));
    const limited = await child('watch', cp, 0, limitMiB);
    log(`  watch under --max-old-space-size=${limitMiB}: ${JSON.stringify(limited)}`);
    const m = (rows: Measured[], key: string) => median(rows.map((row) => row[key] as number));
    const last = watch[watch.length - 1] as Measured;
    const lines = [
      `objects: ${m(bare, 'objects')} in the bare cache, ${m(watch, 'objects')} records in the watch state (${m(watch, 'sharedVerdicts')} verdicts shared by the Pods)`,
      `initial list: bare paginated list ${m(bare, 'ms').toFixed(0)} ms, list-and-audit ${m(watch, 'ms').toFixed(0)} ms: ratio ${(m(watch, 'ms') / m(bare, 'ms')).toFixed(2)}x`,
      `retained heap: bare informer cache ${mib(m(bare, 'retained'))} (${mib(m(bare, 'trimmed'))} without managedFields), watch state ${mib(m(watch, 'retained'))}: ratio ${(m(watch, 'retained') / m(bare, 'retained')).toFixed(3)}x (${(m(watch, 'retained') / m(bare, 'trimmed')).toFixed(3)}x against the trimmed cache)`,
      `peak RSS growth: bare ${mib(m(bare, 'peakRss'))}, watch ${mib(m(watch, 'peakRss'))}: ratio ${(m(watch, 'peakRss') / m(bare, 'peakRss')).toFixed(2)}x`,
      `peak RSS growth under --max-old-space-size=${limitMiB} (4x the watch state): ${mib(limited['peakRss'] as number)}: ratio ${((limited['peakRss'] as number) / m(bare, 'peakRss')).toFixed(2)}x; list-and-audit ${(limited['ms'] as number).toFixed(0)} ms (${((limited['ms'] as number) / m(bare, 'ms')).toFixed(2)}x)`,
      `first sync requests: ${m(watch, 'firstListRequests')} for the lists and watches, ${m(watch, 'firstReportRequests')} for the first reports`,
      ...(changes > 0 ? [
        `change -> PolicyReport: p50 ${last['p50']?.toFixed(0)} ms, p99 ${last['p99']?.toFixed(0)} ms, max ${last['max']?.toFixed(0)} ms over ${changes} changes (report interval 2 s)`,
        `API requests by the auditor per change: ${last['requestsPerChange']?.toFixed(2)} (${last['writesPerChange']?.toFixed(2)} writes, ${last['getsPerChange']?.toFixed(2)} GETs, ${last['watchesPerChange']?.toFixed(2)} watch (re)opens)`,
      ] : []),
    ];
    for (const line of lines) console.log(line);
  } finally {
    client.close();
    await cp.stop();
  }
}

await main();
