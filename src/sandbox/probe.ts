// Probes against a program in the sandbox, the way the kubelet makes them:
// httpGet (2xx and 3xx pass), tcpSocket (a connection opens) and exec (exit 0).
// The sandbox's network namespace has only loopback, so HTTP and TCP probes
// are made from inside it: `nsenter --net` runs a small bash loop over
// /dev/tcp there (a Node script, probe-runner.ts, for HTTPS). Exec probes run the command in all of the
// sandbox's namespaces, chroot'ed into its root, as the container's user.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inSingleExecutable, NETWORK_PROBE_ARGUMENT } from './single-executable.js';

export type ProbeSpec =
  | { kind: 'http'; scheme: 'http' | 'https'; port: number; path: string; headers: Record<string, string> }
  | { kind: 'tcp'; port: number }
  | { kind: 'exec'; command: string[] };

export interface ProbeOutcome {
  ok: boolean;
  /** The probe as written for people: http://127.0.0.1:8080/healthz, tcp://127.0.0.1:5432, exec: cat /tmp/ready. */
  target: string;
  attempts: number;
  /** From the start of probing to the first success (or to giving up). */
  elapsedMs: number;
  /** HTTP status of the last attempt. */
  status?: number;
  /** Why the last attempt failed (connection refused, status 500, exit 1: output). */
  error?: string;
}

/** Where the probe runs: the sandbox's init process (host pid) and the container's user and env. */
export interface ProbeTarget {
  pid: number;
  uid: number;
  gid: number;
  env: string[];
}

export function describeProbe(probe: ProbeSpec): string {
  if (probe.kind === 'http') return `${probe.scheme}://127.0.0.1:${probe.port}${probe.path}`;
  if (probe.kind === 'tcp') return `tcp://127.0.0.1:${probe.port}`;
  return `exec: ${probe.command.join(' ')}`;
}

function port(text: string, where: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 65535) throw new Error(`${where}: port ${text} is not a number from 1 to 65535`);
  return value;
}

/**
 * A probe given on the command line: http://:8080/healthz, https://:8443/,
 * tcp://:5432 (the host part, if any, is ignored: probes go to the sandbox's
 * loopback), or exec:COMMAND (split on spaces).
 */
