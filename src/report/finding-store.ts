// Holds an audit's findings until the report is written, in sorted order,
// with memory that does not grow with their number: past a bound, each batch
// is sorted and written to a temporary file as JSON lines (a "run"), and the
// report reads the runs back merged. A directory of 20,000 workloads has
// about 160,000 findings; held as objects they were most of the audit's heap.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import type { Finding } from '../core/types.js';
import { compareFindings } from './model.js';

/** Findings kept in memory before a batch is written out: a few megabytes of heap. */
export const DEFAULT_FINDINGS_IN_MEMORY = 10_000;

/** Sorted findings, readable as many times as a renderer needs (some count first, then write). */
export interface SortedFindings extends Iterable<Finding> {
  readonly count: number;
}

const READ_BYTES = 64 * 1024;

/** The values of a JSON lines file (a run of findings), one line at a time, reading a bounded chunk at a time. */
export function* readJsonLines<T = Finding>(path: string): Generator<T> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    // Keeps a character cut by a chunk boundary for the next chunk.
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      pending += decoder.write(buffer.subarray(0, bytesRead));
      let start = 0;
      let end = pending.indexOf('\n');
      while (end !== -1) {
        yield JSON.parse(pending.slice(start, end)) as T;
        start = end + 1;
        end = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
    }
    if (pending.trim() !== '') yield JSON.parse(pending) as T;
  } finally {
    closeSync(fd);
  }
}

/**
 * Merges sorted sources. Ties go to the earlier source, and each source is
 * in insertion order, so the result equals a stable sort of everything
 * added, byte for byte in every report.
 */
function* merge(sources: ReadonlyArray<Iterable<Finding>>): Generator<Finding> {
  const iterators = sources.map((source) => source[Symbol.iterator]());
  const heads: Array<Finding | undefined> = iterators.map((it) => {
    const next = it.next();
    return next.done ? undefined : next.value;
  });
  try {
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head !== undefined && (best === -1 || compareFindings(head, heads[best] as Finding) < 0)) best = i;
      }
      if (best === -1) return;
      yield heads[best] as Finding;
      const next = (iterators[best] as Iterator<Finding>).next();
      heads[best] = next.done ? undefined : next.value;
    }
  } finally {
    // A renderer that stops early still closes every run file.
    for (const it of iterators) it.return?.();
  }
}

export class FindingStore {
  private batch: Finding[] = [];
  private readonly runs: string[] = [];
  private directory: string | undefined;
  private added = 0;
  private readonly cleanup = () => this.dispose();

  constructor(private readonly inMemory = DEFAULT_FINDINGS_IN_MEMORY) {}

  add(finding: Finding): void {
    this.batch.push(finding);
    this.added++;
    if (this.batch.length >= this.inMemory) this.spill();
  }

  get count(): number {
    return this.added;
  }

  /** Everything added, sorted; stays readable until dispose(). */
  sorted(): SortedFindings {
    this.batch.sort(compareFindings);
    const batch = this.batch;
    const runs = [...this.runs];
    return {
      count: this.added,
      [Symbol.iterator]: (): Iterator<Finding> => (runs.length === 0 ? batch[Symbol.iterator]() : merge([...runs.map((run) => ({ [Symbol.iterator]: () => readJsonLines(run) })), batch])),
    };
  }

  /** Removes the run files. */
  dispose(): void {
    if (this.directory !== undefined) {
      rmSync(this.directory, { recursive: true, force: true });
      this.directory = undefined;
      process.removeListener('exit', this.cleanup);
    }
  }

  private spill(): void {
    if (this.directory === undefined) {
      this.directory = mkdtempSync(join(tmpdir(), 'rootlock-findings-'));
      process.on('exit', this.cleanup);
    }
    this.batch.sort(compareFindings);
    const path = join(this.directory, `run-${this.runs.length}.jsonl`);
    let text = '';
    for (const finding of this.batch) text += `${JSON.stringify(finding)}\n`;
    writeFileSync(path, text, { mode: 0o600 });
    this.runs.push(path);
    this.batch = [];
  }
}
