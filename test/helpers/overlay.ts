// A real overlayfs "container" for drift tests: lower layers built like an
// image, an overlay mounted in a private mount namespace (so nothing leaks
// onto the host's mount table: the mount dies with the namespace's last
// process), changes made through the merged directory, then a process
// chroot'ed into the merged directory, as a runtime would start one.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fsModule from 'node:fs';
import { copyFileSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface OverlayContainer {
  dir: string;
  lowerdirs: string[];
  upper: string;
  merged: string;
  pid: number;
  /** Kills the process (which unmounts the overlay with its namespace) and removes the directories. */
  stop(): Promise<void>;
}

function processesInNamespace(namespace: string): number[] {
  const pids: number[] = [];
  for (const name of fsModule.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/mnt`) === namespace) pids.push(Number(name));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}

/** Copies a host binary and the shared libraries it loads into an image layer. */
export function installBinary(layer: string, hostBinary: string, at: string): void {
  const target = join(layer, at);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(hostBinary, target);
  chmodSync(target, 0o755);
  const ldd = execFileSync('ldd', [hostBinary], { encoding: 'utf8' });
  for (const match of ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)) {
    const lib = match[1]!;
    const to = join(layer, lib);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(lib, to);
  }
}

export function writeFiles(layer: string, files: Record<string, string | { content: string; mode: number }>): void {
  for (const [path, spec] of Object.entries(files)) {
    const target = join(layer, path);
    mkdirSync(dirname(target), { recursive: true });
    const content = typeof spec === 'string' ? spec : spec.content;
    writeFileSync(target, content);
    chmodSync(target, typeof spec === 'string' ? 0o644 : spec.mode);
  }
}

function waitFor(child: ChildProcess, ready: () => boolean, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const onExit = (code: number | null): void => reject(new Error(`overlay container exited (${code}) before it was ready: ${stderr()}`));
    child.once('exit', onExit);
    const poll = (): void => {
      if (ready()) {
        child.off('exit', onExit);
        resolve();
      } else if (Date.now() - started > 10_000) {
        child.off('exit', onExit);
        reject(new Error(`overlay container not ready after 10s: ${stderr()}`));
      } else setTimeout(poll, 20);
    };
    poll();
  });
}

/**
 * `layers` builds the lower layers (topmost first); `changes` is a shell
 * script run with the merged directory as working directory; `command`
 * runs chroot'ed in the merged directory and must be a binary there.
 */
export async function startOverlayContainer(options: {
  layers: ((layer: string) => void)[];
  changes: string;
  command: string[];
  metacopy?: boolean;
  /** The container is ready when its process runs this (default: command[0]). */
  readyExe?: string;
}): Promise<OverlayContainer> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-drift-'));
  const lowerdirs = options.layers.map((build, index) => {
    const layer = join(dir, `lower${index}`);
    mkdirSync(layer);
    build(layer);
    return layer;
  });
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const merged = join(dir, 'merged');
  for (const d of [upper, work, merged]) mkdirSync(d);
  const mountOptions = `lowerdir=${lowerdirs.join(':')},upperdir=${upper},workdir=${work}${options.metacopy ? ',metacopy=on' : ''}`;
  const script = [
    'set -e',
    `mount -t overlay overlay -o '${mountOptions}' '${merged}'`,
    `cd '${merged}'`,
    options.changes,
    'cd /',
    `exec chroot '${merged}' ${options.command.map((a) => `'${a}'`).join(' ')}`,
  ].join('\n');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let namespace: string | undefined;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    // Processes the container started outlive its first one; the mount lives until the last of them exits.
    for (let attempt = 0; namespace !== undefined && attempt < 100; attempt++) {
      const left = processesInNamespace(namespace);
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const expectedExe = join(merged, options.readyExe ?? options.command[0]!);
  try {
    await waitFor(child, () => {
      try {
        return readlinkSync(`/proc/${child.pid}/exe`) === expectedExe;
      } catch {
        return false;
      }
    }, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  try {
    namespace = readlinkSync(`/proc/${child.pid}/ns/mnt`);
  } catch {
    // exited already: stop() has nothing more to kill
  }
  return { dir, lowerdirs, upper, merged, pid: child.pid!, stop };
}

/** The cgroup v2 mount point (/sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified on hybrid ones). */
export function cgroup2Root(): string {
  for (const line of fsModule.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator > 0 && fields[separator + 1] === 'cgroup2') return fields[4]!;
  }
  throw new Error('no cgroup2 mount: drift tests need one to place processes in container-like cgroups');
}



/**
 * Moves a process into a cgroup named like a runtime's (…/cri-containerd-<id>.scope),
 * as the runtime would have placed it. Returns the cleanup, to run after the process exits.
 */
export function placeInCgroup(pid: number, relative: string): () => void {
  const root = cgroup2Root();
  const dir = join(root, relative);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return () => {
    // Innermost first; a directory still holding a process stays (and says so).
    let current = dir;
    while (current.startsWith(root + '/') && current !== root) {
      try {
        fsModule.rmdirSync(current);
      } catch {
        break;
      }
      current = dirname(current);
    }
  };
}
