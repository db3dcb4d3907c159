// Loads the CLI bundle with a V8 code cache kept in the user's cache directory
// ($XDG_CACHE_HOME/rootlock or ~/.cache/rootlock, never inside the package), so
// a run after the first skips compiling the code it runs: Node 20 has no
// module.enableCompileCache. Any failure to read or write the cache only costs
// the compile; ROOTLOCK_NO_COMPILE_CACHE=1 turns it off.
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

function cacheFileFor(bundle, command) {
  if (process.env.ROOTLOCK_NO_COMPILE_CACHE === '1') return undefined;
  // HOME rather than os.homedir(): loading node:os costs every start, and without HOME there is no cache.
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, '.cache') : undefined);
  if (!base) return undefined;
  const { size, mtimeMs } = statSync(bundle);
  // One cache per command, since each holds the functions its command ran. It belongs to this bundle and this V8:
  // V8 also rejects a mismatch, the name just avoids the attempt.
  const name = /^[a-z-]{1,20}$/.test(command ?? '') ? command : 'other';
  return join(base, 'rootlock', 'compile-cache', `${name}-${process.versions.v8}-${size}-${Math.trunc(mtimeMs)}.bin`);
}

function readCache(file) {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file, script) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file);
    // The caches an earlier build or Node left for this command are dead weight now.
    const prefix = `${basename(file).split('-')[0]}-`;
    for (const name of readdirSync(dirname(file))) {
      if (name.startsWith(prefix) && name !== basename(file) && name.endsWith('.bin')) rmSync(join(dirname(file), name), { force: true });
    }
  } catch {
    // A read-only or full disk: the next run compiles again.
  }
}

/** The exports of the CommonJS bundle at `bundle`, compiled from the code cache `command` last left, if any. */
function loadCli(bundle, command) {
  // ASCII (scripts/bundle-cli.js makes sure), so latin1 reads it right, and faster than UTF-8.
  const source = readFileSync(bundle, 'latin1');
  const cacheFile = cacheFileFor(bundle, command);
  const cachedData = readCache(cacheFile);
  // CommonJS's own wrapper, plus the function the bundle imports its one ES module dependency with (import() inside a
  // vm.Script compiled from a code cache fails in Node 20; here it is an ordinary import() of this file).
  const wrapped = `(function (exports, require, module, __filename, __dirname, __rootlockImport) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  const importModule = (specifier) => import(specifier);
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle), importModule);
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // Written as the process ends, so the cache holds the functions this command compiled, not only the top level.
    process.once('beforeExit', () => writeCache(cacheFile, script));
  }
  return module.exports;
}

module.exports = { loadCli };
