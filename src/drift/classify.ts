// Classifies drift: which changes matter, and how much. Pure.
import type { Change } from './differ.js';

/** Falco's priority scale, which drift events are reported in. */
export type DriftPriority = 'critical' | 'error' | 'warning' | 'notice' | 'informational';
export const DRIFT_PRIORITIES: readonly DriftPriority[] = ['critical', 'error', 'warning', 'notice', 'informational'];

export type DriftClass =
  | 'running-executable'
  | 'executable'
  | 'system-binary-dir'
  | 'package-database'
  | 'config'
  | 'touched'
  | 'other';

/** Severity follows the class. */
export const CLASS_PRIORITY: Record<DriftClass, DriftPriority> = {
  'running-executable': 'critical',
  executable: 'error',
  'system-binary-dir': 'error',
  'package-database': 'warning',
  config: 'warning',
  other: 'notice',
  touched: 'informational',
};

export const CLASS_DESCRIPTION: Record<DriftClass, string> = {
  'running-executable': 'a process runs a binary the image did not ship (upper layer, memfd or deleted file)',
  executable: 'an executable (ELF, script with #!, or exec bit) was added or changed',
  'system-binary-dir': 'a system binary or library directory changed',
  'package-database': 'a package database changed: packages were installed or removed at runtime',
  config: 'configuration under /etc changed',
  other: 'another file changed',
  touched: 'copied up without a change of content or metadata',
};

/** Falco's rule "Write below binary dir" plus the library directories binaries load from. */
export const SYSTEM_BINARY_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/usr/lib', '/usr/lib32', '/usr/lib64', '/usr/libx32', '/usr/local/bin', '/usr/local/sbin'];

/** dpkg, apk and rpm (classic and /usr/lib/sysimage) databases. */
export const PACKAGE_DATABASE_PATHS = ['/var/lib/dpkg', '/lib/apk/db', '/var/lib/rpm', '/usr/lib/sysimage/rpm'];

/** A test for "this path or below one of these directories", with the prefixes built once: it runs once per change. */
function underAny(dirs: readonly string[]): (path: string) => boolean {
  const prefixes = dirs.map((dir) => `${dir}/`);
  return (path) => {
    for (let i = 0; i < dirs.length; i++) if (path === dirs[i] || path.startsWith(prefixes[i]!)) return true;
    return false;
  };
}

const underPackageDatabase = underAny(PACKAGE_DATABASE_PATHS);
const underSystemBinaryDir = underAny(SYSTEM_BINARY_DIRS);
const underEtc = underAny(['/etc']);

export function isExecutableContent(change: Change): boolean {
  if (change.kind !== 'added' && !(change.kind === 'changed' && (change.aspects.includes('content') || change.aspects.includes('mode') || change.aspects.includes('type')))) return false;
  if (change.type !== 'file') return false;
  return change.header === 'elf' || change.header === 'shebang' || change.executableBit;
}

export function classifyChange(change: Change): DriftClass {
  if (change.kind === 'touched') return 'touched';
  if (isExecutableContent(change)) return 'executable';
  // apk and rpm keep their databases below /lib and /usr/lib: the more specific class wins.
  if (underPackageDatabase(change.path)) return 'package-database';
  if (underSystemBinaryDir(change.path)) return 'system-binary-dir';
  if (underEtc(change.path)) return 'config';
  return 'other';
}

/** What /proc/<pid>/exe says about a running process, as facts. */
export interface ProcessFacts {
  pid: number;
  /** Process name (/proc/<pid>/comm). */
  command: string;
  /** The executable's container-absolute path, without " (deleted)". */
  exe: string;
  /** readlink(/proc/<pid>/exe) ended in " (deleted)": the file was removed or replaced after exec. */
  deleted: boolean;
  /** The executable is an anonymous memory file (memfd_create), never on disk. */
  memfd: boolean;
  /**
   * Whether the running executable is the file now at `exe` in the container
   * (same device and inode through the merged view); false when that path was
   * replaced after the process started; undefined when unknown.
   */
  sameFileAsPath?: boolean;
}

export interface ProcessDrift {
  pid: number;
  command: string;
  exe: string;
  reason: 'upper-layer' | 'memfd' | 'deleted';
}

/**
 * The userspace form of Falco's "Drop and execute new binary in container":
 * a process whose executable the image did not ship. `upperChange` is the
 * differ's change at the executable's path, if the upper layer has one.
 */
export function classifyProcess(process: ProcessFacts, upperChange: Change | undefined): ProcessDrift | undefined {
  const base = { pid: process.pid, command: process.command, exe: process.exe };
  if (process.memfd) return { ...base, reason: 'memfd' };
  if (process.deleted) return { ...base, reason: 'deleted' };
  // The upper file at that path is not what runs: the process started from the image's file before it was replaced.
  if (process.sameFileAsPath === false) return undefined;
  if (upperChange && (upperChange.kind === 'added' || (upperChange.kind === 'changed' && upperChange.aspects.some((a) => a === 'content' || a === 'type')))) {
    return { ...base, reason: 'upper-layer' };
  }
  return undefined;
}

/** Parses readlink(/proc/<pid>/exe), made container-absolute by stripping the process root. */
export function exeFacts(pid: number, command: string, link: string, processRoot: string): ProcessFacts {
  const deleted = link.endsWith(' (deleted)');
  const raw = deleted ? link.slice(0, -' (deleted)'.length) : link;
  const memfd = raw.startsWith('/memfd:');
  let exe = raw;
  if (!memfd && processRoot !== '/' && (raw === processRoot || raw.startsWith(processRoot + '/'))) exe = raw.slice(processRoot.length) || '/';
  return { pid, command, exe, deleted, memfd };
}
