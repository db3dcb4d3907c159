// The audit benchmark. Generates a corpus, then in one process times, in
// alternating order over several rounds, (a) the baseline: read every file and
// js-yaml `loadAll` it, and (b) `rootlock audit` through its real pipeline with
// every registered rule; in the first --yaml-rounds rounds also, for
// reference, the `yaml` library's parseAllDocuments and the audit with its
// block-YAML fast path off. The machine is shared and noisy, so results are
// ratios against the baseline of the same round, the median round decides,
// and the verdict uses CPU time (what the process did), which other tenants
// disturb far less than wall time (which is printed too).
// Peak RSS comes from child processes over corpora of 1x, 2x and 4x the size.
//
//   npm run bench:audit -- [--workloads 20000] [--rounds 5] [--yaml-rounds 1]
//                          [--rss-workloads 5000] [--no-rss] [--seed 1] [--keep]
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { ensureCorpus, defaultCorpusDir } from './generate.js';
import type { CorpusSummary } from './generate.js';
import { collectGarbage, runPass } from './passes.js';
import type { PassName, PassResult } from './passes.js';
import type { ChildResult } from './child.js';
import { RULES } from '../../src/rules/index.js';

/** The issue's target: the audit may take at most this many times the js-yaml baseline. */
const TARGET_RATIO = 1.5;
/**
 * Peak RSS counts as flat when, from 1x to 4x the input, the audit's peak
 * grows at most this much faster than the js-yaml baseline's, which holds
 * nothing between files: V8 sizes its heap by allocation rate, so even the
 * baseline's RSS creeps up with input size.
 */
const FLAT_RSS_GROWTH = 1.25;

