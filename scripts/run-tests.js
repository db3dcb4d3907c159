#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test
// runner. Node 20 has no glob support in `node --test`, so list them here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

// tsc never deletes what it emitted: a test whose source was removed or renamed leaves its .js behind. Only
// compiled tests whose TypeScript source still exists are tests of this tree.
const compiled = collect(join(root, 'dist'), []);
const sourceOf = (file) => join(root, relative(join(root, 'dist'), file).replace(/\.js$/, '.ts'));
const stale = compiled.filter((file) => !existsSync(sourceOf(file)));
if (stale.length) console.error(`ignoring ${stale.length} compiled test file(s) whose source no longer exists: ${stale.map((f) => relative(root, f)).join(', ')}`);
let files = compiled.filter((file) => existsSync(sourceOf(file)));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
