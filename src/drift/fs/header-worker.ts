// The header worker: reads the first bytes of the files the scan's thread
// sends, so that those opens and reads overlap the walk on another core.
// One batch: { paths, codes, progress }; writes one code per path into
// `codes` (shared memory), then counts the batch done in progress[0] and
// the files done in progress[1], and wakes the waiting scan.
import { parentPort } from 'node:worker_threads';
import { headerCode, readHeader } from './file-header.js';

export interface HeaderBatch {
  paths: string[];
  codes: Uint8Array;
  progress: Int32Array;
}

parentPort?.on('message', (batch: HeaderBatch) => {
  for (let i = 0; i < batch.paths.length; i++) {
    batch.codes[i] = headerCode(readHeader(batch.paths[i]!));
    Atomics.add(batch.progress, 1, 1);
  }
  Atomics.add(batch.progress, 0, 1);
  Atomics.notify(batch.progress, 0);
});
