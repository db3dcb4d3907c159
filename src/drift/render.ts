// Renders a drift report as text, JSON, or Falco-shaped JSON events
// (one per line, as Falco's json_output writes them; falcosidekick takes
// each as the body of a POST). Pure.
import { CLASS_DESCRIPTION } from './classify.js';
import type { DriftClass, DriftPriority } from './classify.js';
import { DOCKER_DIFF_LETTER } from './differ.js';
import { containerLabel, priorityRank } from './report.js';
import type { ClassifiedChange, ContainerDrift, DriftReport, RunningExecutableDrift } from './report.js';

export type DriftFormat = 'text' | 'json' | 'falco';

export interface RenderOptions {
  /** Show touched paths and accepted drift in text output. */
  verbose?: boolean;
  /** Lowest priority that becomes a Falco event (default: notice, so touched paths stay out). */
  minimumPriority?: DriftPriority;
}

export function renderText(report: DriftReport, options: RenderOptions = {}): string {
  const lines: string[] = [];
  for (const container of report.containers) {
    const shown = container.changes.filter((c) => options.verbose || (!c.suppressed && c.kind !== 'touched'));
    const running = container.processes.filter((p) => options.verbose || !p.suppressed);
    const accepted = container.changes.filter((c) => c.suppressed).length;
    const touched = container.changes.filter((c) => c.kind === 'touched' && !c.suppressed).length;
    const id = container.identity;
    lines.push(`${containerLabel(container)}${id.image ? `  image ${id.image}` : ''}${id.runtime ? `  ${id.runtime} ${id.containerId?.slice(0, 12) ?? ''}` : ''}`);
    for (const process of running) {
      lines.push(`  RUN ${process.exe}  pid ${process.pid} (${process.command})  ${process.priority}: ${processReason(process)}${process.suppressed ? `  [accepted: ${process.suppressed.reason}]` : ''}`);
    }
    for (const change of shown) {
      const detail = change.aspects.length ? ` (${change.aspects.join(', ')}${change.metacopy ? ', metadata-only copy-up' : ''})` : change.kind === 'touched' ? ' (touched: copied up, unchanged)' : '';
      lines.push(`  ${DOCKER_DIFF_LETTER[change.kind]} ${change.path}${detail}  ${change.priority} ${change.class}${change.suppressed ? `  [accepted: ${change.suppressed.reason}]` : ''}`);
    }
    const hidden = [accepted && !options.verbose ? `${accepted} accepted` : '', touched && !options.verbose ? `${touched} touched without change` : ''].filter(Boolean);
    if (shown.length === 0 && running.length === 0) lines.push('  no drift');
    if (hidden.length) lines.push(`  (${hidden.join(', ')}; --verbose shows them)`);
    for (const problem of container.problems) lines.push(`  problem: ${problem}`);
  }
  if (report.containers.length === 0) lines.push('no running overlay containers found');
  for (const problem of report.problems) lines.push(`problem: ${problem}`);
  return lines.join('\n') + '\n';
}

