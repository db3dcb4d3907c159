// The upper-layer differ: turns facts about an overlay upper directory into
// the changes `docker diff` would show, with the distinctions docker diff
// misses (whiteouts vs opaque directories, metadata-only copy-ups, copy-ups
// that changed nothing). Pure: the facts come in as data, gathered by
// src/drift/fs/upper-facts.ts or by a test. `rootlock profile` reuses this.

export type FileType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** What lstat and readlink say about one path in one layer. */
export interface FileFacts {
  type: FileType;
  /** Permission bits including setuid, setgid and sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** For device nodes. */
  rdev?: { major: number; minor: number };
  /** For symlinks. */
  linkTarget?: string;
}

/** How the first bytes of a regular file identify it. */
export type FileHeader = 'elf' | 'shebang' | 'other';

export interface UpperEntry extends FileFacts {
  /** Container-absolute path, such as /usr/bin/curl. */
  path: string;
  /** The same path in the lower layers (topmost layer that has it), or undefined when no lower layer does. */
  lower?: FileFacts;
  /** An opaque directory (trusted.overlay.opaque=y): it hides everything the lower layers had under it. */
  opaque?: boolean;
  /** A whiteout recorded as a zero-size file with the overlay.whiteout xattr instead of a 0/0 device. */
  whiteoutXattr?: boolean;
  /** A metadata-only copy-up (overlay metacopy): the data is still the lower file's. */
  metacopy?: boolean;
  /** Regular file in both layers: whether the bytes are identical (undefined when not compared). */
  sameContentAsLower?: boolean;
  /** First bytes of a regular file with content in the upper layer. */
  header?: FileHeader;
  /** For an opaque directory: the names the lower layers had directly under it. */
  lowerChildren?: string[];
}

export type ChangeKind = 'added' | 'changed' | 'deleted' | 'touched';
/** What differs for a changed path. */
export type ChangeAspect = 'content' | 'type' | 'mode' | 'owner' | 'target' | 'replaced';

export interface Change {
  path: string;
  kind: ChangeKind;
  /** Empty for added, deleted and touched. */
  aspects: ChangeAspect[];
  /** The file type now (for deletions: the type that was deleted, when known). */
  type?: FileType;
  /** The mode now (for deletions: before). */
  mode?: number;
  size?: number;
  header?: FileHeader;
  /** Whether any exec bit is set now (deletions: was set). */
  executableBit: boolean;
  /** The change was recorded as a metadata-only copy-up. */
  metacopy?: boolean;
  /** For a deletion: how the upper layer recorded it. */
  via?: 'whiteout' | 'whiteout-xattr' | 'opaque-directory';
}

/** docker diff's letter for a change kind; touched paths show as C there. */
export const DOCKER_DIFF_LETTER: Record<ChangeKind, 'A' | 'C' | 'D'> = { added: 'A', changed: 'C', deleted: 'D', touched: 'C' };

export function isWhiteout(entry: UpperEntry): boolean {
  return (entry.type === 'char' && entry.rdev?.major === 0 && entry.rdev?.minor === 0) || entry.whiteoutXattr === true;
}

const EXEC_BITS = 0o111;

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function metadataAspects(now: FileFacts, before: FileFacts): ChangeAspect[] {
  const aspects: ChangeAspect[] = [];
  if (now.mode !== before.mode) aspects.push('mode');
  if (now.uid !== before.uid || now.gid !== before.gid) aspects.push('owner');
  return aspects;
}

/** The change at an entry's path as it is now (objects built field by field: this runs once per file of large trees). */
function changeNow(entry: UpperEntry, kind: ChangeKind, aspects: ChangeAspect[]): Change {
  const change: Change = { path: entry.path, kind, aspects, type: entry.type, mode: entry.mode, executableBit: (entry.mode & EXEC_BITS) !== 0 };
  if (entry.type === 'file') change.size = entry.size;
  if (entry.header) change.header = entry.header;
  return change;
}


function diffEntry(entry: UpperEntry, out: Change[]): void {
  if (isWhiteout(entry)) {
    if (!entry.lower) return; // a whiteout over nothing (the lower layer changed underneath): hides nothing
    out.push({
      path: entry.path, kind: 'deleted', aspects: [], type: entry.lower.type, mode: entry.lower.mode,
      executableBit: (entry.lower.mode & EXEC_BITS) !== 0, via: entry.whiteoutXattr ? 'whiteout-xattr' : 'whiteout',
    });
    return;
  }
  const lower = entry.lower;
  if (!lower) {
    out.push(changeNow(entry, 'added', []));
    return;
  }
  if (lower.type !== entry.type) {
    out.push(changeNow(entry, 'changed', ['type']));
    if (entry.type === 'dir' && entry.opaque) opaqueDeletions(entry, out);
    return;
  }
  const aspects = metadataAspects(entry, lower);
  if (entry.type === 'dir') {
    if (entry.opaque) {
      out.push(changeNow(entry, 'changed', ['replaced', ...aspects]));
      opaqueDeletions(entry, out);
    } else if (aspects.length) out.push(changeNow(entry, 'changed', aspects));
    // else: a directory copied up only because something below it changed is not a change of its own.
    return;
  }
  if (entry.type === 'file' && entry.metacopy) {
    const change = changeNow(entry, aspects.length ? 'changed' : 'touched', aspects);
    change.metacopy = true;
    out.push(change);
    return;
  }
  if (entry.type === 'symlink' && entry.linkTarget !== lower.linkTarget) aspects.unshift('target');
  if (entry.type === 'file' && !(entry.size === lower.size && entry.sameContentAsLower === true)) aspects.unshift('content');
  if ((entry.type === 'char' || entry.type === 'block') && (entry.rdev?.major !== lower.rdev?.major || entry.rdev?.minor !== lower.rdev?.minor)) aspects.unshift('content');
  out.push(changeNow(entry, aspects.length ? 'changed' : 'touched', aspects));
}

/** An opaque directory deletes whatever the lower layers had in it and the upper layer does not recreate. */
function opaqueDeletions(entry: UpperEntry, out: Change[]): void {
  for (const name of entry.lowerChildren ?? []) {
    out.push({ path: childPath(entry.path, name), kind: 'deleted', aspects: [], executableBit: false, via: 'opaque-directory' });
  }
}

/**
 * Diffs an upper layer. Entries may come in any order; changes come out sorted
 * by path. For an opaque directory, `lowerChildren` should list only names the
 * upper layer does not have again (those are reported as added or changed).
 */
export function diffUpperLayer(entries: Iterable<UpperEntry>): Change[] {
  const changes: Change[] = [];
  for (const entry of entries) diffEntry(entry, changes);
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
