// bench/webhook: the admission webhook under load on loopback over TLS with
// keep-alive, against a trivial always-allow HTTPS handler measured in the
// same run. A bounded open-loop client (requests go out at a fixed rate
// whatever the answers, so a stalled server cannot slow the client down and
// hide its queue; latency is counted from the moment each request is issued,
// because the client's 1 ms timer would otherwise add up to 1 ms to every
// sample), and a closed-loop run for the maximum rate.
//
//   node dist/bench/webhook/run.js [--duration 3] [--rates 500,1000,2000] [--reps 3] [--connections 16] [--json]
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../../test/helpers/repo.js';
import { testCerts } from '../../test/helpers/webhook.js';
import type { TestCerts } from '../../test/helpers/webhook.js';
import { benchBodies } from './bodies.js';
import type { BenchBody } from './bodies.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const DURATION_S = Number(flag('duration', '3'));
const RATES = flag('rates', '500,1000,2000').split(',').map(Number);
const CONNECTIONS = Number(flag('connections', '16'));
const REPS = Number(flag('reps', '3'));
/** Hard bound on what one run may send, whatever the flags. */
const MAX_REQUESTS_PER_RUN = 200_000;

interface Target {
  name: string;
  port: number;
  process: ChildProcess;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function call(port: number, ca: string, agent: Agent, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, ca, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function start(name: string, argv: string[], port: number, ca: string): Promise<Target> {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const agent = new Agent({ keepAlive: false });
  for (let i = 0; i < 100; i++) {
    const ok = await call(port, ca, agent, 'GET', '/healthz').then((r) => r.status === 200, () => false);
    if (ok) return { name, port, process: child };
    await sleep(100);
  }
  throw new Error(`${name} did not start`);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

interface RunResult {
  target: string;
  body: string;
  rate: number | 'max';
  sent: number;
  errors: number;
  achieved: number;
  p50: number;
  p99: number;
  p999: number;
  mean: number;
}

/** Open loop at `rate` for DURATION_S, after a one-second warm-up at the same rate. */
async function fixedRate(target: Target, ca: string, path: string, body: BenchBody, rate: number): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const run = async (seconds: number): Promise<{ latencies: number[]; errors: number; elapsed: number }> => {
    const total = Math.min(Math.round(rate * seconds), MAX_REQUESTS_PER_RUN);
    const latencies: number[] = [];
    let errors = 0;
    const pending: Array<Promise<void>> = [];
    const t0 = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; sent < due; sent++) {
        const scheduled = performance.now();
        pending.push(call(target.port, ca, agent, 'POST', path, body.text).then(
          (r) => {
            if (r.status !== 200) errors++;
            latencies.push(performance.now() - scheduled);
          },
          () => {
            errors++;
          },
        ));
      }
      // A 1 ms timer, not a busy loop: the client must leave the CPU to the server it measures.
      await sleep(1);
    }
    await Promise.all(pending);
    return { latencies, errors, elapsed: (performance.now() - t0) / 1000 };
  };
  await run(1);
  const { latencies, errors, elapsed } = await run(DURATION_S);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { target: target.name, body: body.name, rate, sent: latencies.length + errors, errors, achieved: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), p999: percentile(latencies, 99.9), mean: latencies.reduce((a, b) => a + b, 0) / latencies.length };
}

/** Closed loop: CONNECTIONS requests always outstanding; the rate the server sustains. */
async function maxRate(target: Target, ca: string, path: string, body: BenchBody): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const run = async (seconds: number): Promise<{ latencies: number[]; errors: number; elapsed: number }> => {
    const latencies: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    let count = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < end && count++ < MAX_REQUESTS_PER_RUN) {
        const started = performance.now();
        const r = await call(target.port, ca, agent, 'POST', path, body.text).catch(() => undefined);
        if (!r || r.status !== 200) errors++;
        else latencies.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    return { latencies, errors, elapsed: (performance.now() - t0) / 1000 };
  };
  await run(1);
  const { latencies, errors, elapsed } = await run(DURATION_S);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { target: target.name, body: body.name, rate: 'max', sent: latencies.length + errors, errors, achieved: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), p999: percentile(latencies, 99.9), mean: latencies.reduce((a, b) => a + b, 0) / latencies.length };
}

