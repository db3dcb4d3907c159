// Runs `rootlock audit --cluster --watch ...` as its own process (it runs
// until SIGTERM), keeps its stderr, and reads what it wrote into the cluster.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from './control-plane.js';
import { repoRoot } from './repo.js';

export interface WatcherProcess {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

export function startWatcher(args: readonly string[]): WatcherProcess {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'rootlock.js'), 'audit', '--cluster', '--watch', '--no-config', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `check` until it returns something; fails with `what` after the timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Applies deploy/crds/ and waits until the API server serves both kinds. */
export async function installReportCrds(cp: ControlPlane): Promise<void> {
  for (const file of ['wgpolicyk8s.io_policyreports.yaml', 'wgpolicyk8s.io_clusterpolicyreports.yaml']) {
    for (const doc of parseAllDocuments(readFileSync(join(repoRoot(), 'deploy', 'crds', file), 'utf8'))) {
      const res = await cp.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', doc.toJS());
      assert.equal(res.status, 201, `create CRD from ${file}: ${JSON.stringify(res.body)}`);
    }
  }
  await eventually('the report CRDs served', async () => {
    const res = await cp.request('GET', '/apis/wgpolicyk8s.io/v1alpha2');
    const resources = (res.body as { resources?: Array<{ name: string }> }).resources ?? [];
    return res.status === 200 && resources.some((r) => r.name === 'policyreports') && resources.some((r) => r.name === 'clusterpolicyreports') ? true : undefined;
  });
}

export interface Report {
  metadata: { name: string; namespace?: string; resourceVersion: string; ownerReferences?: Array<{ kind: string; name: string; uid: string }> };
  summary: Record<string, number>;
  results: Array<{ rule?: string; result: string; severity?: string; resources: Array<{ kind: string; name: string; namespace?: string; uid: string }>; properties?: Record<string, string>; message?: string }>;
}

export async function getReport(cp: ControlPlane, namespace?: string): Promise<Report | undefined> {
  const path = namespace === undefined
    ? '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/rootlock'
    : `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${namespace}/policyreports/rootlock`;
  const res = await cp.request('GET', path);
  return res.status === 200 ? (res.body as Report) : undefined;
}
