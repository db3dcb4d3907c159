// The start-up benchmark. Times whole processes the way a CI gate or a
// pre-commit hook runs rootlock: `node -e 0` (the floor: starting Node itself),
// `rootlock --version`, a one-file audit, a one-file fix preview and
// `policy gatekeeper`. Every round runs each command once, in an order that
// rotates from round to round so the machine's load falls on all alike; each
// command's time (wall, and CPU of the process) is divided by the same round's
// floor and the median of those ratios is the result. `--bin` times another
// launcher, such as the single executable of `npm run sea`.
//
//   npm run bench:startup -- [--rounds 40] [--bin dist/sea/rootlock]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../test/helpers/repo.js';
import { median, roundOrder } from '../peers/rounds.js';
import { timedEnv, timedEnvNote } from '../timed-env.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '40' },
    // Another launcher to time in place of bin/rootlock.js (a single executable, say): an executable file.
    bin: { type: 'string' },
  },
});

interface Case {
  name: string;
  /** The most the ratio to the floor may be, where the project has set a target. */
  target?: number;
  args: string[];
}

const root = repoRoot();
const launcher = flags.bin ? [resolve(flags.bin)] : [process.execPath, resolve(root, 'bin', 'rootlock.js')];
const rootlock = (...args: string[]): string[] => [...launcher, ...args];
const CASES: Case[] = [
  { name: 'node -e 0 (the floor)', args: [process.execPath, '-e', '0'] },
  { name: 'rootlock --version', target: 1.1, args: rootlock('--version') },
  { name: 'rootlock audit examples/web.yaml', target: 1.25, args: rootlock('audit', 'examples/web.yaml') },
  { name: 'rootlock fix examples/web.yaml (preview)', args: rootlock('fix', 'examples/web.yaml') },
  { name: 'rootlock policy gatekeeper', args: rootlock('policy', 'gatekeeper') },
];

interface Timing {
  wallMs: number;
  cpuMs: number;
}

// bash times the command from inside, so its own start-up is not counted; `times` gives the CPU time of the
// children it waited for, to the millisecond.
const TIMER = 's=$EPOCHREALTIME; "$@" >/dev/null 2>"$ROOTLOCK_BENCH_ERR"; rc=$?; e=$EPOCHREALTIME; echo "$s $e $rc"; times';

/** One whole process, timed; its output is discarded, a crash fails the benchmark. */
function timeProcess(args: readonly string[]): Timing {
  const errFile = join(tmpdir(), `rootlock-bench-startup-${process.pid}.err`);
  const result = spawnSync('bash', ['-c', TIMER, 'bash', ...args], { cwd: root, encoding: 'utf8', env: timedEnv({ NO_COLOR: '1', ROOTLOCK_BENCH_ERR: errFile }) });
  const [line, , children] = result.stdout.trim().split('\n');
  const [start, end, code] = (line ?? '').split(' ').map(Number);
  // Findings exit 1; anything else is the command failing, which would make its time meaningless.
  if (result.status !== 0 || (code !== 0 && code !== 1)) throw new Error(`${args.join(' ')} failed (exit ${code}): ${readFileSync(errFile, 'utf8')}`);
  const cpu = [...(children ?? '').matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60_000 + Number(m[2]) * 1000, 0);
  return { wallMs: (end! - start!) * 1000, cpuMs: cpu };
}

const rounds = Number(flags.rounds);
for (const c of CASES) timeProcess(c.args); // warm the page cache and the code caches before anything counts
const wall = CASES.map(() => [] as number[]);
const wallRatios = CASES.map(() => [] as number[]);
const cpuRatios = CASES.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  const timings: Timing[] = [];
  for (const index of roundOrder(CASES.map((_, i) => i), round)) timings[index] = timeProcess(CASES[index]!.args);
  timings.forEach((t, i) => {
    wall[i]!.push(t.wallMs);
    wallRatios[i]!.push(t.wallMs / timings[0]!.wallMs);
    cpuRatios[i]!.push(t.cpuMs / timings[0]!.cpuMs);
  });
}

process.stdout.write(`start-up: ${rounds} rounds, rotating order, Node.js ${process.version}, launcher ${launcher.join(' ')}\n${timedEnvNote()}\n`);
process.stdout.write('| command | median wall ms | wall to the floor | CPU to the floor | target (wall) | met |\n| --- | --- | --- | --- | --- | --- |\n');
CASES.forEach((c, i) => {
  const ratio = median(wallRatios[i]!);
  const met = c.target === undefined ? '' : ratio <= c.target ? 'yes' : 'no';
  const cells = i === 0 ? ['1x', '1x'] : [`${ratio.toFixed(2)}x`, `${median(cpuRatios[i]!).toFixed(2)}x`];
  process.stdout.write(`| ${c.name} | ${median(wall[i]!).toFixed(1)} | ${cells.join(' | ')} | ${c.target ? `at most ${c.target}x` : ''} | ${met} |\n`);
});
