#!/usr/bin/env node
// Runs the compiled tests (dist/**/*.test.js) with Node's built-in test
// runner. Node 20 has no glob support in `node --test`, so list them here.
//
//   node scripts/run-tests.js [FILTER...]          the test suite (npm test): everything in the repository
//   node scripts/run-tests.js --corpus [DIR]       the corpus suite (npm run test:corpus DIR): *.corpus.test.js
//                                                  over a third-party corpus, ../shared/corpus/real-world by default
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const corpusMode = args[0] === '--corpus';
const only = corpusMode ? [] : args;
const CORPUS_TEST = /\.corpus\.test\.js$/;

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
const current = compiled.filter((file) => existsSync(sourceOf(file)));
const corpusFiles = current.filter((file) => CORPUS_TEST.test(file));
let files = corpusMode ? corpusFiles : current.filter((file) => !CORPUS_TEST.test(file));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}

// The CLI's launcher runs dist/cli.cjs: bundle what tsc just compiled, so a test never runs an older CLI than the code.
const bundled = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.js')], { stdio: 'inherit', cwd: root });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);

const env = { ...process.env };
if (corpusMode) {
  // The corpus suite's one argument: the only path outside the repository a test may read.
  const dir = resolve(process.cwd(), args[1] ?? join(root, '..', 'shared', 'corpus', 'real-world'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`corpus suite: ${dir} is not a directory; give the corpus as npm run test:corpus DIR`);
    process.exit(1);
  }
  env['ROOTLOCK_CORPUS'] = dir;
  console.log(`corpus suite: ${files.length} test file(s) over ${dir}`);
} else {
  delete env['ROOTLOCK_CORPUS'];
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root, env });
if (!corpusMode && only.length === 0) {
  console.log(`\nnot run: the corpus suite (${corpusFiles.length} test file(s) over the third-party corpus); run it with npm run test:corpus DIR`);
}
process.exit(result.status ?? 1);
