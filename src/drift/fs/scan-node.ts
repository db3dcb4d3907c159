// Finds the containers running on this node and gathers their drift facts:
// every process whose root is an overlay mount, grouped by upper directory,
// mapped to pod and image through the runtime's files. Reads /proc and the
// runtime directories under `root` (/ on the node, /host in the DaemonSet).
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { exeFacts } from '../classify.js';
import type { ProcessFacts } from '../classify.js';
import { diffUpperLayer } from '../differ.js';
import { parseMountinfo, parseOverlayOptions, rootMount } from '../mountinfo.js';
import type { OverlayLayers } from '../mountinfo.js';
import { buildContainerDrift } from '../report.js';
import type { AcceptedDrift, ContainerDrift } from '../report.js';
import { containerFromCgroup, identityFromMetadata, metadataCandidates } from '../runtime-metadata.js';
import type { ContainerIdentity, RuntimeLocations } from '../runtime-metadata.js';
import { readUpperLayer } from './upper-facts.js';
import { withoutMountTargets } from '../mount-points.js';

export interface DiscoveredContainer {
  layers: OverlayLayers;
  pids: number[];
  identity: ContainerIdentity;
  /** The container's mount points (container paths), whose empty targets in the upper layer are the runtime's. */
  mountPoints: string[];
}

export interface ScanOptions {
  /** Host root: / on the node, /host when the host's directories are mounted there. */
  root: string;
  accepted: AcceptedDrift;
  /** Only containers whose upperdir passes this test (tests scope a scan to their own overlays). */
  filter?: (container: DiscoveredContainer) => boolean;
  /** Runtime state directories, when the node's runtime does not keep them in the default places. */
  runtime?: RuntimeLocations;
}

/** A host path as readable under `root`. */
export function hostPath(root: string, path: string): string {
  return root === '/' || root === '' ? path : `${root.replace(/\/+$/, '')}${path}`;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function identify(root: string, pid: number, locations?: RuntimeLocations): ContainerIdentity {
  const cgroup = readText(hostPath(root, `/proc/${pid}/cgroup`));
  const ref = cgroup ? containerFromCgroup(cgroup) : undefined;
  if (!ref) return {};
  for (const candidate of metadataCandidates(ref, locations)) {
    const text = readText(hostPath(root, candidate.path));
    if (text === undefined) continue;
    try {
      return identityFromMetadata(ref, candidate.runtime, JSON.parse(text));
    } catch {
      continue; // half-written state file: try the next layout
    }
  }
  return { ...ref };
}

/** Every process whose root is an overlay with an upper layer, grouped by that upper layer. */
export function discoverContainers(root: string, locations?: RuntimeLocations): { containers: DiscoveredContainer[]; problems: string[]; unreadable?: string } {
  const problems: string[] = [];
  const byUpper = new Map<string, DiscoveredContainer>();
  const layersByNamespace = new Map<string, { layers: OverlayLayers; mountPoints: string[] } | undefined>();
  let pids: number[];
  try {
    pids = readdirSync(hostPath(root, '/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch (error) {
    const message = `cannot list ${hostPath(root, '/proc')}: ${(error as Error).message}`;
    return { containers: [], problems: [message], unreadable: message };
  }
  for (const pid of pids) {
    const procDir = hostPath(root, `/proc/${pid}`);
    // Processes in one mount namespace share a root; read each namespace's mountinfo once.
    const namespace = readLink(`${procDir}/ns/mnt`);
    const rootLink = readLink(`${procDir}/root`);
    const cacheKey = namespace === undefined ? undefined : `${namespace} ${rootLink ?? ''}`;
    let found: { layers: OverlayLayers; mountPoints: string[] } | undefined;
    if (cacheKey !== undefined && layersByNamespace.has(cacheKey)) found = layersByNamespace.get(cacheKey);
    else {
      const text = readText(`${procDir}/mountinfo`);
      if (text === undefined) continue; // exited, or a kernel thread we may not read
      const mounts = parseMountinfo(text).mounts;
      const mount = rootMount(mounts);
      if (mount?.fsType === 'overlay') {
        const parsed = parseOverlayOptions(mount.superOptions);
        // An overlay without an upper layer is read-only: nothing in it can drift.
        if (!('error' in parsed)) found = { layers: parsed, mountPoints: mounts.map((m) => m.mountPoint) };
      }
      if (cacheKey !== undefined) layersByNamespace.set(cacheKey, found);
    }
    if (!found) continue;
    const existing = byUpper.get(found.layers.upperdir);
    if (existing) existing.pids.push(pid);
    else byUpper.set(found.layers.upperdir, { layers: found.layers, pids: [pid], identity: identify(root, pid, locations), mountPoints: found.mountPoints });
  }
  return { containers: [...byUpper.values()], problems };
}

export function processFacts(root: string, pid: number): ProcessFacts | undefined {
  const procDir = hostPath(root, `/proc/${pid}`);
  const link = readLink(`${procDir}/exe`);
  if (link === undefined) return undefined;
  const command = (readText(`${procDir}/comm`) ?? '').trim();
  const facts = exeFacts(pid, command, link, readLink(`${procDir}/root`) ?? '/');
  if (!facts.memfd && !facts.deleted) {
    const running = statSync(`${procDir}/exe`, { throwIfNoEntry: false });
    const atPath = statSync(`${procDir}/root${facts.exe}`, { throwIfNoEntry: false });
    if (running && atPath) facts.sameFileAsPath = running.dev === atPath.dev && running.ino === atPath.ino;
  }
  return facts;
}

export interface ScannedContainer {
  drift: ContainerDrift;
  /** Upper-layer directories (container paths) seen, for the watcher's change detection. */
  directories: string[];
}

export function scanContainer(root: string, container: DiscoveredContainer, accepted: AcceptedDrift): ScannedContainer {
  const mergedPid = container.pids.find((pid) => readLink(hostPath(root, `/proc/${pid}/root`)) !== undefined);
  const upper = readUpperLayer({
    upperdir: hostPath(root, container.layers.upperdir),
    lowerdirs: container.layers.lowerdirs.map((dir) => hostPath(root, dir)),
    ...(mergedPid !== undefined ? { merged: hostPath(root, `/proc/${mergedPid}/root`) } : {}),
    metacopy: container.layers.metacopy,
  });
  const processes = container.pids.map((pid) => processFacts(root, pid)).filter((p): p is ProcessFacts => p !== undefined);
  const drift = buildContainerDrift({
    identity: container.identity,
    upperdir: container.layers.upperdir,
    lowerdirs: container.layers.lowerdirs,
    changes: withoutMountTargets(diffUpperLayer(upper.entries), container.mountPoints),
    processes,
    problems: upper.problems,
    accepted,
  });
  return { drift, directories: upper.directories };
}

export function scanNode(options: ScanOptions): { containers: ScannedContainer[]; problems: string[]; unreadable?: string } {
  const discovered = discoverContainers(options.root, options.runtime);
  const wanted = options.filter ? discovered.containers.filter(options.filter) : discovered.containers;
  const containers = wanted.map((container) => scanContainer(options.root, container, options.accepted));
  containers.sort((a, b) => (a.drift.upperdir < b.drift.upperdir ? -1 : 1));
  return { containers, problems: discovered.problems, ...(discovered.unreadable ? { unreadable: discovered.unreadable } : {}) };
}
