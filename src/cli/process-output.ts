// The process's standard output and error, written with write(2) on file
// descriptors 1 and 2 instead of through process.stdout and process.stderr:
// creating those streams loads Node's whole stream library, which costs a
// short command more than its own work (BENCHMARKS.md, start-up). Writes are
// synchronous and complete, so output is never lost on exit, in order.
import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

let pause: Int32Array | undefined;

/** Writes all of `text` to `fd`. A reader that went away (`rootlock audit | head`) ends the process quietly. */
export function writeToDescriptor(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking pipe (its reader set it so) is full: wait a millisecond for the reader, as a stream would.
        pause ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      // `rootlock audit ... | head` closes the pipe early; that is not an error.
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    }
  }
}

/** Whether standard output is a terminal: a pipe, a file or /dev/null is told apart by fstat, without loading node:tty. */
export function stdoutIsTerminal(): boolean {
  try {
    const stat = fstatSync(1);
    if (!stat.isCharacterDevice()) return false;
    // Linux's memory devices (major 1: /dev/null, /dev/zero) are never terminals.
    if (process.platform === 'linux' && Math.trunc(stat.rdev / 256) % 4096 === 1) return false;
  } catch {
    return false;
  }
  return isatty(1);
}
