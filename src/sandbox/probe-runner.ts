// Runs inside a sandbox's network namespace (probe.ts starts
// probe-runner-main.js, or the single executable, through `nsenter --net`): makes an HTTP(S) GET or opens a TCP connection to
// 127.0.0.1 until it succeeds or the wait is over, then prints one JSON line
// { ok, attempts, status?, error? }. HTTPS certificates are not checked, as
// the kubelet does not check them.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { retryPauseMs } from './retry.js';
import type { ProbeSpec } from './probe.js';

const ATTEMPT_TIMEOUT_MS = 1000;

type Attempt = { ok: boolean; status?: number; error?: string };

function httpAttempt(probe: Extract<ProbeSpec, { kind: 'http' }>): Promise<Attempt> {
  return new Promise((resolve) => {
    const request = (probe.scheme === 'https' ? httpsRequest : httpRequest)({
      host: '127.0.0.1', port: probe.port, path: probe.path, method: 'GET', headers: { 'User-Agent': 'rootlock-probe', ...probe.headers },
      timeout: ATTEMPT_TIMEOUT_MS, rejectUnauthorized: false, agent: false,
    }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true, status } : { ok: false, status, error: `HTTP status ${status}` });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS}ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ?? error.message }));
    request.end();
  });
}

function tcpAttempt(port: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: ATTEMPT_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, error: `no connection within ${ATTEMPT_TIMEOUT_MS}ms` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ?? error.message }));
  });
}

/** Probes as `argument` (JSON: { probe, waitMs }) says and prints the verdict line. */
export async function runNetworkProbe(argument: string): Promise<void> {
  const { probe, waitMs } = JSON.parse(argument) as { probe: ProbeSpec; waitMs: number };
  const started = Date.now();
  const deadline = started + waitMs;
  let attempts = 0;
  let last: Attempt = { ok: false, error: 'not tried' };
  do {
    attempts++;
    if (probe.kind === 'http') last = await httpAttempt(probe);
    else if (probe.kind === 'tcp') last = await tcpAttempt(probe.port);
    else last = { ok: false, error: 'exec probes are not made by the network runner' };
    if (last.ok) break;
    await new Promise((r) => setTimeout(r, retryPauseMs(Date.now() - started)));
  } while (Date.now() < deadline);
  process.stdout.write(`${JSON.stringify({ ...last, attempts })}\n`);
}
