// Preloaded with `node --import <this file>`: records the URL of every module
// the process loads, one per line, in the file named by ROOTLOCK_LOAD_LOG. Tests
// use it to check which modules a command pulls in (ESM has no require.cache).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import type { InitializeHook, LoadHook } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let log: string | undefined;

export const initialize: InitializeHook<{ log?: string }> = (data) => {
  log = data.log;
};

export const load: LoadHook = (url, context, nextLoad) => {
  if (log) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
};

// Module hooks run on their own thread, which loads this file again: register only from the main thread.
if (isMainThread) register(import.meta.url, { data: { log: process.env['ROOTLOCK_LOAD_LOG'] } });