/** Sum and count of the engine-time histogram for /validate, from /metrics. */
async function engineTime(target: Target, ca: string): Promise<{ sum: number; count: number; serverSum: number }> {
  const text = (await call(target.port, ca, new Agent({ keepAlive: false }), 'GET', '/metrics')).text;
  const sum = Number(/^rootlock_webhook_engine_duration_seconds_sum\{endpoint="validate"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  const count = Number(/^rootlock_webhook_engine_duration_seconds_count\{endpoint="validate"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  const serverSum = Number(/^rootlock_webhook_request_duration_seconds_sum\{endpoint="validate"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  return { sum, count, serverSum };
}

const f = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(2) : '-');
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : NaN;
};

async function main(): Promise<void> {
  const certs: TestCerts = await testCerts();
  const root = repoRoot();
  const webhookPort = await freePort();
  const trivialPort = await freePort();
  const webhook = await start('rootlock', [join(root, 'bin', 'rootlock.js'), 'webhook', 'serve', '--cert', certs.certFile, '--key', certs.keyFile, '--listen', `127.0.0.1:${webhookPort}`, '--mode', 'enforce', '--mutate', '--log-level', 'warn'], webhookPort, certs.caCert);
  const trivial = await start('trivial', [join(root, 'dist', 'bench', 'webhook', 'trivial-server.js'), certs.certFile, certs.keyFile, String(trivialPort)], trivialPort, certs.caCert);
  const results: RunResult[] = [];
  const engine = new Map<string, { sum: number; count: number; serverSum: number; p50s: number[]; means: number[] }>();
  const bodies = benchBodies();
  try {
    for (const body of bodies) {
      const first = await call(webhookPort, certs.caCert, new Agent(), 'POST', '/validate', body.text);
      if (JSON.parse(first.text).response?.allowed !== false) throw new Error(`${body.name}: expected a denial, got ${first.text.slice(0, 200)}`);
      // One unrecorded pass per target absorbs the body change (JIT, buffer growth) on both sides.
      for (const target of [trivial, webhook]) await fixedRate(target, certs.caCert, '/validate', body, 1000);
      // Repetitions alternate the two targets, so load from elsewhere on the shared machine hits both alike; the tables show medians.
      for (let rep = 0; rep < REPS; rep++) {
        for (const rate of RATES) {
          for (const target of [trivial, webhook]) {
            const before = target === webhook ? await engineTime(webhook, certs.caCert) : undefined;
            const result = await fixedRate(target, certs.caCert, '/validate', body, rate);
            results.push(result);
            if (before && rate === 1000) {
              const afterwards = await engineTime(webhook, certs.caCert);
              const entry = engine.get(body.name) ?? { sum: 0, count: 0, serverSum: 0, p50s: [], means: [] };
              entry.sum += afterwards.sum - before.sum;
              entry.count += afterwards.count - before.count;
              entry.serverSum += afterwards.serverSum - before.serverSum;
              entry.p50s.push(result.p50);
              entry.means.push(result.mean);
              engine.set(body.name, entry);
            }
            process.stderr.write(`${result.target} ${body.name} ${rate}/s: p50 ${f(result.p50)} p99 ${f(result.p99)} p99.9 ${f(result.p999)} ms, ${result.achieved.toFixed(0)}/s, ${result.errors} errors\n`);
          }
        }
        for (const target of [trivial, webhook]) {
          const result = await maxRate(target, certs.caCert, '/validate', body);
          results.push(result);
          process.stderr.write(`${result.target} ${body.name} max: ${result.achieved.toFixed(0)}/s p50 ${f(result.p50)} p99 ${f(result.p99)} ms, ${result.errors} errors\n`);
        }
      }
    }
    const small = bodies[0] as BenchBody;
    for (let rep = 0; rep < REPS; rep++) {
      const mutate = await fixedRate(webhook, certs.caCert, '/mutate', small, 1000);
      results.push({ ...mutate, body: `${small.name} (/mutate)` });
    }
  } finally {
    webhook.process.kill('SIGTERM');
    trivial.process.kill('SIGTERM');
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ results, engine: Object.fromEntries(engine) }, null, 2)}\n`);
    return;
  }
  const runs = (target: string, body: string, rate: number | 'max'): RunResult[] => results.filter((r) => r.target === target && r.body === body && r.rate === rate);
  const triple = (rs: RunResult[]): string => `${f(median(rs.map((r) => r.p50)))} / ${f(median(rs.map((r) => r.p99)))} / ${f(median(rs.map((r) => r.p999)))}`;
  const p99Range = (rs: RunResult[]): string => `${f(Math.min(...rs.map((r) => r.p99)))}-${f(Math.max(...rs.map((r) => r.p99)))}`;
  const lines: string[] = [];
  lines.push(`Bodies: ${bodies.map((b) => `${b.name} ${(b.bytes / 1024).toFixed(1)} KiB`).join(', ')}. ${CONNECTIONS} keep-alive TLS connections, ${DURATION_S} s per run after 1 s warm-up, ${REPS} repetitions alternating the two servers; medians of the repetitions, with the range of p99 over them.`);
  lines.push('');
  lines.push('| body | rate | trivial p50 / p99 / p99.9 (ms) | rootlock p50 / p99 / p99.9 (ms) | trivial p99 range | rootlock p99 range | errors |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const body of bodies) {
    for (const rate of RATES) {
      const t = runs('trivial', body.name, rate);
      const w = runs('rootlock', body.name, rate);
      lines.push(`| ${body.name} | ${rate}/s | ${triple(t)} | ${triple(w)} | ${p99Range(t)} | ${p99Range(w)} | ${[...t, ...w].reduce((a, r) => a + r.errors, 0)} |`);
    }
  }
  const mutateRuns = results.filter((r) => r.body.endsWith('(/mutate)'));
  if (mutateRuns.length) lines.push(`| ${mutateRuns[0]?.body} | 1000/s | | ${triple(mutateRuns)} | | ${p99Range(mutateRuns)} | ${mutateRuns.reduce((a, r) => a + r.errors, 0)} |`);
  lines.push('');
  // engine / client p50 is the strict view (a mean, which counts the engine's slow outliers, against a median);
  // engine / client mean is its share of all the time clients waited.
  lines.push('| body | trivial max rate | rootlock max rate | ratio | engine time at 1000/s (mean) | server time at 1000/s (mean) | client p50 at 1000/s | engine / server time | engine / client p50 | engine / client mean |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const body of bodies) {
    const t = median(runs('trivial', body.name, 'max').map((r) => r.achieved));
    const w = median(runs('rootlock', body.name, 'max').map((r) => r.achieved));
    const e = engine.get(body.name);
    const engineMs = e ? (e.sum / e.count) * 1000 : NaN;
    const serverMs = e ? (e.serverSum / e.count) * 1000 : NaN;
    const p50 = e ? median(e.p50s) : NaN;
    const clientMean = e ? median(e.means) : NaN;
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
    lines.push(`| ${body.name} | ${t.toFixed(0)}/s | ${w.toFixed(0)}/s | ${(w / t).toFixed(2)} | ${engineMs.toFixed(3)} ms | ${serverMs.toFixed(3)} ms | ${p50.toFixed(3)} ms | ${pct(engineMs / serverMs)} | ${pct(engineMs / p50)} | ${pct(engineMs / clientMean)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
