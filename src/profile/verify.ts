// `rootlock verify`: runs a container the way its manifest says (read-only
// root, the manifest's volumes as empty directories, its user) and checks it
// is still running after the settle time without "Read-only file system" errors.
import type { OpenedImage } from '../image/source.js';
import { startSandbox } from '../sandbox/run.js';
import type { PodContainerView } from './pod.js';
import { sandboxSpecFor } from './profile.js';

export interface VerifyResult {
  passed: boolean;
  container: string;
  workload: string;
  settleMs: number;
  /** The program exited during the settle time (its code, or null for a signal). */
  exited?: { code: number | null };
  /** Paths named in "Read-only file system" errors in the output. */
  readOnlyPaths: string[];
  output: string;
}

/** Paths that error lines blame on the read-only root (sh, coreutils, nginx, Python shapes). */
export function readOnlyErrorPaths(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    if (!/read-only file system/i.test(line)) continue;
    for (const match of line.matchAll(/(\/[\w.@+-]+(?:\/[\w.@+-]+)*)/g)) paths.add(match[1]!);
  }
  return [...paths].sort();
}

export async function runVerify(image: OpenedImage, pod: PodContainerView, settleMs: number): Promise<VerifyResult> {
  const sandbox = startSandbox(sandboxSpecFor(image, pod, true));
  try {
    const timer = new Promise<'settled'>((resolve) => setTimeout(() => resolve('settled'), settleMs));
    const outcome = await Promise.race([timer, sandbox.exited]);
    await sandbox.stop();
    const output = sandbox.output();
    const readOnlyPaths = readOnlyErrorPaths(output);
    const result: VerifyResult = {
      passed: outcome === 'settled' && readOnlyPaths.length === 0,
      container: pod.container, workload: pod.workload, settleMs, readOnlyPaths, output,
    };
    if (outcome !== 'settled') result.exited = { code: outcome };
    return result;
  } finally {
    await sandbox.stop();
    sandbox.remove();
  }
}
