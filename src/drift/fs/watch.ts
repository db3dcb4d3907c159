// `rootlock drift watch`: rescans on an interval, re-reading only upper
// layers whose directories changed (an added, removed or copied-up entry
// changes its directory's mtime), with a full rescan every `fullEvery`
// rounds for edits in place to files already in an upper layer. Serves
// Prometheus metrics and a health check. Idle cost: one stat per upper-layer
// directory per interval, plus a /proc walk.
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { DriftClass } from '../classify.js';
import type { ContainerDrift } from '../report.js';
import { discoverContainers, hostPath, scanContainer } from './scan-node.js';
import type { DiscoveredContainer, ScanOptions } from './scan-node.js';

interface CachedContainer {
  signature: string;
  drift: ContainerDrift;
  directories: string[];
}

export interface WatchRound {
  containers: ContainerDrift[];
  /** Upper layers read again this round (others came from the cache). */
  rescanned: number;
  problems: string[];
  durationSeconds: number;
}

function signature(root: string, container: DiscoveredContainer, directories: readonly string[]): string {
  const upper = hostPath(root, container.layers.upperdir);
  const parts: string[] = [container.pids.join(',')];
  for (const dir of directories) {
    try {
      const stats = statSync(dir === '/' ? upper : `${upper}${dir}`, { bigint: true });
      // ctime, not only mtime: a copy-up puts the parent directory's mtime back (overlayfs keeps it equal to the
      // lower one), but the change time it cannot put back.
      parts.push(`${stats.ctimeNs}:${stats.mtimeNs}:${stats.ino}`);
    } catch {
      parts.push('-');
    }
  }
  return parts.join(' ');
}

/** Rescans the node, reusing the previous round's result for every upper layer whose directories did not change. */
export class DriftWatcher {
  private cache = new Map<string, CachedContainer>();
  private round = 0;
  constructor(private readonly options: ScanOptions & { fullEvery: number }) {}

  scan(): WatchRound {
    const started = process.hrtime.bigint();
    const full = this.round++ % this.options.fullEvery === 0;
    const discovered = discoverContainers(this.options.root, this.options.runtime);
    const wanted = this.options.filter ? discovered.containers.filter(this.options.filter) : discovered.containers;
    const next = new Map<string, CachedContainer>();
    let rescanned = 0;
    for (const container of wanted) {
      const key = container.layers.upperdir;
      const cached = this.cache.get(key);
      if (!full && cached && signature(this.options.root, container, cached.directories) === cached.signature) {
        next.set(key, cached);
        continue;
      }
      const scanned = scanContainer(this.options.root, container, this.options.accepted);
      rescanned++;
      next.set(key, { drift: scanned.drift, directories: scanned.directories, signature: signature(this.options.root, container, scanned.directories) });
    }
    this.cache = next;
    const containers = [...next.values()].map((c) => c.drift).sort((a, b) => (a.upperdir < b.upperdir ? -1 : 1));
    return { containers, rescanned, problems: discovered.problems, durationSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }
}

function label(value: string | undefined): string {
  return (value ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition of the latest round. */
export function renderMetrics(state: { last?: WatchRound; rounds: number; failures: number; lastSuccess?: number }): string {
  const lines: string[] = [
    '# HELP rootlock_drift_scans_total Scans of the node since start.',
    '# TYPE rootlock_drift_scans_total counter',
    `rootlock_drift_scans_total ${state.rounds}`,
    '# HELP rootlock_drift_scan_failures_total Scans that failed.',
    '# TYPE rootlock_drift_scan_failures_total counter',
    `rootlock_drift_scan_failures_total ${state.failures}`,
  ];
  if (state.lastSuccess !== undefined) {
    lines.push('# HELP rootlock_drift_last_scan_timestamp_seconds When the last scan finished.', '# TYPE rootlock_drift_last_scan_timestamp_seconds gauge', `rootlock_drift_last_scan_timestamp_seconds ${state.lastSuccess}`);
  }
  const last = state.last;
  if (last) {
    lines.push(
      '# HELP rootlock_drift_scan_duration_seconds Duration of the last scan.', '# TYPE rootlock_drift_scan_duration_seconds gauge', `rootlock_drift_scan_duration_seconds ${last.durationSeconds}`,
      '# HELP rootlock_drift_upper_layers_rescanned Upper layers read again in the last scan.', '# TYPE rootlock_drift_upper_layers_rescanned gauge', `rootlock_drift_upper_layers_rescanned ${last.rescanned}`,
      '# HELP rootlock_drift_containers Running overlay containers found.', '# TYPE rootlock_drift_containers gauge', `rootlock_drift_containers ${last.containers.length}`,
      '# HELP rootlock_drift_changes Unaccepted changes per container and class.', '# TYPE rootlock_drift_changes gauge',
    );
    for (const container of last.containers) {
      const counts = new Map<DriftClass, number>();
      for (const item of [...container.changes, ...container.processes]) if (!item.suppressed) counts.set(item.class, (counts.get(item.class) ?? 0) + 1);
      const id = container.identity;
      for (const [driftClass, count] of [...counts].sort()) {
        lines.push(`rootlock_drift_changes{namespace="${label(id.podNamespace)}",pod="${label(id.podName)}",container="${label(id.containerName)}",image="${label(id.image)}",class="${driftClass}"} ${count}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

export function serveMetrics(listen: { host: string; port: number }, state: () => { last?: WatchRound; rounds: number; failures: number; lastSuccess?: number; healthyWithinSeconds: number; now: () => number }): Promise<Server> {
  const server = createServer((request, response) => {
    const current = state();
    if (request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(renderMetrics(current));
    } else if (request.url === '/healthz') {
      const healthy = current.lastSuccess !== undefined && current.now() - current.lastSuccess <= current.healthyWithinSeconds;
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(healthy ? 'ok\n' : 'no successful scan recently\n');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}
