// Turns the changes a profiled program made to its root filesystem into the
// smallest sensible set of directories to mount writable: each written file
// proposes its directory, a created directory proposes itself, directories
// under another proposal collapse into it, /var/run maps to /run (one
// directory reached two ways), several directories created side by side in
// an image directory that holds nothing else collapse into that directory
// (nginx's five temp directories under an empty /var/lib/nginx: one mount,
// hiding nothing), and paths the pod already mounts are left out.
// Pure: the changes come from the drift differ.
import type { Change } from '../drift/differ.js';

export interface WriteProposal {
  /** Directory to mount an emptyDir at. */
  path: string;
  /** Bytes of regular files the program left in it (after its last write). */
  bytes: number;
  /** Changed paths below it, sorted. */
  paths: string[];
}

export interface ProposalResult {
  proposals: WriteProposal[];
  /** Changed paths already covered by the pod's volumes (written to the overlay only when the profile ran without them). */
  coveredByVolumes: string[];
  /** Writes straight into / (a file at the root): no directory can be mounted for them. */
  atRoot: string[];
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function isUnder(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * /var/run is a symlink to /run on every modern distribution: one directory
 * reached two ways, so a mount at either covers both and the proposal names
 * /run. Only when the image links them (`varRunIsRun`): where /var/run is a
 * real directory, a /run mount would not cover it.
 */
export function canonicalRunPath(path: string, varRunIsRun = true): string {
  if (varRunIsRun && isUnder(path, '/var/run')) return `/run${path.slice('/var/run'.length)}`;
  return path;
}

/**
 * The directory a change asks to be writable: a written file its directory
 * (the deepest one: a runtime creates missing mount points), a created empty
 * directory itself. Directories with changes below them, and directories
 * changed only in content (mtime, an entry added), are accounted for by their children.
 */
function candidateOf(change: Change, hasChangesBelow: (dir: string) => boolean): string | undefined {
  if (change.type === 'dir') {
    if (hasChangesBelow(change.path)) return undefined;
    if (change.kind === 'added') return change.path;
    if (change.kind === 'changed' && change.aspects.some((a) => a !== 'content')) return change.path;
    return undefined;
  }
  return parentOf(change.path);
}

/**
 * Replaces two or more sibling proposals by their parent when the image's
 * parent directory is empty (mounting it hides nothing from the image), up
 * the tree while that holds. A parent with a pod volume below it is left alone.
 */
function collapseSiblings(dirs: readonly string[], emptyInImage: (dir: string) => boolean, podVolumePaths: readonly string[]): Map<string, string> {
  const target = new Map(dirs.map((dir) => [dir, dir]));
  for (let changed = true; changed;) {
    changed = false;
    const byParent = new Map<string, string[]>();
    for (const top of new Set(target.values())) {
      const parent = parentOf(top);
      if (parent !== '/') byParent.set(parent, [...(byParent.get(parent) ?? []), top]);
    }
    for (const [parent, children] of byParent) {
      if (children.length < 2 || !emptyInImage(parent) || podVolumePaths.some((volume) => isUnder(volume, parent))) continue;
      for (const [dir, top] of target) if (children.includes(top)) target.set(dir, parent);
      changed = true;
    }
  }
  return target;
}

export function proposeMounts(changes: readonly Change[], podVolumePaths: readonly string[] = [], varRunIsRun = true, emptyInImage: (dir: string) => boolean = () => false): ProposalResult {
  const parents = new Set(changes.map((c) => parentOf(c.path)));
  const hasChangesBelow = (dir: string): boolean => parents.has(dir);
  const coveredByVolumes: string[] = [];
  const atRoot: string[] = [];
  const candidates = new Map<string, Change[]>();
  for (const change of changes) {
    if (change.kind === 'touched' && change.type === 'dir') continue;
    const path = canonicalRunPath(change.path, varRunIsRun);
    if (podVolumePaths.some((volume) => isUnder(path, canonicalRunPath(volume, varRunIsRun)))) {
      coveredByVolumes.push(change.path);
      continue;
    }
    const raw = candidateOf(change, hasChangesBelow);
    if (raw === undefined) continue;
    const dir = canonicalRunPath(raw, varRunIsRun);
    if (dir === '/') {
      atRoot.push(change.path);
      continue;
    }
    const list = candidates.get(dir) ?? [];
    list.push(change);
    candidates.set(dir, list);
  }
  // Collapse: a directory below another proposal is mounted with it.
  const dirs = [...candidates.keys()].sort();
  const collapsed: string[] = [];
  for (const dir of dirs) if (!collapsed.some((top) => isUnder(dir, top))) collapsed.push(dir);
  const merged = collapseSiblings(collapsed, emptyInImage, podVolumePaths.map((volume) => canonicalRunPath(volume, varRunIsRun)));
  const kept = [...new Set(merged.values())].sort();
  const proposals = kept.map((top): WriteProposal => {
    const below = dirs.filter((dir) => isUnder(dir, top)).flatMap((dir) => candidates.get(dir)!);
    const fileBytes = below.filter((c) => c.type === 'file' && c.kind !== 'deleted').reduce((sum, c) => sum + (c.size ?? 0), 0);
    return { path: top, bytes: fileBytes, paths: [...new Set(below.map((c) => c.path))].sort() };
  });
  return { proposals, coveredByVolumes: coveredByVolumes.sort(), atRoot: atRoot.sort() };
}