const { values: flags } = parseArgs({
  options: {
    workloads: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    'yaml-rounds': { type: 'string', default: '1' },
    'rss-workloads': { type: 'string' },
    'no-rss': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, text: string | undefined, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${text}`);
  return value;
}

const workloads = positiveInt('workloads', flags.workloads);
const rounds = positiveInt('rounds', flags.rounds);
const yamlRounds = Math.min(rounds, positiveInt('yaml-rounds', flags['yaml-rounds'], true));
const seed = positiveInt('seed', flags.seed);
const rssWorkloads = positiveInt('rss-workloads', flags['rss-workloads'] ?? String(Math.max(1, Math.round(workloads / 4))));
const RSS_SCALES = [1, 2, 4];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const say = (line = ''): void => void process.stdout.write(`${line}\n`);

function cpuModel(): string {
  try {
    const model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1];
    if (model) return model;
  } catch {
    // Not Linux: os.cpus() below.
  }
  return cpus()[0]?.model ?? 'unknown';
}

function environment(): string[] {
  const info = cpuModel();
  return [
    `cpu: ${info}, ${cpus().length} cores; node ${process.version}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`,
    `date: ${new Date().toISOString()}`,
    `rules: ${RULES.length} (${RULES.map((rule) => rule.id).join(', ')})`,
  ];
}

function corpusLine(summary: CorpusSummary, reused: boolean): string {
  return `${int(summary.workloads)} workloads in ${int(summary.documents)} documents, ${int(summary.files)} files, ${mb(summary.bytes)} MB (seed ${summary.seed}${reused ? ', reused' : ''}) at ${summary.dir}`;
}

/** Times one pass after a full collection, so it does not pay for the garbage of the pass before. */
async function timed(pass: PassName, dir: string): Promise<PassResult> {
  collectGarbage();
  return runPass(pass, dir);
}

function checkSameInput(a: PassResult, b: PassResult): void {
  if (a.documents !== b.documents || a.files !== b.files) {
    throw new Error(`${a.pass} saw ${a.files} files / ${a.documents} documents but ${b.pass} saw ${b.files} / ${b.documents}: not the same input`);
  }
}

type Clock = 'cpuMs' | 'ms';
const CLOCKS: ReadonlyArray<readonly [Clock, string]> = [['cpuMs', 'cpu'], ['ms', 'wall']];

interface Throughput {
  /** Median over rounds of audit/js-yaml, per clock. */
  ratio: Record<Clock, number>;
  unpositioned: number;
}

async function throughput(summary: CorpusSummary): Promise<Throughput> {
  const dir = summary.dir;
  // Warm-up: let both paths reach optimised code before anything is timed.
  const warmUpSize = Math.min(1000, workloads);
  const warmUp = ensureCorpus(warmUpSize, seed + 1, defaultCorpusDir(warmUpSize, seed + 1));
  await timed('js-yaml', warmUp.summary.dir);
  await timed('audit', warmUp.summary.dir);
  if (!flags.keep && !warmUp.reused) rmSync(warmUp.summary.dir, { recursive: true, force: true });

  const results: Record<PassName, PassResult[]> = { 'js-yaml': [], audit: [], yaml: [], 'audit-js-yaml': [] };
  const ratios: Record<Exclude<PassName, 'js-yaml'>, Record<Clock, number[]>> = {
    audit: { cpuMs: [], ms: [] }, yaml: { cpuMs: [], ms: [] }, 'audit-js-yaml': { cpuMs: [], ms: [] },
  };
  const ratioColumns = (pass: Exclude<PassName, 'js-yaml'>, got: PassResult, base: PassResult): string =>
    CLOCKS.map(([clock]) => {
      const ratio = got[clock] / base[clock];
      ratios[pass][clock].push(ratio);
      return `${int(got[clock]).padStart(8)} ${ratio.toFixed(2).padStart(6)}`;
    }).join(' ');
  say('        js-yaml ms        audit ms (x js-yaml)' + (yamlRounds ? '     yaml ms (x js-yaml)        audit, js-yaml path only' : ''));
  say('round    cpu    wall      cpu  ratio    wall  ratio' + (yamlRounds ? '      cpu  ratio    wall  ratio      cpu  ratio    wall  ratio' : ''));
  for (let round = 0; round < rounds; round++) {
    const order: PassName[] = round % 2 === 0 ? ['js-yaml', 'audit'] : ['audit', 'js-yaml'];
    const got: Partial<Record<PassName, PassResult>> = {};
    for (const pass of order) got[pass] = await timed(pass, dir);
    if (round < yamlRounds) {
      got.yaml = await timed('yaml', dir);
      got['audit-js-yaml'] = await timed('audit-js-yaml', dir);
    }
    const base = got['js-yaml'] as PassResult;
    const audit = got.audit as PassResult;
    checkSameInput(base, audit);
    results['js-yaml'].push(base);
    results.audit.push(audit);
    let line = `${String(round + 1).padStart(5)} ${int(base.cpuMs).padStart(6)} ${int(base.ms).padStart(7)} ${ratioColumns('audit', audit, base)}`;
    if (got.yaml) {
      checkSameInput(base, got.yaml);
      results.yaml.push(got.yaml);
      line += ` ${ratioColumns('yaml', got.yaml, base)}`;
    }
    const slowPath = got['audit-js-yaml'];
    if (slowPath) {
      checkSameInput(base, slowPath);
      if (slowPath.findings !== audit.findings) throw new Error(`the audit found ${audit.findings} findings with the fast path and ${slowPath.findings} without`);
      results['audit-js-yaml'].push(slowPath);
      line += ` ${ratioColumns('audit-js-yaml', slowPath, base)}`;
    }
    say(line);
  }

  const audit = results.audit[0] as PassResult;
  const findings = new Set(results.audit.map((r) => r.findings));
  if (findings.size !== 1) throw new Error(`the audit found a different number of findings in different rounds: ${[...findings].join(', ')}`);
  say();
  say('medians        cpu ms  documents/s   MB/s  x js-yaml |  wall ms  documents/s   MB/s  x js-yaml');
  for (const pass of ['js-yaml', 'audit', 'yaml', 'audit-js-yaml'] as const) {
    if (results[pass].length === 0) continue;
    const columns = CLOCKS.map(([clock]) => {
      const ms = median(results[pass].map((r) => r[clock]));
      const ratio = pass === 'js-yaml' ? 1 : median(ratios[pass][clock]);
      return `${int(ms).padStart(8)} ${int(summary.documents / (ms / 1000)).padStart(12)} ${(summary.bytes / 1e6 / (ms / 1000)).toFixed(1).padStart(6)} ${ratio.toFixed(2).padStart(9)}x`;
    });
    say(`${pass.padEnd(13)} ${columns.join(' | ')}`);
  }
  if (results['audit-js-yaml'].length > 0) {
    say('(audit-js-yaml: the same audit with the block-YAML fast path off, every document read by js-yaml, as JSON,');
    say(' flow-style or anchor-heavy input is; reported, not judged)');
  }
  say('(ratios are medians of the per-round ratios; MB = 10^6 bytes)');
  say();
  say(`audit: ${int(audit.findings ?? 0)} findings, ${audit.unpositioned ?? 0} without line and column, ${audit.errors} input errors`);
  if (results['js-yaml'].some((r) => r.errors > 0)) say(`js-yaml rejected ${results['js-yaml'][0]?.errors} files`);
  return { ratio: { cpuMs: median(ratios.audit.cpuMs), ms: median(ratios.audit.ms) }, unpositioned: audit.unpositioned ?? 0 };
}

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));

async function child(pass: PassName, dir: string): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [childScript, pass, dir], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as ChildResult;
}

interface MemoryGrowth {
  /** Audit peak RSS at 4x over 1x. */
  audit: number;
  /** js-yaml peak RSS at 4x over 1x. */
  baseline: number;
}

async function peakMemory(): Promise<MemoryGrowth> {
  say(`peak RSS (separate processes; corpus ${RSS_SCALES.map((s) => `${s}x`).join(', ')} of ${int(rssWorkloads)} workloads)`);
  say('scale  workloads       MB   js-yaml RSS MiB  audit RSS MiB   audit findings');
  const rss: Array<{ baseline: number; audit: number }> = [];
  for (const scale of RSS_SCALES) {
    const size = rssWorkloads * scale;
    const { summary, reused } = ensureCorpus(size, seed);
    const base = await child('js-yaml', summary.dir);
    const audit = await child('audit', summary.dir);
    rss.push({ baseline: base.maxRssKiB, audit: audit.maxRssKiB });
    say(`${`${scale}x`.padStart(5)} ${int(size).padStart(10)} ${mb(summary.bytes).padStart(8)} ${(base.maxRssKiB / 1024).toFixed(0).padStart(16)} ${(audit.maxRssKiB / 1024).toFixed(0).padStart(14)} ${int(audit.findings ?? 0).padStart(16)}`);
    if (!flags.keep && !reused && size !== workloads) rmSync(summary.dir, { recursive: true, force: true });
  }
  const first = rss[0] as { baseline: number; audit: number };
  const last = rss[rss.length - 1] as { baseline: number; audit: number };
  return { audit: last.audit / first.audit, baseline: last.baseline / first.baseline };
}

for (const line of environment()) say(line);
const generationStart = performance.now();
const corpus = ensureCorpus(workloads, seed);
say(`corpus: ${corpusLine(corpus.summary, corpus.reused)}${corpus.reused ? '' : ` (generated in ${int(performance.now() - generationStart)} ms)`}`);
say();
const { ratio, unpositioned } = await throughput(corpus.summary);
let growth: MemoryGrowth | undefined;
if (!flags['no-rss']) {
  say();
  growth = await peakMemory();
}
if (!flags.keep) rmSync(corpus.summary.dir, { recursive: true, force: true });

say();
say(`load average at the end: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
const verdicts = [
  `${ratio.cpuMs <= TARGET_RATIO ? 'PASS' : 'FAIL'} audit/js-yaml ${ratio.cpuMs.toFixed(2)}x in CPU time (target <= ${TARGET_RATIO}x); ${ratio.ms.toFixed(2)}x in wall time`,
  `${unpositioned === 0 ? 'PASS' : 'FAIL'} every finding has a line and column${unpositioned ? ` (${unpositioned} do not)` : ''}`,
  ...(growth !== undefined
    ? [`${growth.audit <= growth.baseline * FLAT_RSS_GROWTH ? 'PASS' : 'FAIL'} peak RSS from 1x to 4x: audit x${growth.audit.toFixed(2)}, js-yaml x${growth.baseline.toFixed(2)} (flat: audit at most ${FLAT_RSS_GROWTH}x the baseline's growth)`]
    : []),
];
for (const verdict of verdicts) say(verdict);
