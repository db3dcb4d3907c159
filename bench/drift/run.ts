// bench/drift: the upper-layer scan (readUpperLayer + diffUpperLayer +
// classification) of an upper directory of 100,000 files, against a plain
// recursive listing of the same tree (readdir + lstat of every entry, what
// `find -ls` does) in the same run, page cache warm for both.
// Usage: node dist/bench/drift/run.js [files=100000] [rounds=5]
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyChange } from '../../src/drift/classify.js';
import { diffUpperLayer } from '../../src/drift/differ.js';
import { readUpperLayer } from '../../src/drift/fs/upper-facts.js';
import type { UpperReadOptions } from '../../src/drift/fs/upper-facts.js';

const files = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const perDir = 100;

function build(root: string): { lower: string; upper: string } {
  const lower = join(root, 'lower');
  const upper = join(root, 'upper');
  // The image: a few system directories with files, some of which the upper layer copies up.
  for (const dir of ['usr/bin', 'etc', 'app']) mkdirSync(join(lower, dir), { recursive: true });
  for (let i = 0; i < 200; i++) writeFileSync(join(lower, 'usr/bin', `tool${i}`), `#!/bin/sh\necho ${i}\n`, { mode: 0o755 });
  for (let i = 0; i < 200; i++) writeFileSync(join(lower, 'etc', `conf${i}`), `key=${i}\n`);
  // The upper layer: copy-ups of image files (half changed), and a large added tree, as `npm install` at runtime makes.
  mkdirSync(join(upper, 'etc'), { recursive: true });
  mkdirSync(join(upper, 'usr/bin'), { recursive: true });
  let made = 0;
  for (let i = 0; i < 200 && made < files; i++, made++) writeFileSync(join(upper, 'etc', `conf${i}`), i % 2 ? `key=${i}\n` : `key=${i + 1}\n`);
  for (let i = 0; i < 100 && made < files; i++, made++) writeFileSync(join(upper, 'usr/bin', `tool${i}`), `#!/bin/sh\necho ${i}\n`, { mode: 0o755 });
  for (let d = 0; made < files; d++) {
    const dir = join(upper, 'app/node_modules', `pkg${d}`, 'lib');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perDir && made < files; f++, made++) writeFileSync(join(dir, `file${f}.js`), `module.exports = ${f};\n`);
  }
  return { lower, upper };
}

function listRecursively(dir: string): number {
  let count = 0;
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, dirent.name);
    lstatSync(path);
    count++;
    if (dirent.isDirectory()) count += listRecursively(path);
  }
  return count;
}

interface Sample {
  /** Elapsed time. */
  wall: number;
  /** CPU time of the whole process (user + system, every thread), which is what a node pays. */
  cpu: number;
}

function time<T>(fn: () => T): { sample: Sample; value: T } {
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { sample: { wall, cpu: (cpu.user + cpu.system) / 1000 }, value };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function summary(samples: Sample[], metric: keyof Sample): string {
  const values = samples.map((s) => s[metric]);
  return `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})`;
}

const root = mkdtempSync(join(tmpdir(), 'rootlock-bench-drift-'));
try {
  const { lower, upper } = build(root);
  listRecursively(upper); // warm the page cache for both
  const listing: Sample[] = [];
  const scan: Sample[] = [];
  const scanWithoutSniffing: Sample[] = [];
  let entries = 0;
  let changes = 0;
  const scanOnce = (options: Partial<UpperReadOptions>): number => {
    const facts = readUpperLayer({ upperdir: upper, lowerdirs: [lower], ...options });
    const diff = diffUpperLayer(facts.entries);
    for (const change of diff) classifyChange(change);
    return diff.length;
  };
  console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (let round = 0; round < rounds; round++) {
    const listed = time(() => listRecursively(upper));
    listing.push(listed.sample);
    entries = listed.value;
    const scanned = time(() => scanOnce({}));
    scan.push(scanned.sample);
    changes = scanned.value;
    scanWithoutSniffing.push(time(() => scanOnce({ sniffHeaders: false })).sample);
  }
  console.log(`load average after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  console.log(`bench/drift: upper layer of ${files} files (${entries} entries), ${changes} changes; median (min-max) of ${rounds} rounds, wall and CPU time`);
  const row = (label: string, samples: Sample[], count: number, unit: string): void => {
    const wall = median(samples.map((s) => s.wall));
    const cpu = median(samples.map((s) => s.cpu));
    const ratio = (metric: keyof Sample, value: number): string => (value / median(listing.map((s) => s[metric]))).toFixed(2);
    console.log(`  ${label}`);
    console.log(`    wall ${summary(samples, 'wall')}  ${(count / (wall / 1000)).toFixed(0)} ${unit}/s  ratio ${ratio('wall', wall)}x`);
    console.log(`    cpu  ${summary(samples, 'cpu')}  ${(count / (cpu / 1000)).toFixed(0)} ${unit}/s  ratio ${ratio('cpu', cpu)}x`);
  };
  row('recursive listing (readdir + lstat)', listing, entries, 'entries');
  row('drift scan (target <= 1.5x)', scan, files, 'files');
  row('drift scan without reading file headers (exec bit only)', scanWithoutSniffing, files, 'files');
} finally {
  rmSync(root, { recursive: true, force: true });
}
