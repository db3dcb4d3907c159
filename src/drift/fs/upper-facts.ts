// Reads an overlay upper directory and its lower layers into the differ's
// facts. Node has no xattr API, so the overlay xattrs are inferred instead:
// - opaque directories and xattr whiteouts by looking at the merged view
//   (/proc/<pid>/root of a process in the container): a lower entry the
//   upper layer neither has nor whites out, yet the merged view hides, sits
//   under an opaque directory; an upper file the merged view hides is a whiteout.
//   Only where the merged view is the overlay itself: a volume mounted over a
//   directory hides the overlay's entries without any xattr;
// - metacopy copy-ups (only on mounts with metacopy=on) by their shape: an
//   upper file with the lower file's size that reads as zeros (a hole) where
//   the lower file does not. (st_blocks cannot tell: ext4 counts the xattr block.)
// Lower layers are listed once per directory, not stat'ed per upper entry,
// so a large added tree costs one readdir + lstat per file, and an added
// regular file whose header is read one open + fstat + pread + close in place
// of the lstat (one path lookup, not two).
import { closeSync, fstatSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import type { FileFacts, FileHeader, FileType, UpperEntry } from '../differ.js';
import { HEADER_OPEN_FLAGS, headerOf, readHeader } from './file-header.js';

export interface UpperReadOptions {
  /** Upper directory as a readable path (with any --root prefix). */
  upperdir: string;
  /** Lower directories, topmost first, as readable paths. */
  lowerdirs: string[];
  /** The merged view (a container process's /proc/<pid>/root), when one is readable. */
  merged?: string;
  /** The mount has metacopy=on. */
  metacopy?: boolean;
  /**
   * Read the first bytes of added and changed files without an exec bit to
   * find ELF binaries and #! scripts (default true). This is one open and
   * read per such file, most of a scan's cost beyond listing the tree.
   */
  sniffHeaders?: boolean;
}

export interface UpperReadResult {
  entries: UpperEntry[];
  /** Directories of the upper layer (container paths), for cheap change detection between scans. */
  directories: string[];
  problems: string[];
}

function fileType(stats: Stats): FileType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

/** Writes what lstat and readlink say about a path into `into` (built field by field: this runs once per file). */
function factsInto<T extends FileFacts>(into: Omit<T, keyof FileFacts> & Partial<FileFacts>, stats: Stats, path: string): T {
  const result = into as T;
  const type = fileType(stats);
  result.type = type;
  result.mode = stats.mode & 0o7777;
  result.uid = stats.uid;
  result.gid = stats.gid;
  result.size = type === 'file' ? stats.size : 0;
  if (type === 'char' || type === 'block') result.rdev = { major: Math.floor(stats.rdev / 256) & 0xfff, minor: (stats.rdev & 0xff) | ((Math.floor(stats.rdev / 4096) & ~0xff)) };
  if (type === 'symlink') {
    try {
      result.linkTarget = readlinkSync(path);
    } catch {
      // unreadable link target: compared as undefined
    }
  }
  return result;
}

function facts(stats: Stats, path: string): FileFacts {
  return factsInto<FileFacts>({}, stats, path);
}

function isWhiteoutDevice(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

const CHUNK = 64 * 1024;

/** Whether a regular file's first bytes are worth reading: no exec bit (that alone makes it an executable) and two bytes or more. */
function headerWanted(stats: Stats): boolean {
  return stats.isFile() && (stats.mode & 0o111) === 0 && stats.size >= 2;
}

/**
 * lstat and header of a file the listing says is regular, through one open:
 * fstat on the descriptor says what lstat would (O_NOFOLLOW: never a link's
 * target). `header` is set only when the file is still regular, has no exec
 * bit and two bytes or more. Undefined when the open fails (the caller falls
 * back to lstat, which also covers a file swapped for a symlink).
 */
function statAndHeader(path: string): { stats: Stats; header?: FileHeader } | undefined {
  let fd: number;
  try {
    fd = openSync(path, HEADER_OPEN_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!headerWanted(stats)) return { stats };
    try {
      return { stats, header: headerOf(fd) };
    } catch {
      return { stats }; // unreadable content (EIO): no header, as readHeader
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function sameContent(a: string, b: string): boolean | undefined {
  let fa: number | undefined;
  let fb: number | undefined;
  try {
    fa = openSync(a, 'r');
    fb = openSync(b, 'r');
    const bufferA = Buffer.alloc(CHUNK);
    const bufferB = Buffer.alloc(CHUNK);
    for (;;) {
      const readA = readSync(fa, bufferA, 0, CHUNK, null);
      const readB = readSync(fb, bufferB, 0, CHUNK, null);
      if (readA !== readB) return false;
      if (readA === 0) return true;
      if (!bufferA.subarray(0, readA).equals(bufferB.subarray(0, readB))) return false;
    }
  } catch {
    return undefined;
  } finally {
    if (fa !== undefined) closeSync(fa);
    if (fb !== undefined) closeSync(fb);
  }
}

function allZeros(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, null);
      if (read === 0) return true;
      for (let i = 0; i < read; i++) if (buffer[i] !== 0) return false;
    }
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function list(dir: string): Dirent[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** One directory's view of the lower layers: for each name, the topmost layer's entry. */
interface LowerListing {
  /** name -> [layer directory, entry] of the topmost layer that has the name; whiteouts end the search. */
  entries: Map<string, { dir: string; dirent: Dirent } | 'whiteout'>;
  /** For subdirectories: the layer directories below that continue them. */
  dirs: string[];
}

function lowerListing(layerDirs: readonly string[]): LowerListing {
  const entries: LowerListing['entries'] = new Map();
  for (const dir of layerDirs) {
    for (const dirent of list(dir) ?? []) {
      if (entries.has(dirent.name)) continue;
      if (dirent.isCharacterDevice()) {
        try {
          if (isWhiteoutDevice(lstatSync(join(dir, dirent.name)))) {
            entries.set(dirent.name, 'whiteout');
            continue;
          }
        } catch {
          // vanished: ignore
        }
      }
      entries.set(dirent.name, { dir, dirent });
    }
  }
  return { entries, dirs: [...layerDirs] };
}

/** The layer directories that continue `name` below: every layer down to the first that has it as a non-directory. */
function lowerSubdirs(layerDirs: readonly string[], name: string): string[] {
  const result: string[] = [];
  for (const dir of layerDirs) {
    let stats: Stats;
    try {
      stats = lstatSync(join(dir, name));
    } catch {
      continue;
    }
    if (!stats.isDirectory()) break;
    result.push(join(dir, name));
  }
  return result;
}

export function readUpperLayer(options: UpperReadOptions): UpperReadResult {
  const entries: UpperEntry[] = [];
  const directories: string[] = [];
  const problems: string[] = [];
  const sniff = options.sniffHeaders !== false;

  const visit = (containerDir: string, upperDir: string, layerDirs: string[]): void => {
    directories.push(containerDir);
    const dirents = list(upperDir);
    if (!dirents) {
      problems.push(`cannot read ${upperDir}`);
      return;
    }
    const lower = layerDirs.length ? lowerListing(layerDirs) : undefined;
    for (const dirent of dirents) {
      const upperPath = join(upperDir, dirent.name);
      const containerPath = containerDir === '/' ? `/${dirent.name}` : `${containerDir}/${dirent.name}`;
      const below = lower?.entries.get(dirent.name);
      // An added regular file (no lower file to compare with): its header is wanted unless the stats say otherwise, so open it first.
      const opened = sniff && dirent.isFile() && (below === undefined || below === 'whiteout') ? statAndHeader(upperPath) : undefined;
      const stats = opened?.stats ?? lstatSync(upperPath, { throwIfNoEntry: false });
      if (!stats) continue; // removed while we looked
      const entry = factsInto<UpperEntry>({ path: containerPath }, stats, upperPath);
      let lowerPath: string | undefined;
      if (below && below !== 'whiteout') {
        lowerPath = join(below.dir, dirent.name);
        try {
          entry.lower = facts(lstatSync(lowerPath), lowerPath);
        } catch {
          lowerPath = undefined;
        }
      }
      if (entry.type === 'file') {
        const lowerFile = entry.lower?.type === 'file' ? lowerPath : undefined;
        if (lowerFile && entry.lower!.size === stats.size) {
          const same = sameContent(upperPath, lowerFile);
          if (same !== undefined) entry.sameContentAsLower = same;
          // A metacopy upper file is a hole of the lower file's size: it reads as zeros.
          if (same === false && options.metacopy && allZeros(upperPath)) {
            entry.metacopy = true;
            delete entry.sameContentAsLower;
          }
        }
        if (opened) {
          if (opened.header) entry.header = opened.header;
        } else if (sniff && !entry.metacopy && (!entry.lower || entry.sameContentAsLower !== true) && headerWanted(stats)) {
          const header = readHeader(upperPath);
          if (header) entry.header = header;
        }
        if (stats.size === 0 && entry.lower && options.merged && hiddenInMerged(options.merged, containerPath)) entry.whiteoutXattr = true;
      }
      if (entry.type === 'dir') {
        let childLayers = entry.lower?.type === 'dir' && lower ? lowerSubdirs(lower.dirs, dirent.name) : [];
        if (childLayers.length && options.merged) {
          const hidden = hiddenLowerChildren(childLayers, upperPath, options.merged, containerPath);
          if (hidden.length) {
            entry.opaque = true;
            entry.lowerChildren = hidden;
            childLayers = [];
          }
        }
        entries.push(entry);
        visit(containerPath, upperPath, childLayers);
        continue;
      }
      entries.push(entry);
    }
  };
  visit('/', options.upperdir, options.lowerdirs);
  return { entries, directories, problems };
}

/**
 * Whether a directory of the merged view is the overlay itself. A volume,
 * tmpfs or bind mount there shows its own content, which says nothing about
 * what the overlay hides.
 */
function isOverlayDirectory(merged: string, containerDir: string): boolean {
  const root = statSync(merged, { throwIfNoEntry: false });
  const stats = statSync(join(merged, containerDir.slice(1)), { throwIfNoEntry: false });
  return root !== undefined && stats !== undefined && stats.dev === root.dev;
}

function hiddenInMerged(merged: string, containerPath: string): boolean {
  const parent = containerPath.slice(0, containerPath.lastIndexOf('/')) || '/';
  if (!isOverlayDirectory(merged, parent)) return false;
  try {
    lstatSync(join(merged, containerPath.slice(1)));
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Lower names under a directory that the upper layer neither has nor whites out, but the merged view hides. */
function hiddenLowerChildren(childLayers: readonly string[], upperPath: string, merged: string, containerPath: string): string[] {
  const upperNames = new Set((list(upperPath) ?? []).map((d) => d.name));
  const candidates = [...lowerListing(childLayers).entries].filter(([name, value]) => value !== 'whiteout' && !upperNames.has(name)).map(([name]) => name);
  if (candidates.length === 0) return [];
  if (!isOverlayDirectory(merged, containerPath)) return [];
  const mergedEntries = list(join(merged, containerPath.slice(1)));
  if (!mergedEntries) return [];
  const visible = new Set(mergedEntries.map((d) => d.name));
  return candidates.filter((name) => !visible.has(name)).sort();
}
