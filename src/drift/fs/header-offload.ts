// Reading file headers on a worker thread while the scan's thread walks the
// tree. The scan stays synchronous: it hands over batches of paths and, at
// the end, blocks (Atomics.wait) until the worker has filled in their codes.
// This saves wall time only where a second core is free; it costs CPU
// (the worker's start, passing the paths: about a third more in
// bench/drift), so it is used only when the process may use two cores,
// the load average leaves one idle, and a layer has many headers to read.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { UpperEntry } from '../differ.js';
import { headerFromCode, readHeader } from './file-header.js';
import type { HeaderBatch } from './header-worker.js';

const BATCH = 1024;
/** A worker that completes no file for this long is given up on, and the rest is read on the scan's thread. */
const STALL_MS = 5_000;

let worker: Worker | undefined;
/** The worker failed or stalled once: this process reads headers on its own thread from then on. */
let broken = false;

function theWorker(): Worker | undefined {
  if (broken) return undefined;
  if (!worker) {
    try {
      worker = new Worker(new URL('./header-worker.js', import.meta.url));
    } catch {
      broken = true;
      return undefined;
    }
    worker.on('error', () => {
      broken = true;
      worker = undefined;
    });
    // Kept between scans (drift watch rescans), but never keeps the process alive.
    worker.unref();
  }
  return worker;
}

/** The CPU quota of this process's cgroup in cores (v2 cpu.max, v1 cfs_quota_us), or undefined when unlimited or unknown. */
function cgroupCpuQuota(): number | undefined {
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const v2 = read('/sys/fs/cgroup/cpu.max');
  if (v2) {
    const [quota, period] = v2.split(/\s+/);
    return quota === 'max' || !period ? undefined : Number(quota) / Number(period);
  }
  const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') ?? -1);
  const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us') ?? 0);
  return quota > 0 && period > 0 ? quota / period : undefined;
}

let cores: number | undefined;

/**
 * Whether a second thread would likely run at once with this one: two CPUs
 * in the affinity, a cgroup quota of two cores or none (a DaemonSet's CPU
 * limit below two cores throttles both threads together), and a one-minute
 * load average that leaves a core idle. Where no core is idle the worker
 * only adds CPU time and waits.
 */
export function mayUseSecondCore(): boolean {
  if (cores === undefined) cores = Math.min(availableParallelism(), cgroupCpuQuota() ?? Infinity);
  return cores >= 2 && loadavg()[0]! <= cores - 1;
}

/** Headers wanted by one scan, read by the worker. */
export class OffloadedHeaders {
  private readonly progress = new Int32Array(new SharedArrayBuffer(8));
  private readonly sent: { entries: UpperEntry[]; paths: string[]; codes: Uint8Array }[] = [];
  private entries: UpperEntry[] = [];
  private paths: string[] = [];

  /** Undefined when no worker can be had: the caller reads headers itself. */
  static start(): OffloadedHeaders | undefined {
    return theWorker() ? new OffloadedHeaders() : undefined;
  }

  add(entry: UpperEntry, path: string): void {
    this.entries.push(entry);
    this.paths.push(path);
    if (this.paths.length >= BATCH) this.send();
  }

  private send(): void {
    if (this.paths.length === 0) return;
    const batch = { entries: this.entries, paths: this.paths, codes: new Uint8Array(new SharedArrayBuffer(this.paths.length)) };
    this.entries = [];
    this.paths = [];
    this.sent.push(batch);
    const current = theWorker();
    if (!current) return; // read below, on this thread
    const message: HeaderBatch = { paths: batch.paths, codes: batch.codes, progress: this.progress };
    current.postMessage(message);
  }

  /** Waits for the worker, then sets each entry's header; whatever the worker did not read is read here. */
  finish(): void {
    this.send();
    let lastFiles = Atomics.load(this.progress, 1);
    let lastProgressAt = Date.now();
    while (!broken && Atomics.load(this.progress, 0) < this.sent.length) {
      Atomics.wait(this.progress, 0, Atomics.load(this.progress, 0), 100);
      const files = Atomics.load(this.progress, 1);
      if (files !== lastFiles) {
        lastFiles = files;
        lastProgressAt = Date.now();
      } else if (Date.now() - lastProgressAt > STALL_MS) {
        broken = true;
        void worker?.terminate();
        worker = undefined;
      }
    }
    for (const batch of this.sent) {
      for (let i = 0; i < batch.entries.length; i++) {
        const header = batch.codes[i] ? headerFromCode(batch.codes[i]!) : readHeader(batch.paths[i]!);
        if (header) batch.entries[i]!.header = header;
      }
    }
  }
}
