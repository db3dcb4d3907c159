// Runs the CLI's main() in-process, as `rootlock ...` would run, and keeps what it wrote.
import { main } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/report/model.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: readonly string[], cwd?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false,
    today: '2026-06-01',
    ...(cwd !== undefined ? { cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** `rootlock audit --cluster --kubeconfig <file> --no-config --format json ...`, parsed. */
export async function auditJson(kubeconfig: string, args: readonly string[] = []): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const run = await runCli(['audit', '--cluster', '--kubeconfig', kubeconfig, '--no-config', '--format', 'json', ...args]);
  let report: AuditReport;
  try {
    report = JSON.parse(run.stdout) as AuditReport;
  } catch {
    throw new Error(`exit ${run.code}, not JSON on stdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return { code: run.code, report, stderr: run.stderr };
}
