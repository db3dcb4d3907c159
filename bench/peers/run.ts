// The peers benchmark: rootlock against the tools CI jobs run beside or
// instead of it, kube-score (checks) and kubeconform (schema validation), and
// with --with-trivy Trivy's `trivy config`, each built from the Go module
// proxy into the tools cache. Whole processes on each input (bench/peers/
// inputs.ts), one untimed warm-up each, then rounds in which every tool runs
// once, the order rotating each round. Every run is checked to have processed
// the whole input. Ratios are peer / rootlock of the same round, and the
// median round is reported: above 1 the peer costs more than rootlock.
// CPU time (user + system, from wait4) decides; wall time and peak RSS are
// printed beside it.
//
//   npm run bench:peers -- [--rounds 5] [--small-workloads 1500] [--large-workloads 6500] [--seed 1]
//                          [--inputs example,corpus-files,corpus-one-file,large-one-file] [--with-trivy]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { builtGoTool } from '../../test/policy/tools.js';
import { repoRoot } from '../../test/helpers/repo.js';
import { benchInputs } from './inputs.js';
import type { BenchInput } from './inputs.js';
import { measure, rusageBinary } from './measure.js';
import type { Measured } from './measure.js';
import { kubeconformPeer, kubeScorePeer, rootlockPeer, trivyPeer } from './peers.js';
import type { Peer } from './peers.js';
import { median, roundOrder } from './rounds.js';
import { timedEnvNote } from '../timed-env.js';
import { kubeconformSchemaDir } from './schema-source.js';

/** The issue's target: on the ~6 MB corpus, rootlock's CPU time at most this times kube-score's. */
const KUBE_SCORE_CPU_TARGET = 0.9;

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    inputs: { type: 'string' },
    'small-workloads': { type: 'string', default: '1500' },
    'large-workloads': { type: 'string', default: '6500' },
    seed: { type: 'string', default: '1' },
    'with-trivy': { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return value;
}

const rounds = positiveInt('rounds', flags.rounds);
const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const log = (line: string): void => void process.stderr.write(`[bench:peers] ${line}\n`);
const ms = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (kib: number): string => (kib / 1024).toFixed(1);

function version(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0] ?? '';
}

interface Sample {
  run: Measured;
  objects: number;
}

async function runChecked(rusage: string, peer: Peer, input: BenchInput, outDir: string): Promise<Sample> {
  const stdoutPath = join(outDir, `${peer.name}.out`);
  const run = await measure(rusage, peer.command, peer.args(input), stdoutPath, outDir);
  try {
    return { run, objects: peer.check(run, readFileSync(stdoutPath, 'utf8'), input) };
  } catch (error) {
    throw new Error(`${input.name}: ${(error as Error).message}`);
  }
}

interface InputResult {
  input: BenchInput;
  /** Per peer: median over rounds of peer / rootlock, per clock. */
  ratios: Map<string, { cpu: number; wall: number; rss: number }>;
}

