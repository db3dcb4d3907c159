// Reads container logs (`kubectl logs` of a crashing pod) and turns every
// read-only-file-system error it recognises into the directories to mount:
// the message's file becomes its directory, a directory a mkdir failed on
// stays itself, /var/run becomes /run (one directory reached two ways, and
// the volume rules treat them the same), and a directory below another
// suggestion collapses into it. Each suggestion keeps the log lines that led
// to it. Permission-denied errors name a uid or ownership problem, not a
// missing volume (shared/knowledge/writable-paths.md), so they are listed
// apart and never become mounts. Pure: text in, suggestions out.

export type LogProgram = 'nginx' | 'node' | 'python' | 'java' | 'go' | 'shell' | 'apache' | 'postgresql' | 'mysql';

export interface LogEvidence {
  /** 1-based line number in the log text. */
  line: number;
  /** The line as logged (long lines cut). */
  text: string;
  program: LogProgram;
  /** The path the message names, as written (absent for messages that only imply one, such as Python's "No usable temporary directory"). */
  path?: string;
}

export interface LogSuggestion {
  /** Directory to mount a writable volume at. */
  path: string;
  evidence: LogEvidence[];
}

export interface PermissionProblem {
  /** The path the message names, as written. */
  path: string;
  evidence: LogEvidence[];
}

export interface UnplacedError {
  line: number;
  text: string;
  /** The path the message names, as written, when it names one. */
  path?: string;
  /** Why no directory was suggested for it. */
  reason: string;
}

export interface LogSuggestions {
  suggestions: LogSuggestion[];
  /** errno 13 / EACCES: fix runAsUser, fsGroup or ownership instead of adding a volume. */
  permissionDenied: PermissionProblem[];
  /** Read-only errors seen without a path rootlock can turn into a mount. */
  unplaced: UnplacedError[];
}

/** How the path a message names relates to the directory that must be writable. */
type PathKind = 'file' | 'dir';

type ErrorClass = 'read-only' | 'permission-denied';

interface Match {
  program: LogProgram;
  /** Undefined when the message implies the directory without naming a path (then `impliedDir` is set). */
  path?: string;
  kind: PathKind;
  /** The directory the message means when it names none. */
  impliedDir?: string;
  /** Text that says what went wrong (`Read-only file system`, `30`, `EACCES`...). */
  error: string;
}

interface Shape {
  program: LogProgram;
  pattern: RegExp;
  /** Turns a match into what it means; `lines` and `index` let a shape read the lines around it (a traceback, a stack trace). */
  read: (groups: Record<string, string | undefined>, lines: readonly string[], index: number) => Omit<Match, 'program'> | undefined;
}

const READ_ONLY = /read[- ]only file ?system|\bEROFS\b|(?:errcode|errno)[:= ]+-?30\b|^30\b/i;
const DENIED = /permission denied|\bEACCES\b|(?:errcode|errno)[:= ]+-?13\b|^13\b|AccessDeniedException/i;

function classify(error: string): ErrorClass | undefined {
  if (READ_ONLY.test(error)) return 'read-only';
  if (DENIED.test(error)) return 'permission-denied';
  return undefined;
}

/** Whether any of the `count` lines before `index` (a Python traceback) calls mkdir. */
function mkdirBefore(lines: readonly string[], index: number, count = 4): boolean {
  for (let i = Math.max(0, index - count); i < index; i++) if (/\b(?:mkdir|makedirs)\b/.test(lines[i]!)) return true;
  return false;
}

