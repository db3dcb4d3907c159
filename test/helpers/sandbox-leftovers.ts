// What a sandbox run may leave behind, for tests to assert there is none:
// processes chroot'ed into a sandbox, sandbox scratch directories, mounts of
// them in this mount namespace, and child processes of the test (the sandbox's
// unshare, nsenter and probe runners are all children of the test process).
// Sandboxes make their scratch directories in os.tmpdir(), which follows
// TMPDIR: a test that points TMPDIR at a directory of its own (withOwnTmpdir)
// sees only its own sandboxes, not those of other test runs on the machine.
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Points TMPDIR at `dir` (created) until the returned function restores it. */
export function withOwnTmpdir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const previous = process.env['TMPDIR'];
  process.env['TMPDIR'] = dir;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
  };
}

const prefix = (): string => join(tmpdir(), 'rootlock-sandbox-');

/** Processes whose root directory is a sandbox's: none may outlive a run. */
export function processesInSandboxes(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/root`).startsWith(prefix())) pids.push(Number(name));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}

export function sandboxDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('rootlock-sandbox-'));
}

/** Mount points of this process's mount namespace that lie in a sandbox directory. */
export function sandboxMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(prefix()));
}

/** Live (not zombie) child processes of this process, with their command lines. */
export function childProcesses(): string[] {
  const children: string[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let pids: string[];
    try {
      pids = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
        children.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
      } catch {
        // exited meanwhile
      }
    }
  }
  return children;
}

/** Everything above in one object, for one deepEqual against the state before the run. */
export function leftovers(): { processes: number[]; dirs: string[]; mounts: string[]; children: string[] } {
  return { processes: processesInSandboxes(), dirs: sandboxDirs(), mounts: sandboxMounts(), children: childProcesses() };
}
