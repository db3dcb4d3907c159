// The drift report: containers with classified changes and running
// executables, with accepted drift marked. Pure: assembles data the front end gathered.
import { suppression } from './allow.js';
import type { DriftAllowEntry } from '../core/config.js';
import type { DriftBaseline, Suppression } from './allow.js';
import { CLASS_PRIORITY, DRIFT_PRIORITIES, classifyChange, classifyProcess } from './classify.js';
import type { DriftClass, DriftPriority, ProcessDrift, ProcessFacts } from './classify.js';
import type { Change } from './differ.js';
import { imageKey } from './runtime-metadata.js';
import type { ContainerIdentity } from './runtime-metadata.js';

export interface ClassifiedChange extends Change {
  class: DriftClass;
  priority: DriftPriority;
  suppressed?: Suppression;
}

export interface RunningExecutableDrift extends ProcessDrift {
  class: 'running-executable';
  priority: DriftPriority;
  suppressed?: Suppression;
}

export interface ContainerDrift {
  identity: ContainerIdentity;
  /** Host paths of the overlay layers. */
  upperdir: string;
  lowerdirs: string[];
  pids: number[];
  changes: ClassifiedChange[];
  processes: RunningExecutableDrift[];
  problems: string[];
}

export interface DriftReport {
  tool: { name: 'rootlock'; version: string };
  hostname: string;
  /** ISO time the scan finished. */
  time: string;
  containers: ContainerDrift[];
  problems: string[];
}

export interface AcceptedDrift {
  allow: readonly DriftAllowEntry[];
  baseline?: DriftBaseline;
}

export function imageNames(identity: ContainerIdentity): string[] {
  return [identity.image, identity.imageDigest].filter((v): v is string => v !== undefined);
}

export function buildContainerDrift(input: {
  identity: ContainerIdentity;
  upperdir: string;
  lowerdirs: string[];
  changes: readonly Change[];
  processes: readonly ProcessFacts[];
  problems?: string[];
  accepted: AcceptedDrift;
}): ContainerDrift {
  const names = imageNames(input.identity);
  const key = imageKey(input.identity);
  const byPath = new Map(input.changes.map((c) => [c.path, c]));
  const changes = input.changes.map((change): ClassifiedChange => {
    const driftClass = classifyChange(change);
    const classified: ClassifiedChange = { ...change, class: driftClass, priority: CLASS_PRIORITY[driftClass] };
    const why = suppression(change, names, key, input.accepted.allow, input.accepted.baseline);
    if (why) classified.suppressed = why;
    return classified;
  });
  const processes: RunningExecutableDrift[] = [];
  for (const facts of input.processes) {
    const drift = classifyProcess(facts, byPath.get(facts.exe));
    if (!drift) continue;
    const entry: RunningExecutableDrift = { ...drift, class: 'running-executable', priority: CLASS_PRIORITY['running-executable'] };
    // An allow-listed path covers the process running it; memfd and deleted executables have no path to allow.
    const why = drift.reason === 'upper-layer' ? suppression({ path: drift.exe, kind: 'added' }, names, undefined, input.accepted.allow, undefined) : undefined;
    if (why) entry.suppressed = why;
    processes.push(entry);
  }
  processes.sort((a, b) => a.pid - b.pid);
  return { identity: input.identity, upperdir: input.upperdir, lowerdirs: input.lowerdirs, pids: input.processes.map((p) => p.pid).sort((a, b) => a - b), changes, processes, problems: input.problems ?? [] };
}

export function priorityRank(priority: DriftPriority): number {
  return DRIFT_PRIORITIES.indexOf(priority);
}

/** Whether the report has unaccepted drift at or above `threshold`. */
export function hasDriftAtOrAbove(report: DriftReport, threshold: DriftPriority): boolean {
  const limit = priorityRank(threshold);
  return report.containers.some((c) =>
    [...c.changes, ...c.processes].some((item) => !item.suppressed && priorityRank(item.priority) <= limit));
}

/** Readable label for a container: namespace/pod/container, else the runtime id. */
export function containerLabel(container: Pick<ContainerDrift, 'identity' | 'upperdir'>): string {
  const identity = container.identity;
  if (identity.podName) return `${identity.podNamespace ?? '?'}/${identity.podName}/${identity.containerName ?? '?'}`;
  return identity.containerName ?? identity.containerId?.slice(0, 12) ?? `overlay ${container.upperdir}`;
}
