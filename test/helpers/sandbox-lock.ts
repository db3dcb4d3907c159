// node --test runs test files in parallel processes, and the sandbox suites
// check that no sandboxed process outlives a run by looking at every process
// on the machine: two suites at once would see each other's. Each suite that
// starts sandboxes holds this lock (a directory with the holder's pid; a dead
// holder's lock is taken over) from its first test to its last.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK = join(tmpdir(), 'rootlock-sandbox-tests.lock');

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    return true; // being written right now
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the lock (at most `timeoutMs`), then returns its release. */
export async function holdSandboxLock(timeoutMs = 600_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let staleChecks = 0;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A pid file still missing after a few looks means its writer died between mkdir and write.
    if (!holderAlive() || (staleChecks++ > 20 && !readPid())) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`another sandbox test suite held ${LOCK} for ${timeoutMs} ms`);
    await sleep(100);
  }
}

function readPid(): string | undefined {
  try {
    return readFileSync(join(LOCK, 'pid'), 'utf8');
  } catch {
    return undefined;
  }
}
