// Whole-process measurements for bench/peers: each command runs under
// bench/peers/rusage.c, which reports the child's wall time, user + system
// CPU time and peak RSS from wait4() (Node.js has no way to read them for a
// child). The helper is compiled once with gcc into the tools cache, keyed by
// its source, beside the Go tools test/policy/go-tool.sh builds.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/repo.js';
import { timedEnv } from '../timed-env.js';

/** ${ROOTLOCK_TOOLS_CACHE:-$HOME/.cache/rootlock/tools}, as test/policy/go-tool.sh has it. */
export function toolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['ROOTLOCK_TOOLS_CACHE'] || join(homedir(), '.cache', 'rootlock', 'tools');
}

/** The compiled rusage helper, built when missing. */
export function rusageBinary(): string {
  const source = join(repoRoot(), 'bench', 'peers', 'rusage.c');
  const key = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = join(toolsCacheDir(), `rusage-${key}`);
  const binary = join(dir, 'rusage');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', partial, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(partial, binary);
  return binary;
}

export interface Measured {
  /** Exit code, or -1 when a signal ended the process. */
  code: number;
  signal: number;
  wallMs: number;
  /** User + system CPU time of the process (and any children it waited for). */
  cpuMs: number;
  maxRssKiB: number;
  /** Everything the process wrote to standard error. */
  stderr: string;
}

interface RusageReport {
  code: number;
  signal: number;
  wallMs: number;
  userMs: number;
  sysMs: number;
  maxRssKiB: number;
}

/** Runs `command args` with standard output into `stdoutPath` (truncated first) and reports its cost. */
export async function measure(rusage: string, command: string, args: readonly string[], stdoutPath: string, cwd?: string): Promise<Measured> {
  const out = openSync(stdoutPath, 'w');
  try {
    const child = spawn(rusage, [command, ...args], { cwd, env: timedEnv(), stdio: ['ignore', out, 'pipe', 'pipe'] });
    let stderr = '';
    let report = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // fd 3 is a pipe opened for reading here, whatever its declared stream type.
    (child.stdio[3] as NodeJS.ReadableStream | null)?.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
    const exit = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (exit !== 0 || report === '') throw new Error(`rusage failed (exit ${exit}) running ${command}: ${stderr.trim()}`);
    const parsed = JSON.parse(report) as RusageReport;
    return { code: parsed.code, signal: parsed.signal, wallMs: parsed.wallMs, cpuMs: parsed.userMs + parsed.sysMs, maxRssKiB: parsed.maxRssKiB, stderr };
  } finally {
    closeSync(out);
  }
}
