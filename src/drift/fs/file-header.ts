// Reading the first bytes of a file to tell ELF binaries and #! scripts from
// other content, for the upper-layer scan (upper-facts.ts).
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { FileHeader } from '../differ.js';

/**
 * Flags for opening a file only to read its first bytes: never follow a
 * symlink, never block (a FIFO swapped in after the listing), never take a
 * terminal as controlling tty.
 */
export const HEADER_OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

const headerBuffer = Buffer.alloc(4);

/** The header of an open file (one pread of 4 bytes at offset 0). Throws what readSync throws. */
export function headerOf(fd: number): FileHeader {
  const buffer = headerBuffer;
  const read = readSync(fd, buffer, 0, 4, 0);
  if (read >= 4 && buffer[0] === 0x7f && buffer[1] === 0x45 && buffer[2] === 0x4c && buffer[3] === 0x46) return 'elf';
  if (read >= 2 && buffer[0] === 0x23 && buffer[1] === 0x21) return 'shebang';
  return 'other';
}

/** A file's header, or undefined when it cannot be opened or read. */
export function readHeader(path: string): FileHeader | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, HEADER_OPEN_FLAGS);
    return headerOf(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