/** Whether the Java stack trace right after `index` shows a directory being created. */
function createsDirectoryAfter(lines: readonly string[], index: number, count = 8): boolean {
  for (let i = index + 1; i < Math.min(lines.length, index + 1 + count); i++) {
    const line = lines[i]!;
    if (!/^\s+at\s/.test(line)) break;
    if (/\.(?:createDirector(?:y|ies)|mkdirs?)\(/.test(line)) return true;
  }
  return false;
}

const QUOTED = `['‘"](?<path>[^'’"]+)['’"]`;

/**
 * The shapes each program prints, most specific first; the first that
 * matches a line decides it. Sources: shared/knowledge/writable-paths.md,
 * and each program's own message formats (nginx ngx_errno, Node's
 * uvException, Python's OSError str, Java's FileSystemException and
 * FileNotFoundException, Go's os.PathError, dash, bash, busybox and GNU
 * coreutils, Apache's ap_log_error with APR errno, PostgreSQL's ereport
 * "could not ...", MySQL's my_error EE_CANTCREATEFILE).
 */
const SHAPES: readonly Shape[] = [
  {
    program: 'nginx',
    // mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)
    pattern: /\b(?<op>mkdir|open|opendir|rename|unlink|chown|chmod)\(\)? ?"(?<path>[^"]+)"(?:, \d+\))? failed \((?<error>\d+: [^)]*)\)/,
    read: (g) => ({ path: g['path']!, kind: g['op'] === 'open' || g['op'] === 'rename' || g['op'] === 'unlink' ? 'file' : 'dir', error: g['error']! }),
  },
  {
    program: 'node',
    // Error: EROFS: read-only file system, open '/app/.cache/x'   (and `npm ERR! rofs EROFS: ...`)
    pattern: /\b(?<error>E[A-Z]+): [a-z][a-z -]*, (?<op>[a-z]+) '(?<path>[^']+)'(?: -> '(?<dest>[^']+)')?/,
    read: (g) => ({
      path: g['op'] === 'rename' || g['op'] === 'copyfile' || g['op'] === 'symlink' || g['op'] === 'link' ? g['dest'] ?? g['path']! : g['path']!,
      kind: g['op'] === 'mkdir' ? 'dir' : 'file',
      error: g['error']!,
    }),
  },
  {
    program: 'python',
    // OSError: [Errno 30] Read-only file system: '/x'   (PermissionError: [Errno 13] Permission denied: '/x')
    pattern: /\[Errno (?<errno>\d+)\] (?<message>[^:\]]+): (?:'(?<single>[^']+)'|"(?<double>[^"]+)")/,
    read: (g, lines, index) => ({ path: (g['single'] ?? g['double'])!, kind: mkdirBefore(lines, index) ? 'dir' : 'file', error: `errno ${g['errno']!} ${g['message']!}` }),
  },
  {
    program: 'python',
    // FileNotFoundError: [Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/app']
    pattern: /No usable temporary directory found/,
    read: () => ({ kind: 'dir', impliedDir: '/tmp', error: 'Read-only file system' }),
  },
  {
    program: 'java',
    // java.nio.file.FileSystemException: /tmp/x: Read-only file system   /   java.nio.file.AccessDeniedException: /x
    pattern: /\bjava\.nio\.file\.(?<cls>[A-Za-z]+Exception): (?<path>\/[^:]*?)(?: -> (?<dest>\/[^:]*?))?(?:: (?<error>.+))?\s*$/,
    read: (g, lines, index) => ({
      path: g['dest'] ?? g['path']!,
      kind: createsDirectoryAfter(lines, index) ? 'dir' : 'file',
      error: g['cls'] === 'AccessDeniedException' ? 'AccessDeniedException' : g['error'] ?? '',
    }),
  },
  {
    program: 'java',
    // java.io.FileNotFoundException: /var/log/app/app.log (Read-only file system)
    pattern: /\bjava\.io\.[A-Za-z]*Exception: (?<path>\/[^()]*?) \((?<error>[^()]+)\)/,
    read: (g) => ({ path: g['path']!, kind: 'file', error: g['error']! }),
  },
  {
    program: 'apache',
    // (30)Read-only file system: AH00099: could not create /usr/local/apache2/logs/httpd.pid.XXXX
    pattern: /\((?<errno>\d+)\)[^:]*: (?:\[[^\]]*\] )?AH\d+: (?<message>.*?)(?<path>\/[^\s'",;]*)/,
    read: (g) => ({
      path: g['path']!.replace(/\.$/, ''),
      kind: /\bdirectory\b/i.test(g['message']!) ? 'dir' : 'file',
      error: g['errno']!,
    }),
  },
  {
    program: 'postgresql',
    // FATAL:  could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system
    pattern: /could not (?<message>[a-z ]+?) "(?<path>[^"]+)"(?: to "(?<dest>[^"]+)")?: (?<error>.+)$/,
    read: (g) => ({ path: g['dest'] ?? g['path']!, kind: /\bdirectory\b/.test(g['message']!) ? 'dir' : 'file', error: g['error']! }),
  },
  {
    program: 'mysql',
    // Can't create/write to file '/var/run/mysqld/mysqld.pid' (Errcode: 30 - Read-only file system)
    pattern: /Can't create(?<write>\/write to file| directory) '(?<path>[^']+)' \((?<error>[^)]*)\)/,
    read: (g) => ({ path: g['path']!, kind: g['write'] === ' directory' ? 'dir' : 'file', error: g['error']! }),
  },
  {
    program: 'mysql',
    // [ERROR] [MY-010187] [Server] Could not open file '/var/log/mysql/error.log' for error logging: Read-only file system
    pattern: /Could not open file '(?<path>[^']+)' for error logging: (?<error>.+)$/,
    read: (g) => ({ path: g['path']!, kind: 'file', error: g['error']! }),
  },
  {
    program: 'shell',
    // bash: cannot create temp file for here-document: Read-only file system
    pattern: /can(?:no|')t create temp file for here.?document: (?<error>.+)$/,
    read: (g) => ({ kind: 'dir', impliedDir: '/tmp', error: g['error']! }),
  },
  {
    program: 'shell',
    // mkdir: cannot create directory '/x': Read-only file system   (busybox: can't create directory)
    pattern: new RegExp(`\\bmkdir: can(?:no|')t create directory ${QUOTED}: (?<error>.+)$`),
    read: (g) => ({ path: g['path']!, kind: 'dir', error: g['error']! }),
  },
  {
    program: 'shell',
    // touch: cannot touch '/x': ...; cp: cannot create regular file '/x': ...; mktemp: failed to create file via template '/tmp/tmp.XXXX': ...
    pattern: new RegExp(`\\b[a-z]+: (?:can(?:no|')t|failed to|couldn't) [a-z ]+?${QUOTED}: (?<error>.+)$`),
    read: (g) => ({ path: g['path']!, kind: 'file', error: g['error']! }),
  },
  {
    program: 'shell',
    // /bin/sh: 1: cannot create /x: Read-only file system (dash); sh: can't create /x: ... (busybox ash); sed: couldn't open temporary file /etc/sedAbc: ...
    pattern: /(?:can(?:no|')t create|couldn't open(?: temporary file)?) (?<path>\/[^\s:]*): (?<error>.+)$/,
    read: (g) => ({ path: g['path']!, kind: 'file', error: g['error']! }),
  },
  {
    program: 'go',
    // open /x: read-only file system (os.PathError; rename has two paths, the second the one written)
    pattern: /\b(?<op>open|openat|mkdir|mkdirat|create|remove|unlinkat|rename|symlink|link|chmod|chown|lchown|chtimes|truncate|write|mkfifo) (?<path>[^\s:]+)(?: (?<dest>[^\s:]+))?: (?<error>read-only file system|permission denied)\b/,
    read: (g) => ({ path: g['dest'] ?? g['path']!, kind: g['op'] === 'mkdir' || g['op'] === 'mkdirat' ? 'dir' : 'file', error: g['error']! }),
  },
  {
    program: 'shell',
    // bash: /x: Read-only file system; /entrypoint.sh: line 3: /x: Permission denied; busybox touch: /x: Read-only file system
    pattern: /(?:^|[\s:])(?<path>\/[^\s:'"]*): (?<error>Read-only file system|Permission denied)\s*$/,
    read: (g) => ({ path: g['path']!, kind: 'file', error: g['error']! }),
  },
];

/** Cheap test before the shapes run: a line without any of these words cannot match one. */
const WORTH_READING = /read-only|erofs|errno|errcode|permission denied|eacces|accessdenied|here.?document|temporary directory|\(\d+\)/i;

/** Lines that only repeat a property of an error already reported on its own line (Node's error object dump, npm's summary). */
const PROPERTY_LINE = /^\s*(?:npm (?:ERR!|error)\s+)?(?:code|errno|syscall|path)\b[:\s]/;

/** A catch-all for read-only errors no shape placed. */
const ANY_READ_ONLY = /read-only file ?system|\bEROFS\b|errno:? ?-30\b|\(30:|errcode: 30\b/i;

const MAX_LINE = 4096;

/** `/a//b/./c/../d/` -> `/a/b/d`; undefined for a relative path (the log does not say what it is relative to). */
export function normalizeLogPath(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** /var/run is a symlink to /run in every common base image; the volume rules treat the two as one directory. */
export function canonicalRunDir(path: string): string {
  return path === '/var/run' || path.startsWith('/var/run/') ? `/run${path.slice('/var/run'.length)}` : path;
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

function matchLine(lines: readonly string[], index: number): Match | undefined {
  const line = lines[index]!;
  for (const shape of SHAPES) {
    const found = shape.pattern.exec(line);
    if (!found) continue;
    const read = shape.read(found.groups ?? {}, lines, index);
    if (read) return { program: shape.program, ...read };
  }
  return undefined;
}

/** Every read-only-file-system error in the log text, as directories to mount, with the lines that show it. */
export function suggestFromLogs(text: string): LogSuggestions {
  const lines = text.split(/\r?\n/).map((line) => (line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line));
  const byDir = new Map<string, LogEvidence[]>();
  const denied = new Map<string, LogEvidence[]>();
  const unplaced: UnplacedError[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (!WORTH_READING.test(line) || PROPERTY_LINE.test(line)) continue;
    const match = matchLine(lines, index);
    const errorClass = match ? classify(match.error) : undefined;
    const lineNumber = index + 1;
    const shown = line.trim();
    if (!match || !errorClass) {
      if (ANY_READ_ONLY.test(line)) unplaced.push({ line: lineNumber, text: shown, reason: 'a read-only error without a path rootlock recognises' });
      continue;
    }
    const evidence: LogEvidence = { line: lineNumber, text: shown, program: match.program, ...(match.path !== undefined ? { path: match.path } : {}) };
    if (errorClass === 'permission-denied') {
      const list = denied.get(match.path ?? '') ?? [];
      list.push(evidence);
      denied.set(match.path ?? '', list);
      continue;
    }
    let dir = match.impliedDir;
    if (dir === undefined) {
      const path = normalizeLogPath(match.path ?? '');
      if (path === undefined) {
        unplaced.push({ line: lineNumber, text: shown, path: match.path ?? '', reason: `${match.path ?? ''} is a relative path: the log does not say relative to what` });
        continue;
      }
      dir = match.kind === 'dir' ? path : parentOf(path);
    }
    dir = canonicalRunDir(dir);
    if (dir === '/') {
      unplaced.push({ line: lineNumber, text: shown, ...(match.path !== undefined ? { path: match.path } : {}), reason: `${match.path ?? ''} is at the root of the filesystem, where no volume can be mounted` });
      continue;
    }
    const list = byDir.get(dir) ?? [];
    list.push(evidence);
    byDir.set(dir, list);
  }
  // Collapse: a directory below another suggestion is covered by its mount.
  const dirs = [...byDir.keys()].sort();
  const tops: string[] = [];
  for (const dir of dirs) if (!tops.some((top) => isUnder(dir, top))) tops.push(dir);
  const suggestions = tops.map((top): LogSuggestion => ({
    path: top,
    evidence: dirs.filter((dir) => isUnder(dir, top)).flatMap((dir) => byDir.get(dir)!).sort((a, b) => a.line - b.line),
  }));
  const permissionDenied = [...denied.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, evidence]) => ({ path, evidence }));
  return { suggestions, permissionDenied, unplaced };
}
