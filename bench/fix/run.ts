// The fix benchmark. On the audit benchmark's generated corpus, times in
// alternating order over several rounds: (a) the baseline, a bare round trip
// of every file through the `yaml` library (parseAllDocuments, then toString),
// and (b) `rootlock fix` through its real pipeline (read, plan every rule to a
// fixpoint, apply the edits to the text, verify), writing nothing. Results are
// ratios against the baseline of the same round; the median decides, in CPU
// time, because the machine is shared and wall time swings with its load.
//
//   npm run bench:fix -- [--workloads 2000] [--rounds 5] [--seed 1]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureCorpus } from '../audit/generate.js';
import { collectGarbage, listManifests } from '../audit/passes.js';
import { fixManifests } from '../../src/app/fix.js';
import { emptyConfig } from '../../src/core/config.js';
import { RULES } from '../../src/rules/index.js';

/** The target: fix may take at most this many times the bare round trip. */
const TARGET_RATIO = 2;

const { values: flags } = parseArgs({
  options: {
    workloads: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});

interface Timing {
  cpuMs: number;
  wallMs: number;
}

async function timed(work: () => Promise<void>): Promise<Timing> {
  collectGarbage();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start };
}

async function roundTrip(files: readonly string[]): Promise<number> {
  let changed = 0;
  for (const file of files) {
    // Read the way fix reads files (src/input/sources.ts): synchronously, so the ratio compares the work, not two ways of doing I/O.
    const text = readFileSync(file, 'utf8');
    const out = parseAllDocuments(text).map((document) => document.toString()).join('');
    if (out !== text) changed++;
  }
  return changed;
}

async function fix(dir: string, files: readonly string[]): Promise<{ changedFiles: number; changes: number; errors: number }> {
  const run = await fixManifests({ paths: files.map((f) => relative(dir, f)), cwd: dir, rules: RULES, config: emptyConfig(), today: '2026-06-01' });
  let changes = 0;
  for (const file of run.files) for (const object of file.objects) changes += object.changes.length;
  return { changedFiles: run.files.filter((f) => f.after !== f.before).length, changes, errors: run.errors.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const workloads = Number(flags.workloads);
const rounds = Number(flags.rounds);
const { summary } = ensureCorpus(workloads, Number(flags.seed));
const files = await listManifests(summary.dir);
const megabytes = summary.bytes / 1048576;
process.stdout.write(`corpus: ${summary.workloads} workloads, ${summary.documents} documents, ${files.length} files, ${megabytes.toFixed(1)} MB (${summary.dir})\n`);

// Warm-up, untimed: JIT, module loading and file cache for both passes.
await roundTrip(files.slice(0, 200));
await fix(summary.dir, files.slice(0, 200));

const ratios: number[] = [];
const wallRatios: number[] = [];
const baselines: Timing[] = [];
const fixes: Timing[] = [];
let result = { changedFiles: 0, changes: 0, errors: 0 };
process.stdout.write('round  round-trip cpu ms   fix cpu ms   ratio   (wall ratio)\n');
for (let round = 1; round <= rounds; round++) {
  let baseline: Timing;
  let fixed: Timing;
  const runFix = () => timed(async () => { result = await fix(summary.dir, files); });
  const runBaseline = () => timed(async () => { await roundTrip(files); });
  if (round % 2) {
    baseline = await runBaseline();
    fixed = await runFix();
  } else {
    fixed = await runFix();
    baseline = await runBaseline();
  }
  baselines.push(baseline);
  fixes.push(fixed);
  ratios.push(fixed.cpuMs / baseline.cpuMs);
  wallRatios.push(fixed.wallMs / baseline.wallMs);
  process.stdout.write(`${String(round).padStart(5)}  ${baseline.cpuMs.toFixed(0).padStart(17)}  ${fixed.cpuMs.toFixed(0).padStart(11)}  ${(fixed.cpuMs / baseline.cpuMs).toFixed(2).padStart(6)}x  (${(fixed.wallMs / baseline.wallMs).toFixed(2)}x)\n`);
}
const fixCpu = median(fixes.map((t) => t.cpuMs));
const baseCpu = median(baselines.map((t) => t.cpuMs));
const ratio = median(ratios);
process.stdout.write(`\nround trip (yaml parseAllDocuments + toString): ${baseCpu.toFixed(0)} ms CPU, ${(megabytes / (baseCpu / 1000)).toFixed(1)} MB/s\n`);
process.stdout.write(`rootlock fix (every rule, no writes):          ${fixCpu.toFixed(0)} ms CPU, ${(megabytes / (fixCpu / 1000)).toFixed(1)} MB/s, ${(summary.documents / (fixCpu / 1000)).toFixed(0)} documents/s\n`);
process.stdout.write(`fix: ${result.changes} changes in ${result.changedFiles} files, ${result.errors} errors\n`);
process.stdout.write(`${ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'} fix/round-trip ${ratio.toFixed(2)}x in CPU time (target <= ${TARGET_RATIO}x); ${median(wallRatios).toFixed(2)}x in wall time\n`);
