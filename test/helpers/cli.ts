// Runs the CLI in-process through `main(argv, io)` with captured output, and
// builds throwaway folders of manifests for it to read. With
// ROOTLOCK_CLI_EXECUTABLE set (test/single-executable.test.ts sets it to the
// single executable), runCli runs that executable as a process instead.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/report/model.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * These tests are about reading input, so `audit` runs with one rule,
 * read-only-root-filesystem, and their expectations do not change as rules
 * are added (`allRules` runs them all).
 */
export const INPUT_TEST_RULES = ['--rules', 'read-only-root-filesystem'];

export async function runCli(argv: string[], options: { cwd: string; stdin?: string | Buffer; today?: string; programName?: string; allRules?: boolean }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const args = argv[0] === 'audit' && !options.allRules ? [...argv, ...INPUT_TEST_RULES] : argv;
  const executable = process.env['ROOTLOCK_CLI_EXECUTABLE'];
  if (executable) return runExecutable(executable, args, options);
  const code = await main(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: options.cwd,
    isTTY: false,
    today: options.today ?? '2026-06-01',
    ...(options.stdin !== undefined ? { stdin: Readable.from([Buffer.from(options.stdin)]) } : {}),
    ...(options.programName ? { programName: options.programName } : {}),
  });
  return { code, stdout, stderr };
}

/** The CLI as a process: the same arguments, working directory, standard input and pinned date as runCli in process. */
async function runExecutable(executable: string, args: readonly string[], options: Parameters<typeof runCli>[1]): Promise<CliRun> {
  let command = executable;
  let linkDir: string | undefined;
  if (options.programName === 'kubectl rootlock') {
    // kubectl runs plugins by their file name: give the executable that name.
    linkDir = mkdtempSync(join(tmpdir(), 'rootlock-plugin-'));
    command = join(linkDir, 'kubectl-rootlock');
    symlinkSync(executable, command);
  }
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ROOTLOCK_TODAY: options.today ?? '2026-06-01' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (status) => resolve(status ?? 2));
    });
    return { code, stdout, stderr };
  } finally {
    if (linkDir) rmSync(linkDir, { recursive: true, force: true });
  }
}

/** Runs `audit --format json` and parses the report. */
export async function auditJson(args: string[], options: Parameters<typeof runCli>[1]): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const run = await runCli(['audit', '--format', 'json', ...args], options);
  let report: AuditReport;
  try {
    report = JSON.parse(run.stdout) as AuditReport;
  } catch {
    throw new Error(`audit printed no JSON report (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, report, stderr: run.stderr };
}

/** A temporary folder holding `files` (path -> content); removed by `remove()`. */
export class TempTree {
  readonly root: string;
  constructor(files: Record<string, string | Buffer> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'rootlock-test-'));
    this.write(files);
  }
  write(files: Record<string, string | Buffer>): void {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  path(relative: string): string {
    return join(this.root, relative);
  }
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A Pod with one container; `securityContext` is written as given (YAML flow or block text). */
export function pod(name: string, options: { namespace?: string; container?: string; image?: string; securityContext?: string; annotations?: Record<string, string> } = {}): string {
  const annotations = options.annotations
    ? `  annotations:\n${Object.entries(options.annotations).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join('')}`
    : '';
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    ...(options.namespace ? [`  namespace: ${options.namespace}`] : []),
    ...(annotations ? [annotations.trimEnd()] : []),
    'spec:',
    '  containers:',
    `  - name: ${options.container ?? 'app'}`,
    `    image: ${options.image ?? 'registry.example/app:1.0'}`,
    ...(options.securityContext !== undefined ? [`    securityContext: ${options.securityContext}`] : []),
    '',
  ].join('\n');
}
