// `rootlock profile`: runs an image in the sandbox with a writable overlay,
// lets it work for a while, stops it, and reads what it wrote from the
// overlay's upper directory with the drift engine's differ.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffUpperLayer } from '../drift/differ.js';
import type { ChangeKind } from '../drift/differ.js';
import { readUpperLayer } from '../drift/fs/upper-facts.js';
import type { OpenedImage } from '../image/source.js';
import { waitForProbe } from '../sandbox/probe.js';
import type { ProbeOutcome, ProbeSpec } from '../sandbox/probe.js';
import { resolveInImage, startSandbox } from '../sandbox/run.js';
import type { Sandbox, SandboxSpec } from '../sandbox/run.js';
import type { PodContainerView } from './pod.js';
import { proposeMounts } from './propose.js';
import type { WriteProposal } from './propose.js';

export interface ProfileOptions {
  image: OpenedImage;
  pod?: PodContainerView;
  durationMs: number;
  /** The image reference the result is for (default: the pod container's image). */
  imageName?: string;
  /** Stop as soon as this probe succeeds (within the duration) instead of after the whole duration. */
  probe?: ProbeSpec;
}

export interface ProfileResult {
  image: string;
  /** The image reference manifests use for this image: what `fix --profile` matches containers by. */
  imageName?: string;
  workload?: string;
  container?: string;
  argv: string[];
  user: { uid: number; gid: number };
  durationMs: number;
  /** The program exited before the duration was up (its exit code, or null when killed by a signal). */
  exited?: { code: number | null };
  /** The last of what the program printed. */
  output: string;
  /** With --probe: whether and when the program answered (the profile stops at the first success). */
  probe?: ProbeOutcome;
  changes: { path: string; kind: ChangeKind; type?: string; size?: number }[];
  proposals: WriteProposal[];
  coveredByVolumes: string[];
  atRoot: string[];
  /** Volumes the image config declares: Kubernetes ignores them, so they are profiled like any other directory. */
  imageVolumes: string[];
  /** Env vars set to placeholders (ConfigMap, Secret and field references). */
  placeholderEnv: string[];
}

/** A directory of the image with no entries in any layer (a whiteout counts as an entry: conservative). */
export function emptyInImage(lowerdirs: readonly string[], dir: string): boolean {
  const real = resolveInImage(lowerdirs, dir);
  let seen = false;
  for (const layer of lowerdirs) {
    try {
      if (readdirSync(join(layer, real)).length > 0) return false;
      seen = true;
    } catch {
      // not a directory in this layer
    }
  }
  return seen;
}