export function renderJson(report: DriftReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

function processReason(process: RunningExecutableDrift): string {
  if (process.reason === 'memfd') return 'runs from an anonymous memory file (memfd)';
  if (process.reason === 'deleted') return 'runs a binary that was deleted or replaced after it started';
  return 'runs a binary from the container\'s writable layer, not from the image';
}

/** Falco's rule names for drift, one per class. */
export const FALCO_RULES: Record<DriftClass, string> = {
  'running-executable': 'Drop and execute new binary in container',
  executable: 'Executable added or changed in container',
  'system-binary-dir': 'Write below binary dir in container',
  'package-database': 'Package database changed in container',
  config: 'Write below etc in container',
  other: 'File changed in container',
  touched: 'File copied up unchanged in container',
};

const FALCO_PRIORITY: Record<DriftPriority, string> = {
  critical: 'Critical', error: 'Error', warning: 'Warning', notice: 'Notice', informational: 'Informational',
};

export interface FalcoEvent {
  time: string;
  rule: string;
  priority: string;
  output: string;
  output_fields: Record<string, string | number | null>;
  source: string;
  hostname: string;
  tags: string[];
}

function containerFields(container: ContainerDrift): Record<string, string | number | null> {
  const id = container.identity;
  const [repository, tag] = splitImage(id.image);
  return {
    'container.id': id.containerId?.slice(0, 12) ?? null,
    'container.name': id.containerName ?? null,
    'container.image.repository': repository,
    'container.image.tag': tag,
    'container.image.digest': id.imageDigest ?? null,
    'k8s.ns.name': id.podNamespace ?? null,
    'k8s.pod.name': id.podName ?? null,
    'k8s.pod.uid': id.podUid ?? null,
  };
}

function splitImage(image: string | undefined): [string | null, string | null] {
  if (!image) return [null, null];
  const withoutDigest = image.split('@')[0]!;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > withoutDigest.lastIndexOf('/')) return [withoutDigest.slice(0, colon), withoutDigest.slice(colon + 1)];
  return [withoutDigest, null];
}

/** Falco prints an event's time as HH:MM:SS.nanoseconds at the start of its output line. */
function falcoClock(time: string): string {
  const match = /T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(time);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}` : time;
}

function where(container: ContainerDrift): string {
  const id = container.identity;
  return `k8s.ns=${id.podNamespace ?? '<NA>'} k8s.pod=${id.podName ?? '<NA>'} container=${id.containerName ?? id.containerId?.slice(0, 12) ?? '<NA>'} image=${id.image ?? '<NA>'}`;
}

export function falcoEvents(report: DriftReport, options: RenderOptions = {}): FalcoEvent[] {
  const limit = priorityRank(options.minimumPriority ?? 'notice');
  const events: FalcoEvent[] = [];
  const event = (container: ContainerDrift, item: ClassifiedChange | RunningExecutableDrift, message: string, fields: Record<string, string | number | null>): void => {
    const priority = FALCO_PRIORITY[item.priority];
    events.push({
      time: report.time,
      rule: FALCO_RULES[item.class],
      priority,
      output: `${falcoClock(report.time)}: ${priority} ${message} (${where(container)})`,
      output_fields: { 'evt.time.iso8601': report.time, ...containerFields(container), ...fields },
      source: 'rootlock',
      hostname: report.hostname,
      tags: ['container', 'drift', 'filesystem', item.class, ...(item.class === 'running-executable' ? ['process', 'mitre_execution', 'T1059'] : ['mitre_persistence'])],
    });
  };
  for (const container of report.containers) {
    for (const process of container.processes) {
      if (process.suppressed || priorityRank(process.priority) > limit) continue;
      event(container, process, `Process ${processReason(process)} (proc.exepath=${process.exe} proc.pid=${process.pid} proc.name=${process.command})`, {
        'proc.pid': process.pid, 'proc.name': process.command, 'proc.exepath': process.exe, 'rootlock.reason': process.reason,
      });
    }
    for (const change of container.changes) {
      if (change.suppressed || priorityRank(change.priority) > limit) continue;
      event(container, change, `${CLASS_DESCRIPTION[change.class]}: ${change.kind} ${change.path}${change.aspects.length ? ` (${change.aspects.join(', ')})` : ''}`, {
        'fd.name': change.path, 'rootlock.change': change.kind, 'rootlock.aspects': change.aspects.join(',') || null, 'rootlock.class': change.class,
      });
    }
  }
  return events;
}

export function renderFalco(report: DriftReport, options: RenderOptions = {}): string {
  return falcoEvents(report, options).map((e) => JSON.stringify(e) + '\n').join('');
}

export function renderDrift(report: DriftReport, format: DriftFormat, options: RenderOptions = {}): string {
  if (format === 'json') return renderJson(report);
  if (format === 'falco') return renderFalco(report, options);
  return renderText(report, options);
}