export function parseProbeOption(text: string): ProbeSpec {
  if (text.startsWith('exec:')) {
    const command = text.slice('exec:'.length).trim().split(/\s+/).filter(Boolean);
    if (command.length === 0) throw new Error(`--probe ${text}: exec: needs a command`);
    return { kind: 'exec', command };
  }
  const match = /^(https?|tcp):\/\/[^/:]*:(\d+)(\/.*)?$/.exec(text);
  if (!match) throw new Error(`--probe ${text}: expected http://:PORT/PATH, https://:PORT/PATH, tcp://:PORT or exec:COMMAND`);
  const p = port(match[2]!, `--probe ${text}`);
  if (match[1] === 'tcp') return { kind: 'tcp', port: p };
  return { kind: 'http', scheme: match[1] as 'http' | 'https', port: p, path: match[3] ?? '/', headers: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A named port (`port: http`) is looked up in the container's ports. */
function probePort(value: unknown, ports: ReadonlyMap<string, number>, where: string): number {
  if (typeof value === 'number') return port(String(value), where);
  if (typeof value === 'string' && /^\d+$/.test(value)) return port(value, where);
  if (typeof value === 'string' && ports.has(value)) return ports.get(value)!;
  throw new Error(`${where}: port ${String(value)} is neither a number nor one of the container's named ports`);
}

/**
 * A Kubernetes probe (readinessProbe, livenessProbe or startupProbe object)
 * as a ProbeSpec; undefined for a probe kind the sandbox cannot make (grpc).
 * `host` is ignored: the program is reached on the sandbox's loopback.
 */
export function probeFromManifest(probe: unknown, ports: ReadonlyMap<string, number>, where: string): ProbeSpec | undefined {
  if (!isRecord(probe)) return undefined;
  const http = probe['httpGet'];
  if (isRecord(http)) {
    const headers: Record<string, string> = {};
    for (const header of Array.isArray(http['httpHeaders']) ? http['httpHeaders'] : []) {
      if (isRecord(header) && typeof header['name'] === 'string') headers[header['name']] = String(header['value'] ?? '');
    }
    const scheme = String(http['scheme'] ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
    const path = typeof http['path'] === 'string' && http['path'] !== '' ? http['path'] : '/';
    return { kind: 'http', scheme, port: probePort(http['port'], ports, `${where}.httpGet`), path: path.startsWith('/') ? path : `/${path}`, headers };
  }
  const tcp = probe['tcpSocket'];
  if (isRecord(tcp)) return { kind: 'tcp', port: probePort(tcp['port'], ports, `${where}.tcpSocket`) };
  const exec = probe['exec'];
  if (isRecord(exec) && Array.isArray(exec['command']) && exec['command'].length > 0) return { kind: 'exec', command: exec['command'].map(String) };
  return undefined;
}

const RUNNER = fileURLToPath(new URL('./probe-runner-main.js', import.meta.url));

const OUTPUT_LIMIT = 4096;

/**
 * `stdin: 'pipe'` gives the child a pipe that stays open and empty until it exits (the bash
 * prober's timer). Node makes it a socket, and bash started on a socket reads ~/.bashrc (it takes
 * itself for a remote shell) unless told --norc.
 */
function collect(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal | undefined, stdin: 'ignore' | 'pipe' = 'ignore'): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: [stdin, 'pipe', 'pipe'], ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
    // The child may exit with the pipe unread: that is no error of ours.
    child.stdin?.on('error', () => undefined);
    let output = '';
    // The tail: a prober's verdict is its last line.
    const add = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout!.on('data', add);
    child.stderr!.on('data', add);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: error.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Plain HTTP and TCP probes as a bash loop over /dev/tcp: bash starts in a
 * few milliseconds where Node needs 50 to 300 (on a loaded machine), and the
 * prober's start is on the path from "the program answers" to "profile stops".
 * Prints `ok|fail <status or -> <attempts> <error>` as its last line.
 */
const BASH_PROBER = [
  'kind=$1 port=$2 request=$3 wait_us=$(( $4 * 1000 ))',
  'start=${EPOCHREALTIME/./}',
  "attempts=0 status=- error='not tried'",
  'while :; do',
  '  attempts=$((attempts + 1))',
  // The braces keep bash's "connection refused" messages out of the output (a bare exec would make them permanent).
  '  if { exec 3<>/dev/tcp/127.0.0.1/$port; } 2>/dev/null; then',
  '    if [ "$kind" = tcp ]; then exec 3<&-; echo "ok - $attempts"; exit 0; fi',
  '    printf "%s" "$request" >&3',
  '    if IFS= read -r -t 1 line <&3; then',
  '      status=${line#* }; status=${status%% *}',
  '      if [[ $status =~ ^[23][0-9][0-9]$ ]]; then exec 3<&-; echo "ok $status $attempts"; exit 0; fi',
  '      if [[ $status =~ ^[0-9]+$ ]]; then error="HTTP status $status"; else error="not an HTTP answer: ${line:0:80}"; status=-; fi',
  '    else',
  "      error='no answer within 1000ms'",
  '    fi',
  '    exec 3<&-',
  '  else',
  '    error=ECONNREFUSED',
  '  fi',
  '  now=${EPOCHREALTIME/./}',
  '  (( now - start >= wait_us )) && break',
  // retry.ts's schedule, in microseconds.
  '  pause=$(( 1000 + (now - start) / 10 )); (( pause > 20000 )) && pause=20000',
  '  printf -v pause_s "%d.%06d" $(( pause / 1000000 )) $(( pause % 1000000 ))',
  // A timed read of stdin (a pipe the parent keeps open and never writes to) pauses without a
  // `sleep` process; should stdin end early, `sleep` keeps the pace.
  '  read -r -t "$pause_s" _ || (( $? > 128 )) || sleep "$pause_s"',
  'done',
  'echo "fail $status $attempts $error"',
].join('\n');

function httpRequest(probe: Extract<ProbeSpec, { kind: 'http' }>): string {
  const headers = { Host: `127.0.0.1:${probe.port}`, 'User-Agent': 'rootlock-probe', Accept: '*/*', Connection: 'close', ...probe.headers };
  return `GET ${probe.path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

/**
 * HTTP and TCP: one prober process inside the network namespace retries until
 * success or the deadline (bash for plain HTTP and TCP; a Node script for HTTPS).
 */
async function networkProbe(target: ProbeTarget, probe: Exclude<ProbeSpec, { kind: 'exec' }>, waitMs: number, started: number, signal: AbortSignal | undefined): Promise<ProbeOutcome> {
  const describe = describeProbe(probe);
  const env = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  const netns = `--net=/proc/${target.pid}/ns/net`;
  const https = probe.kind === 'http' && probe.scheme === 'https';
  const args = https
    ? [netns, '--', process.execPath, inSingleExecutable() ? NETWORK_PROBE_ARGUMENT : RUNNER, JSON.stringify({ probe, waitMs })]
    : [netns, '--', 'bash', '--norc', '--noprofile', '-c', BASH_PROBER, 'rootlock-probe', probe.kind, String(probe.port), probe.kind === 'http' ? httpRequest(probe) : '', String(waitMs)];
  const { code, output } = await collect('nsenter', args, env, waitMs + 5000, signal, https ? 'ignore' : 'pipe');
  const elapsedMs = Date.now() - started;
  if (signal?.aborted) return { ok: false, target: describe, attempts: 0, elapsedMs, error: 'stopped: the program exited' };
  const line = output.trim().split('\n').pop() ?? '';
  if (https) {
    try {
      return { ...(JSON.parse(line) as Omit<ProbeOutcome, 'target' | 'elapsedMs'>), target: describe, elapsedMs };
    } catch {
      // reported below
    }
  } else {
    const match = /^(ok|fail) (\d+|-) (\d+) ?(.*)$/.exec(line);
    if (match) {
      const outcome: ProbeOutcome = { ok: match[1] === 'ok', target: describe, attempts: Number(match[3]), elapsedMs };
      if (match[2] !== '-') outcome.status = Number(match[2]);
      if (match[4]) outcome.error = match[4];
      return outcome;
    }
  }
  return { ok: false, target: describe, attempts: 0, elapsedMs, error: `prober failed (exit ${code ?? 'signal'}): ${output.trim()}` };
}

/** Exec: the command in the sandbox's namespaces and root, as the container's user, retried every 200ms. */
async function execProbe(target: ProbeTarget, command: string[], waitMs: number, started: number, signal: AbortSignal | undefined): Promise<ProbeOutcome> {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of target.env) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  const args = ['--target', String(target.pid), '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd',
    '--setgid', String(target.gid), '--setuid', String(target.uid), '--', ...command];
  let attempts = 0;
  let last = { code: null as number | null, output: '' };
  do {
    attempts++;
    last = await collect('nsenter', args, env, Math.max(1000, waitMs - (Date.now() - started)), signal);
    if (last.code === 0) return { ok: true, target: describeProbe({ kind: 'exec', command }), attempts, elapsedMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() - started < waitMs && !signal?.aborted);
  return {
    ok: false, target: describeProbe({ kind: 'exec', command }), attempts, elapsedMs: Date.now() - started,
    error: `exit ${last.code ?? 'signal'}${last.output.trim() ? `: ${last.output.trim()}` : ''}`,
  };
}

/** Probes until the first success, until `waitMs` has passed, or until `signal` aborts (the program exited). */
export function waitForProbe(target: ProbeTarget, probe: ProbeSpec, waitMs: number, signal?: AbortSignal): Promise<ProbeOutcome> {
  const started = Date.now();
  return probe.kind === 'exec' ? execProbe(target, probe.command, waitMs, started, signal) : networkProbe(target, probe, waitMs, started, signal);
}
