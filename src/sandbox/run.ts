// A test harness that runs one container without a container runtime: new
// mount, pid, uts, ipc and network namespaces (util-linux `unshare`), an
// overlay root from the image's layers, a fresh /proc, a minimal /dev,
// loopback-only networking, emptyDir volumes as tmpfs, then the container's
// command chroot'ed with its env, working directory and user.
// NOT a security boundary: it runs as root, keeps the host's capabilities
// and seccomp profile, and shares the host's user namespace. It exists to
// observe well-behaved software, not to contain hostile software.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';

export interface SandboxVolume {
  /** Container path. */
  path: string;
  /** tmpfs size limit (an emptyDir's sizeLimit), such as 64m. */
  size?: string;
}

export interface SandboxSpec {
  /** Image layers, topmost first. */
  lowerdirs: string[];
  /** Command and arguments, already resolved from entrypoint/cmd/command/args. */
  argv: string[];
  /** KEY=value strings. */
  env: string[];
  workingDir: string;
  uid: number;
  gid: number;
  volumes: SandboxVolume[];
  /** Mount the root read-only (no upper directory): what `verify` runs. */
  readOnlyRoot: boolean;
}

export interface Sandbox {
  /** Scratch directory holding upper, work, merged and the mount-point scaffold. */
  dir: string;
  /** The overlay upper directory (undefined with a read-only root). */
  upper: string | undefined;
  /** Host pid of the `unshare` process. */
  pid: number;
  /** Resolves with the exit code (or null when killed) once the sandbox is gone. */
  exited: Promise<number | null>;
  /** Whether the container's process tree is still running. */
  running(): boolean;
  /** Host pid of the namespace's init (pid 1 inside: the container's command), once unshare has forked it; undefined when it is gone. */
  initPid(): Promise<number | undefined>;
  /** User, group and env the command runs with (what an exec probe runs with too). */
  user: { uid: number; gid: number; env: string[] };
  /** Standard output and error of the container (last 64 KiB), interleaved. */
  output(): string;
  /** Kills the container's whole process tree; its namespaces and mounts die with it. */
  stop(): Promise<void>;
  /** Removes the scratch directory (after stop). */
  remove(): void;
}

const OUTPUT_LIMIT = 64 * 1024;
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Where a container path really lies in the image: follows the image's own
 * symlinks (say /var/run -> /run) so a mount point is made where the kernel
 * would mount, not as a directory that hides the link.
 */
export function resolveInImage(lowerdirs: readonly string[], path: string): string {
  let parts = path.split('/').filter(Boolean);
  let resolved: string[] = [];
  for (let steps = 0; parts.length > 0 && steps < 64; steps++) {
    const part = parts.shift()!;
    if (part === '.') continue;
    if (part === '..') { resolved.pop(); continue; }
    const candidate = [...resolved, part].join('/');
    let link: string | undefined;
    for (const layer of lowerdirs) {
      try {
        const stats = lstatSync(join(layer, candidate));
        if (stats.isSymbolicLink()) link = readlinkSync(join(layer, candidate));
        break;
      } catch {
        // not in this layer
      }
    }
    if (link === undefined) { resolved.push(part); continue; }
    if (link.startsWith('/')) resolved = [];
    parts = [...link.split('/').filter(Boolean), ...parts];
  }
  return `/${resolved.join('/')}`;
}

