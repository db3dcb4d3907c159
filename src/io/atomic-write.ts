// Atomic file replacement, for every file rootlock writes: `rootlock fix
// --write`, reports and profiles written with `--output`, generated policies.
// The core computes the text; only the finished text comes here.
//
// The new content goes to a temporary file in the same directory (a rename
// is only atomic within one file system), is flushed to disk with fsync,
// given the original's mode (and owner, where permitted), and then renamed
// over the original. A crash at any point leaves either the complete old
// file or the complete new one, never a mix; at worst a stray temporary file
// named `.<name>.rootlock-*.tmp` remains beside it. A symlink is followed: the
// file it points to is replaced and the link stays a link.
import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, stat, unlink, chown } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Stats } from 'node:fs';

export interface AtomicWriteOptions {
  /**
   * Called after the temporary file is complete and synced, just before the
   * rename. Tests use it to simulate a crash at the worst moment.
   */
  beforeRename?: (temporaryPath: string) => void | Promise<void>;
  /**
   * Create `path` when it does not exist (a report, a new patch file), with the default mode; without it a
   * missing file is an error, so fixing a manifest never creates one. Its directory must exist: a mistyped
   * `-o` path is an error, not a new tree.
   */
  create?: boolean;
  /** With `create`: also make the directories it needs (a patch folder the fix adds to an overlay). */
  createDirectories?: boolean;
}

export const TEMPORARY_FILE = /^\..+\.rootlock-[0-9a-f]+\.tmp$/;

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable. Some platforms cannot open directories; the rename is still atomic there.
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

/**
 * Creates `directory` and the parents it lacks, each made durable in its own parent, so a crash after the
 * rename cannot lose the directory that holds the new file. Returns the directory's real path.
 */
async function ensureDirectory(directory: string): Promise<string> {
  try {
    return await realpath(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = await ensureDirectory(dirname(directory));
  const created = join(parent, basename(directory));
  await mkdir(created).catch((error: NodeJS.ErrnoException) => {
    // Another writer made it in the meantime: as good as ours.
    if (error.code !== 'EEXIST') throw error;
  });
  await syncDirectory(parent);
  return realpath(created);
}

/** The file `path` names (through symlinks) and its stats; a missing file only with `create`. */
async function existingTarget(path: string, create: boolean, createDirectories: boolean): Promise<{ target: string; info?: Stats }> {
  try {
    const target = await realpath(path);
    return { target, info: await stat(target) };
  } catch (error) {
    if (!create || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A new file: realpath cannot resolve it, so resolve its directory (creating it when asked) and name the file there.
  const directory = createDirectories ? await ensureDirectory(dirname(path)) : await realpath(dirname(path));
  return { target: join(directory, basename(path)) };
}

/**
 * Replaces the contents of `path` atomically; `path` must exist unless
 * `create` is set. Content given as pieces is written as it comes, so a large
 * report is never one string (pass pieces of a useful size: each is a write).
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array | Iterable<string | Uint8Array>, options: AtomicWriteOptions = {}): Promise<void> {
  const { target, info } = await existingTarget(path, options.create === true, options.createDirectories === true);
  const directory = dirname(target);
  const temporary = join(directory, `.${basename(target)}.rootlock-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', info ? info.mode & 0o7777 : 0o666);
  let renamed = false;
  try {
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) await handle.writeFile(content);
      // Each writeFile goes on from where the last one ended.
      else for (const piece of content) await handle.writeFile(piece);
      // open() applies the umask; set the original mode exactly.
      if (info) await handle.chmod(info.mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (info) {
      try {
        await chown(temporary, info.uid, info.gid);
      } catch {
        // Only root may give a file away; a file we could write is ours to keep otherwise.
      }
    }
    await options.beforeRename?.(temporary);
    await rename(temporary, target);
    renamed = true;
    await syncDirectory(directory);
  } finally {
    if (!renamed) await unlink(temporary).catch(() => undefined);
  }
}
