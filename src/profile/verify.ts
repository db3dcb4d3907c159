// `rootlock verify`: runs a container the way its manifest says (read-only
// root, the manifest's volumes as empty directories, its user) and checks it
// is still running after the settle time, without "Read-only file system"
// errors, and that its probe (the manifest's readinessProbe or livenessProbe,
// or one given on the command line) succeeds.
import type { OpenedImage } from '../image/source.js';
import type { ProbeOutcome, ProbeSpec } from '../sandbox/probe.js';
import { startSandbox } from '../sandbox/run.js';
import type { PodContainerView } from './pod.js';
import { probeSandbox, sandboxSpecFor } from './profile.js';
import { suggestFromLogs } from '../suggest/logs.js';

export interface VerifyOptions {
  settleMs: number;
  /** How long the probe may take to succeed once the settle time is over. */
  probeWaitMs: number;
  /** Overrides the manifest's probe. */
  probe?: ProbeSpec;
}

export interface VerifyResult {
  passed: boolean;
  container: string;
  workload: string;
  settleMs: number;
  /** The program exited during the settle time or the probe (its code, or null for a signal). */
  exited?: { code: number | null };
  /** The probe made after the settle time, and where it came from. */
  probe?: ProbeOutcome & { from: 'readinessProbe' | 'livenessProbe' | '--probe' };
  /** Paths named in "Read-only file system" errors in the output. */
  readOnlyPaths: string[];
  output: string;
}

/** Paths that error lines blame on the read-only root, as the lines name them: the same parser as `rootlock suggest`. */
export function readOnlyErrorPaths(output: string): string[] {
  const paths = new Set<string>();
  for (const suggestion of suggestFromLogs(output).suggestions) {
    for (const evidence of suggestion.evidence) paths.add(evidence.path ?? suggestion.path);
  }
  return [...paths].sort();
}

export async function runVerify(image: OpenedImage, pod: PodContainerView, options: VerifyOptions): Promise<VerifyResult> {
  const { settleMs } = options;
  if (pod.probeError && !options.probe) throw new Error(`${pod.probeError} (give --probe to make another probe)`);
  const sandbox = startSandbox(sandboxSpecFor(image, pod, true));
  const probe = options.probe ? { from: '--probe' as const, spec: options.probe } : pod.probe;
  const abort = new AbortController();
  try {
    let timer: NodeJS.Timeout | undefined;
    const settled = new Promise<'settled'>((resolve) => (timer = setTimeout(() => resolve('settled'), settleMs)));
    let outcome = await Promise.race([settled, sandbox.exited]);
    clearTimeout(timer);
    let probed: ProbeOutcome | undefined;
    if (outcome === 'settled' && probe) {
      const probing = probeSandbox(sandbox, probe.spec, options.probeWaitMs, abort.signal);
      const first = await Promise.race([probing, sandbox.exited.then((code) => ({ exitedWith: code }))]);
      if (first !== undefined && 'exitedWith' in first) {
        outcome = first.exitedWith;
        abort.abort();
      }
      probed = await probing;
    }
    // Still up after the probe too: a program that answers once and then dies has not passed.
    if (outcome === 'settled' && !sandbox.running()) outcome = await sandbox.exited;
    await sandbox.stop();
    const output = sandbox.output();
    const readOnlyPaths = readOnlyErrorPaths(output);
    const result: VerifyResult = {
      passed: outcome === 'settled' && readOnlyPaths.length === 0 && (probed === undefined ? probe === undefined : probed.ok),
      container: pod.container, workload: pod.workload, settleMs, readOnlyPaths, output,
    };
    if (outcome !== 'settled') result.exited = { code: outcome };
    if (probe && probed) result.probe = { ...probed, from: probe.from };
    return result;
  } finally {
    abort.abort();
    await sandbox.stop();
    sandbox.remove();
  }
}