/** An fstab field: spaces, tabs, newlines and backslashes as the octal escapes fstab(5) reads. */
function fstabField(value: string): string {
  return value.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function fstab(entries: { source: string; target: string; type: string; options: string }[]): string {
  return entries.map((e) => `${fstabField(e.source)} ${fstabField(e.target)} ${e.type} ${fstabField(e.options)} 0 0\n`).join('');
}

/**
 * The shell script that builds the container inside the new namespaces. Every
 * command in it is a process, and each costs a millisecond or more of start
 * time: all mounts are made by one `mount -a` over an fstab written
 * beforehand (X-mount.mkdir makes /dev/shm on the fresh /dev), /dev is filled
 * by one `cp -a`, loopback is brought up by `ip` running alongside both, and
 * the hostname is set by the shell itself.
 */
function setupScript(spec: SandboxSpec, dirs: { dir: string; upper: string; work: string; merged: string; scaffold: string; devTemplate: string }, mountPoints: string[]): string {
  const lowers = [dirs.scaffold, ...spec.lowerdirs].join(':');
  const overlayOptions = spec.readOnlyRoot ? `ro,lowerdir=${lowers}` : `lowerdir=${lowers},upperdir=${dirs.upper},workdir=${dirs.work}`;
  const at = (path: string): string => posix.join(dirs.merged, path);
  const table = join(dirs.dir, 'fstab');
  // mount -a mounts in the table's order: each entry's mount point is on a file system mounted above it.
  writeFileSync(table, fstab([
    { source: 'overlay', target: dirs.merged, type: 'overlay', options: overlayOptions },
    { source: 'proc', target: at('/proc'), type: 'proc', options: 'nosuid,nodev,noexec' },
    { source: 'tmpfs', target: at('/dev'), type: 'tmpfs', options: 'nosuid,mode=755' },
    { source: 'shm', target: at('/dev/shm'), type: 'tmpfs', options: 'nosuid,nodev,mode=1777,X-mount.mkdir' },
    ...spec.volumes.map((volume, i) => ({ source: `volume${i}`, target: at(mountPoints[i]!), type: 'tmpfs', options: `mode=777${volume.size ? `,size=${volume.size}` : ''}` })),
  ]));
  const lines = [
    'set -e',
    // In the background: it needs only the network namespace. `wait` below fails the script if it failed.
    'ip link set lo up & lo=$!',
    `mount -a -T ${quote(table)}`,
    // cp -a copies the host's device nodes as device nodes, and the template's links and directories.
    `cp -a ${DEVICES.filter((d) => existsSync(`/dev/${d}`)).map((d) => `/dev/${d}`).join(' ')} ${quote(`${dirs.devTemplate}/.`)} ${quote(at('/dev/'))}`,
    'wait $lo',
    'printf rootlock-sandbox > /proc/sys/kernel/hostname',
    // unshare by its host path: env looks a bare name up in the image's PATH (a builtin, no process).
    'unshare=$(command -v unshare)',
    `exec env -i ${spec.env.map(quote).join(' ')} "$unshare" --root=${quote(dirs.merged)} --wd=${quote(spec.workingDir || '/')} --setgid ${spec.gid} --setuid ${spec.uid} -- ${spec.argv.map(quote).join(' ')}`,
  ];
  return lines.join('\n');
}

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Running (a zombie is dead for our purposes: it has let go of its namespaces and mounts, and its parent, not us, reaps it). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Kill functions of the sandboxes still running, called when this process exits or is told to stop. */
const liveSandboxes = new Set<() => void>();
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killAll(): void {
  for (const kill of liveSandboxes) kill();
  liveSandboxes.clear();
}

/** Kills the sandboxes, then lets the signal do what it would have done without this handler. */
function onStopSignal(signal: NodeJS.Signals): void {
  killAll();
  for (const s of STOP_SIGNALS) process.removeListener(s, onStopSignal);
  process.removeListener('exit', killAll);
  process.kill(process.pid, signal);
}

function watchForExit(kill: () => void): void {
  if (liveSandboxes.size === 0) {
    process.once('exit', killAll); // 'exit' handlers must be synchronous: these are
    for (const s of STOP_SIGNALS) process.once(s, onStopSignal);
  }
  liveSandboxes.add(kill);
}

function unwatch(kill: () => void): void {
  liveSandboxes.delete(kill);
  if (liveSandboxes.size === 0) {
    process.removeListener('exit', killAll);
    for (const s of STOP_SIGNALS) process.removeListener(s, onStopSignal);
  }
}

export function startSandbox(spec: SandboxSpec): Sandbox {
  if (spec.argv.length === 0) throw new Error('sandbox: no command to run (the image has no entrypoint or cmd, and none was given)');
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-sandbox-'));
  const dirs = { upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged'), scaffold: join(dir, 'scaffold'), devTemplate: join(dir, 'dev') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  // What /dev holds besides the device nodes (and shm, mounted before), copied onto its tmpfs in the same cp.
  mkdirSync(join(dirs.devTemplate, 'pts'));
  for (const [name, target] of [['fd', '/proc/self/fd'], ['stdin', '/proc/self/fd/0'], ['stdout', '/proc/self/fd/1'], ['stderr', '/proc/self/fd/2']] as const) {
    symlinkSync(target, join(dirs.devTemplate, name));
  }
  // Mount points live in an extra topmost lower layer, so making them writes nothing to the upper directory the profile reads.
  const mountPoints = spec.volumes.map((volume) => resolveInImage(spec.lowerdirs, volume.path));
  for (const path of ['/proc', '/dev', ...mountPoints]) mkdirSync(join(dirs.scaffold, path), { recursive: true });
  const env = spec.env.some((e) => e.startsWith('PATH=')) ? spec.env : [DEFAULT_PATH, ...spec.env];
  const script = setupScript({ ...spec, env }, { dir, ...dirs }, mountPoints);
  const child: ChildProcess = spawn('unshare', ['--mount', '--pid', '--uts', '--ipc', '--net', '--fork', '--kill-child', '--propagation', 'private', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let init: number | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const pid = child.pid;
  if (pid === undefined) throw new Error('sandbox: could not start unshare');
  // If this process dies without stopping the sandbox (an uncaught error, process.exit, Ctrl-C),
  // the sandbox would run on: unshare does not notice its parent's death. (SIGKILL still escapes this.)
  const killOnExit = (): void => {
    for (const target of [init ?? childOf(pid), pid]) {
      try {
        if (target !== undefined) process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  watchForExit(killOnExit);
  void exited.then(() => unwatch(killOnExit));
  return {
    dir,
    upper: spec.readOnlyRoot ? undefined : dirs.upper,
    pid,
    exited,
    running: () => !done,
    async initPid() {
      // unshare forks init within a millisecond or two: look often at first (every look is one
      // small /proc read), then less often, for 2.5 s at most.
      const deadline = Date.now() + 2500;
      for (let pause = 1; init === undefined && !done && Date.now() < deadline; pause = Math.min(pause * 2, 20)) {
        init = childOf(pid);
        if (init === undefined) await new Promise((r) => setTimeout(r, pause));
      }
      return done ? undefined : init;
    },
    user: { uid: spec.uid, gid: spec.gid, env },
    output: () => output,
    async stop() {
      init ??= childOf(pid);
      // Killing the pid namespace's init takes every process of the namespace with it. (unshare's
      // --kill-child alone is not enough: the kernel forgets it when the container's user is set.)
      // unshare then reaps init and exits, and it reaps init only once the kernel has ended every
      // other process of the namespace: its exit is the sign that all are gone.
      if (init !== undefined) {
        try {
          process.kill(init, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      // Without init (not forked yet, or gone), or should unshare not exit by itself: kill it too.
      const fallback = init === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), 2000);
      if (!done && init === undefined) child.kill('SIGKILL');
      await exited;
      clearTimeout(fallback);
      // Only when unshare died before reaping init (the fallback) can init still be ending.
      for (let pause = 1, waited = 0; init !== undefined && alive(init) && waited < 5000; waited += pause, pause = Math.min(pause * 2, 20)) {
        await new Promise((r) => setTimeout(r, pause));
      }
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
