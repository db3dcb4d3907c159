// The profile benchmark: how much slower is `rootlock profile` than just
// starting the program? On the Debian nginx image of the tests
// (test/helpers/debian-image.ts), alternating over several rounds:
//   (a) baseline: a plain `chroot` into a copy of the same root filesystem,
//       `nginx -g 'daemon off;'` on the host's network, polled from this
//       process with HTTP GETs to 127.0.0.1:80 on the probers' own retry
//       schedule (src/sandbox/retry.ts) until it answers, then SIGTERM and
//       wait for it to exit;
//   (b) `runProfile` (what `rootlock profile --probe http://:80/` runs, in
//       this process): sandbox namespaces, overlay, probe from inside the
//       sandbox's network namespace, stop, read the upper directory, propose;
//   (c) the `rootlock profile` command as a user runs it (a new Node process).
// The probe wait is the time nginx took to answer inside the sandbox (the
// profile's probe.elapsedMs). Medians of wall time decide.
//
//   npm run bench:profile -- [--rounds 7]
// Needs root and the Debian rootfs (test/profile/build-debian-rootfs.sh).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openImage } from '../../src/image/source.js';
import { runProfile } from '../../src/profile/profile.js';
import { retryPauseMs } from '../../src/sandbox/retry.js';
import { debianImageLayout, debianRootfs } from '../../test/helpers/debian-image.js';
import { repoRoot } from '../../test/helpers/repo.js';

/** The target: profile at most this many times the plain start, plus the probe wait. */
const TARGET_RATIO = 2;
const PROBE = { kind: 'http', scheme: 'http', port: 80, path: '/', headers: {} } as const;

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(flags.rounds);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function get(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: 80, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Plain chroot: start, poll until HTTP 200, SIGTERM (nginx's fast shutdown stops its workers too), wait. */
async function chrootRun(rootfs: string): Promise<{ totalMs: number; answeredMs: number }> {
  const start = performance.now();
  const child = spawn('chroot', [rootfs, 'nginx', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  let status: number | undefined;
  while (!gone && performance.now() - start < 30_000) {
    status = await get();
    if (status === 200) break;
    // The same pauses as the profile's prober: a slower poll here would flatter the profile.
    await new Promise((r) => setTimeout(r, retryPauseMs(performance.now() - start)));
  }
  if (status !== 200) throw new Error(`chroot nginx did not answer: ${stderr}`);
  const answeredMs = performance.now() - start;
  child.kill('SIGTERM');
  await exited;
  return { totalMs: performance.now() - start, answeredMs };
}

async function profileRun(layout: string): Promise<{ totalMs: number; probeMs: number; proposals: string[] }> {
  const start = performance.now();
  const result = await runProfile({ image: openImage(`${layout}:nginx`), durationMs: 30_000, probe: PROBE });
  const totalMs = performance.now() - start;
  if (!result.probe?.ok) throw new Error(`profile: nginx did not answer: ${result.output}`);
  return { totalMs, probeMs: result.probe.elapsedMs, proposals: result.proposals.map((p) => p.path) };
}

function cliRun(layout: string): number {
  const start = performance.now();
  execFileSync(process.execPath, [join(repoRoot(), 'bin', 'rootlock.js'), 'profile', `${layout}:nginx`, '--probe', 'http://:80/', '--duration', '30s', '--format', 'json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - start;
}

const rootfs = debianRootfs();
const layout = debianImageLayout();
// The baseline's copy: nginx writes its pid, logs and temp directories into the root it runs in.
const copy = mkdtempSync(join(tmpdir(), 'rootlock-bench-chroot-'));
execFileSync('cp', ['-a', `${rootfs}/.`, copy]);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
say(`date: ${new Date().toISOString()}; cpu: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores; node ${process.version}`);
say(`load average at the start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
say(`image: ${layout}:nginx (layers unpacked and cached before timing)`);
try {
  // Warm-up, untimed: layer cache, page cache, JIT.
  await chrootRun(copy);
  const warm = await profileRun(layout);
  say(`profile proposes: ${warm.proposals.join(', ')}`);
  const chroot: number[] = [];
  const chrootAnswered: number[] = [];
  const profile: number[] = [];
  const probeWait: number[] = [];
  const cli: number[] = [];
  say('round  chroot ms (answered)  profile ms (probe wait)  profile CLI ms');
  for (let round = 1; round <= rounds; round++) {
    const runs: (() => Promise<void>)[] = [
      async () => { const r = await chrootRun(copy); chroot.push(r.totalMs); chrootAnswered.push(r.answeredMs); },
      async () => { const r = await profileRun(layout); profile.push(r.totalMs); probeWait.push(r.probeMs); },
      async () => { cli.push(cliRun(layout)); },
    ];
    // Alternate the order so that load from outside hits each alike.
    for (const run of round % 2 ? runs : runs.reverse()) await run();
    const i = round - 1;
    say(`${String(round).padStart(5)}  ${chroot[i]!.toFixed(0).padStart(9)} (${chrootAnswered[i]!.toFixed(0).padStart(4)})  ${profile[i]!.toFixed(0).padStart(10)} (${probeWait[i]!.toFixed(0).padStart(4)})  ${cli[i]!.toFixed(0).padStart(14)}`);
  }
  const [c, p, w, l] = [median(chroot), median(profile), median(probeWait), median(cli)];
  const limit = TARGET_RATIO * c + w;
  say('');
  say(`medians of ${rounds} rounds: plain chroot ${c.toFixed(0)} ms (answered after ${median(chrootAnswered).toFixed(0)} ms); runProfile ${p.toFixed(0)} ms (probe wait ${w.toFixed(0)} ms); rootlock profile CLI ${l.toFixed(0)} ms`);
  say(`runProfile / chroot: ${(p / c).toFixed(2)}x; CLI / chroot: ${(l / c).toFixed(2)}x`);
  say(`${p <= limit ? 'PASS' : 'FAIL'} runProfile ${p.toFixed(0)} ms against ${TARGET_RATIO}x chroot + probe wait = ${limit.toFixed(0)} ms`);
  say(`${l <= limit ? 'PASS' : 'FAIL'} rootlock profile CLI ${l.toFixed(0)} ms against the same ${limit.toFixed(0)} ms`);
  say(`load average at the end: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
} finally {
  rmSync(copy, { recursive: true, force: true });
}