async function benchInput(rusage: string, peers: readonly Peer[], input: BenchInput, outDir: string): Promise<InputResult> {
  say(`## ${input.name}: ${input.files.length} file(s), ${input.objects.length} documents, ${(input.bytes / 1e6).toFixed(2)} MB`);
  const objects = new Map<string, number>();
  for (const peer of peers) objects.set(peer.name, (await runChecked(rusage, peer, input, outDir)).objects);
  const samples = new Map<string, Sample[]>(peers.map((peer) => [peer.name, []]));
  const ratios = new Map<string, { cpu: number[]; wall: number[]; rss: number[] }>(peers.map((peer) => [peer.name, { cpu: [], wall: [], rss: [] }]));
  for (let round = 0; round < rounds; round++) {
    const got = new Map<string, Sample>();
    for (const peer of roundOrder(peers, round)) got.set(peer.name, await runChecked(rusage, peer, input, outDir));
    const base = got.get('rootlock') as Sample;
    for (const [name, sample] of got) {
      samples.get(name)?.push(sample);
      const ratio = ratios.get(name) as { cpu: number[]; wall: number[]; rss: number[] };
      ratio.cpu.push(sample.run.cpuMs / base.run.cpuMs);
      ratio.wall.push(sample.run.wallMs / base.run.wallMs);
      ratio.rss.push(sample.run.maxRssKiB / base.run.maxRssKiB);
    }
  }
  say('tool          cpu ms  x rootlock   wall ms  x rootlock   peak RSS MiB  x rootlock   objects reported');
  const result: InputResult = { input, ratios: new Map() };
  for (const peer of peers) {
    const runs = (samples.get(peer.name) as Sample[]).map((s) => s.run);
    const ratio = ratios.get(peer.name) as { cpu: number[]; wall: number[]; rss: number[] };
    const summary = { cpu: median(ratio.cpu), wall: median(ratio.wall), rss: median(ratio.rss) };
    result.ratios.set(peer.name, summary);
    say(`${peer.name.padEnd(12)} ${ms(median(runs.map((r) => r.cpuMs))).padStart(7)} ${summary.cpu.toFixed(2).padStart(10)}x ${ms(median(runs.map((r) => r.wallMs))).padStart(9)} ${summary.wall.toFixed(2).padStart(10)}x ${mib(median(runs.map((r) => r.maxRssKiB))).padStart(14)} ${summary.rss.toFixed(2).padStart(10)}x   ${objects.get(peer.name)}`);
  }
  say();
  return result;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const rusage = rusageBinary();
  const kubeScore = builtGoTool('bench/peers', 'kube-score');
  const kubeconform = builtGoTool('bench/peers', 'kubeconform');
  const schemas = await kubeconformSchemaDir(log);
  const trivy = flags['with-trivy'] ? builtGoTool('bench/peers', 'trivy') : undefined;
  const outDir = mkdtempSync(join(tmpdir(), 'rootlock-bench-peers-'));
  try {
    const peers: Peer[] = [rootlockPeer(process.execPath, join(root, 'bin', 'rootlock.js')), kubeScorePeer(kubeScore), kubeconformPeer(kubeconform, schemas)];
    if (trivy) peers.push(trivyPeer(trivy, join(outDir, 'trivy-cache')));
    const allInputs = benchInputs({ smallWorkloads: positiveInt('small-workloads', flags['small-workloads']), largeWorkloads: positiveInt('large-workloads', flags['large-workloads']), seed: positiveInt('seed', flags.seed) });
    const chosen = flags.inputs?.split(',');
    const unknown = chosen?.filter((id) => !allInputs.some((input) => input.id === id)) ?? [];
    if (unknown.length > 0) throw new Error(`--inputs: no input ${unknown.join(', ')} (there are ${allInputs.map((input) => input.id).join(', ')})`);
    const inputs = chosen ? allInputs.filter((input) => chosen.includes(input.id)) : allInputs;

    say('# bench/peers: rootlock against kube-score, kubeconform' + (trivy ? ' and Trivy' : ''));
    say(`cpu: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; node ${process.version}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    say(`date: ${new Date().toISOString()}; ${rounds} rounds, order rotating; medians`);
    say(`rootlock ${version(process.execPath, [join(root, 'bin', 'rootlock.js'), '--version'])}; ${version(kubeScore, ['version'])}; kubeconform ${version(kubeconform, ['-v'])}${trivy ? `; trivy ${version(trivy, ['--version'])}` : ''}`);
    for (const peer of peers) say(`- ${peer.name}: ${peer.does}`);
    say('x rootlock = the peer\'s cost divided by rootlock\'s in the same round: above 1, rootlock is cheaper (better).');
    process.stdout.write(timedEnvNote());
    say();

    const results: InputResult[] = [];
    for (const input of inputs) results.push(await benchInput(rusage, peers, input, outDir));

    say('## target: on the ~6 MB corpus, rootlock\'s CPU time at most 0.9x kube-score\'s (rootlock / kube-score)');
    for (const { input, ratios } of results) {
      const kubeScoreOverRootlock = ratios.get('kube-score')?.cpu as number;
      const rootlockOverKubeScore = 1 / kubeScoreOverRootlock;
      const judged = input.id === 'corpus-files' || input.id === 'corpus-one-file';
      say(`${input.name.padEnd(40)} ${rootlockOverKubeScore.toFixed(2)}x${judged ? (rootlockOverKubeScore <= KUBE_SCORE_CPU_TARGET ? '  met' : '  not met') : ''}`);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
