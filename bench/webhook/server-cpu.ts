// Server CPU time per request, rootlock's webhook against the trivial
// always-allow handler: each server is loaded by a closed loop (16 keep-alive
// TLS connections) and its user + system time is read from /proc/PID/stat
// before and after. On a shared machine the neighbours change how fast a
// server answers, but hardly how much CPU it spends per answer, so this is the
// steadier view of what run.ts's maximum-rate ratio measures. Linux only.
//
//   node dist/bench/webhook/server-cpu.js [--seconds 4] [--reps 3]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
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
const SECONDS = Number(flag('seconds', '4'));
const REPS = Number(flag('reps', '3'));
const CONNECTIONS = 16;
/** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on every Linux build Node supports). */
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

function post(port: number, certs: TestCerts, agent: Agent, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
    const req = request({ host: '127.0.0.1', port, method, path, ca: certs.caCert, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function perRequest(name: string, argv: string[], port: number, certs: TestCerts, body: BenchBody): Promise<{ cpuUs: number; rate: number }> {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await post(port, certs, new Agent({ keepAlive: false }), 'GET', '/healthz').then((status) => status === 200, () => false);
      if (!up) await sleep(100);
    }
    if (!up || child.pid === undefined) throw new Error(`${name} did not start`);
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const load = async (ms: number): Promise<number> => {
      let answered = 0;
      const end = performance.now() + ms;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          if ((await post(port, certs, agent, 'POST', '/validate', body.text)) !== 200) throw new Error(`${name} answered an error`);
          answered++;
        }
      }));
      return answered;
    };
    await load(1000);
    const ticks = cpuTicks(child.pid);
    const started = performance.now();
    const answered = await load(SECONDS * 1000);
    const used = cpuTicks(child.pid) - ticks;
    const elapsed = (performance.now() - started) / 1000;
    agent.destroy();
    return { cpuUs: (used / TICKS_PER_SECOND / answered) * 1e6, rate: answered / elapsed };
  } finally {
    child.kill('SIGTERM');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const certs = await testCerts();
  const root = repoRoot();
  process.stdout.write(`| body | trivial CPU per request | rootlock CPU per request | extra | trivial rate | rootlock rate |\n| --- | --- | --- | --- | --- | --- |\n`);
  for (const body of benchBodies()) {
    const trivial: number[] = [];
    const rootlock: number[] = [];
    const rates: number[][] = [[], []];
    for (let rep = 0; rep < REPS; rep++) {
      const trivialPort = await freePort();
      const t = await perRequest('trivial', [join(root, 'dist', 'bench', 'webhook', 'trivial-server.js'), certs.certFile, certs.keyFile, String(trivialPort)], trivialPort, certs, body);
      const webhookPort = await freePort();
      const r = await perRequest('rootlock', [join(root, 'bin', 'rootlock.js'), 'webhook', 'serve', '--cert', certs.certFile, '--key', certs.keyFile, '--listen', `127.0.0.1:${webhookPort}`, '--mode', 'enforce', '--log-level', 'warn'], webhookPort, certs, body);
      trivial.push(t.cpuUs);
      rootlock.push(r.cpuUs);
      rates[0]?.push(t.rate);
      rates[1]?.push(r.rate);
    }
    const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;
    const t = median(trivial);
    const r = median(rootlock);
    process.stdout.write(`| ${body.name} | ${t.toFixed(0)} us | ${r.toFixed(0)} us | ${(r - t).toFixed(0)} us | ${median(rates[0] ?? []).toFixed(0)}/s | ${median(rates[1] ?? []).toFixed(0)}/s |\n`);
  }
}

await main();