/** Looks a user or group name up in the image's /etc/passwd or /etc/group (topmost layer that has the file). */
function lookupId(lowerdirs: readonly string[], file: 'passwd' | 'group', name: string): { id: number; gid?: number } | undefined {
  for (const layer of lowerdirs) {
    let text: string;
    try {
      text = readFileSync(join(layer, 'etc', file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const fields = line.split(':');
      if (fields[0] === name && fields[2] !== undefined) {
        const result: { id: number; gid?: number } = { id: Number(fields[2]) };
        if (file === 'passwd' && fields[3] !== undefined) result.gid = Number(fields[3]);
        return result;
      }
    }
    return undefined;
  }
  return undefined;
}

/** The image config's `user` (uid, name, uid:gid, name:group) as numbers; the pod's runAsUser/runAsGroup win. */
export function resolveUser(image: OpenedImage, pod: PodContainerView | undefined): { uid: number; gid: number } {
  const [userPart = '', groupPart] = image.config.user.split(':');
  let uid = 0;
  let gid: number | undefined;
  if (/^\d+$/.test(userPart)) uid = Number(userPart);
  else if (userPart) {
    const found = lookupId(image.lowerdirs, 'passwd', userPart);
    if (!found) throw new Error(`image user ${userPart} is not in the image's /etc/passwd`);
    uid = found.id;
    gid = found.gid;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const found = lookupId(image.lowerdirs, 'group', groupPart);
      if (!found) throw new Error(`image group ${groupPart} is not in the image's /etc/group`);
      gid = found.id;
    }
  }
  return { uid: pod?.runAsUser ?? uid, gid: pod?.runAsGroup ?? gid ?? 0 };
}

/** Kubernetes' rules: command replaces the entrypoint (and drops cmd), args replace cmd. */
export function resolveArgv(image: OpenedImage, pod: PodContainerView | undefined): string[] {
  if (pod?.command) return [...pod.command, ...(pod.args ?? [])];
  return [...image.config.entrypoint, ...(pod?.args ?? image.config.cmd)];
}

/** The image's env with the pod's on top (same name: the pod's value). */
export function resolveEnv(image: OpenedImage, pod: PodContainerView | undefined): string[] {
  const env = new Map<string, string>();
  for (const entry of [...image.config.env, ...(pod?.env ?? [])]) {
    const equals = entry.indexOf('=');
    env.set(equals === -1 ? entry : entry.slice(0, equals), equals === -1 ? '' : entry.slice(equals + 1));
  }
  return [...env].map(([key, value]) => `${key}=${value}`);
}

export function sandboxSpecFor(image: OpenedImage, pod: PodContainerView | undefined, readOnlyRoot: boolean, volumes = pod?.volumeMounts ?? []): SandboxSpec {
  const user = resolveUser(image, pod);
  return {
    lowerdirs: image.lowerdirs,
    argv: resolveArgv(image, pod),
    env: resolveEnv(image, pod),
    workingDir: pod?.workingDir ?? (image.config.workingDir || '/'),
    uid: user.uid,
    gid: user.gid,
    volumes: volumes.map((v) => ({ path: v.path, ...(v.size ? { size: v.size } : {}) })),
    readOnlyRoot,
  };
}

/** Probes the sandbox until the probe succeeds or `waitMs` is over; undefined when the program exited first. */
export async function probeSandbox(sandbox: Sandbox, probe: ProbeSpec, waitMs: number, signal?: AbortSignal): Promise<ProbeOutcome | undefined> {
  const started = Date.now();
  const pid = await sandbox.initPid();
  if (pid === undefined) return undefined;
  return waitForProbe({ pid, ...sandbox.user }, probe, Math.max(0, waitMs - (Date.now() - started)), signal);
}

/** Resolves after `ms` with 'timeout', or earlier with the exit code when the program exits. */
function timeoutOrExit(sandbox: Sandbox, ms: number): { done: Promise<'timeout' | number | null>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return { done: Promise.race([timeout, sandbox.exited]), cancel: () => clearTimeout(timer) };
}

export async function runProfile(options: ProfileOptions): Promise<ProfileResult> {
  const { image, pod } = options;
  const spec = sandboxSpecFor(image, pod, false);
  const sandbox = startSandbox(spec);
  let exited: { code: number | null } | undefined;
  let probed: ProbeOutcome | undefined;
  try {
    const wait = timeoutOrExit(sandbox, options.durationMs);
    const abort = new AbortController();
    const probing = options.probe ? probeSandbox(sandbox, options.probe, options.durationMs, abort.signal) : undefined;
    // With a probe, the first of: the probe answers (or gives up at the duration), the program exits.
    const answered = probing?.then((result): Promise<ProbeOutcome | 'timeout' | number | null> | ProbeOutcome => result ?? wait.done);
    const outcome = await Promise.race<ProbeOutcome | 'timeout' | number | null>(answered ? [answered, sandbox.exited] : [wait.done]);
    wait.cancel();
    if (typeof outcome === 'number' || outcome === null) exited = { code: outcome };
    else if (outcome !== 'timeout') probed = outcome;
    abort.abort();
    await sandbox.stop();
    if (probing && !probed) probed = await probing;
    const upper = readUpperLayer({ upperdir: sandbox.upper!, lowerdirs: image.lowerdirs, sniffHeaders: false });
    const changes = diffUpperLayer(upper.entries);
    const proposed = proposeMounts(changes, pod?.volumeMounts.map((v) => v.path) ?? [], resolveInImage(image.lowerdirs, '/var/run') === '/run', (dir) => emptyInImage(image.lowerdirs, dir));
    const result: ProfileResult = {
      image: image.source,
      argv: spec.argv,
      user: { uid: spec.uid, gid: spec.gid },
      durationMs: options.durationMs,
      output: sandbox.output(),
      changes: changes.map((c) => ({ path: c.path, kind: c.kind, ...(c.type ? { type: c.type } : {}), ...(c.size !== undefined ? { size: c.size } : {}) })),
      ...proposed,
      imageVolumes: image.config.volumes,
      placeholderEnv: pod?.placeholders ?? [],
    };
    const imageName = options.imageName ?? pod?.image;
    if (imageName) result.imageName = imageName;
    if (pod) {
      result.workload = pod.workload;
      result.container = pod.container;
    }
    if (exited) result.exited = exited;
    if (probed) result.probe = probed;
    return result;
  } finally {
    await sandbox.stop();
    sandbox.remove();
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderProfileText(result: ProfileResult): string {
  const lines: string[] = [];
  lines.push(`profile of ${result.image}${result.container ? ` (${result.workload}, container ${result.container})` : ''}: ${result.argv.join(' ')} as ${result.user.uid}:${result.user.gid}`);
  if (result.exited) lines.push(`the program exited with ${result.exited.code ?? 'a signal'} before ${result.durationMs / 1000}s`);
  if (result.probe?.ok) lines.push(`probe ${result.probe.target} answered after ${(result.probe.elapsedMs / 1000).toFixed(2)}s; stopped then`);
  else if (result.probe && !result.exited) lines.push(`probe ${result.probe.target} did not succeed within ${result.durationMs / 1000}s (${result.probe.error ?? 'no answer'}): the profile may miss what the program writes once it is ready`);
  lines.push('');
  if (result.proposals.length === 0 && result.atRoot.length === 0) lines.push('no writes to the root filesystem: readOnlyRootFilesystem: true needs no volumes');
  else {
    lines.push('mount writable (emptyDir):');
    const width = Math.max(...result.proposals.map((p) => p.path.length), 0);
    for (const proposal of result.proposals) {
      lines.push(`  ${proposal.path.padEnd(width)}  ${formatBytes(proposal.bytes).padStart(9)}  ${proposal.paths.length} path${proposal.paths.length === 1 ? '' : 's'}`);
    }
  }
  if (result.atRoot.length) lines.push('', `written directly under / (no directory to mount; change the program): ${result.atRoot.join(', ')}`);
  if (result.coveredByVolumes.length) lines.push('', `already covered by the pod's volumes: ${result.coveredByVolumes.join(', ')}`);
  if (result.imageVolumes.length) lines.push('', `image VOLUMEs (Kubernetes ignores them; profiled as ordinary directories): ${result.imageVolumes.join(', ')}`);
  if (result.placeholderEnv.length) lines.push('', `env set to placeholders: ${result.placeholderEnv.join(', ')}`);
  lines.push('', 'changed paths:');
  for (const change of result.changes) lines.push(`  ${change.kind.padEnd(7)} ${change.path}${change.size !== undefined ? ` (${formatBytes(change.size)})` : ''}`);
  return `${lines.join('\n')}\n`;
}
