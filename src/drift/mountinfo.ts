// Parses /proc/<pid>/mountinfo (proc(5)) and overlayfs mount options.
// Pure: takes text, returns data. The kernel escapes space, tab, newline and
// backslash in paths as \040 \011 \012 \134; overlay option values may also
// carry commas and colons escaped with a backslash.

export interface MountEntry {
  mountId: number;
  parentId: number;
  /** major:minor of the filesystem. */
  device: string;
  /** Path inside the filesystem that is the root of this mount. */
  root: string;
  /** Mount point, relative to the reading process's root. */
  mountPoint: string;
  mountOptions: string;
  optionalFields: string[];
  fsType: string;
  source: string;
  superOptions: string;
}

export interface OverlayLayers {
  /** Lower directories, topmost first, as absolute host paths. */
  lowerdirs: string[];
  upperdir: string;
  workdir?: string;
  /** metacopy=on: copy-ups of metadata-only changes keep their data in the lower layer. */
  metacopy: boolean;
}

export interface MountinfoProblem {
  line: number;
  message: string;
}

/** Undoes the kernel's octal escapes (\040 for space and so on). */
export function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountinfo(text: string): { mounts: MountEntry[]; problems: MountinfoProblem[] } {
  const mounts: MountEntry[] = [];
  const problems: MountinfoProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (fields.length < 10 || separator < 0 || fields.length < separator + 4) {
      problems.push({ line: index + 1, message: 'not a mountinfo line (expected "id parent major:minor root mountpoint options ... - fstype source superoptions")' });
      return;
    }
    const mountId = Number(fields[0]);
    const parentId = Number(fields[1]);
    if (!Number.isInteger(mountId) || !Number.isInteger(parentId)) {
      problems.push({ line: index + 1, message: 'mount ids must be integers' });
      return;
    }
    mounts.push({
      mountId,
      parentId,
      device: fields[2]!,
      root: unescapeOctal(fields[3]!),
      mountPoint: unescapeOctal(fields[4]!),
      mountOptions: fields[5]!,
      optionalFields: fields.slice(6, separator),
      fsType: fields[separator + 1]!,
      source: unescapeOctal(fields[separator + 2]!),
      superOptions: fields.slice(separator + 3).join(' '),
    });
  });
  return { mounts, problems };
}

/**
 * The mount that is a process's root: the last mount at "/" in its mountinfo
 * (later entries are mounted over earlier ones).
 */
export function rootMount(mounts: readonly MountEntry[]): MountEntry | undefined {
  let found: MountEntry | undefined;
  for (const mount of mounts) if (mount.mountPoint === '/') found = mount;
  return found;
}

/** Splits on `separator` where it is not escaped by a backslash, and removes those escapes. */
function splitUnescaped(text: string, separator: string, keepEscapes = false): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && /^[0-7]{3}/.test(text.slice(i + 1, i + 4))) {
      current += text.slice(i, i + 4); // an octal escape, undone later
      i += 3;
    } else if (char === '\\' && i + 1 < text.length) {
      current += keepEscapes ? char + text[++i]! : text[++i]!;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function joinPath(base: string, relative: string): string {
  const parts: string[] = [];
  for (const part of `${base}/${relative}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/**
 * Reads lowerdir, upperdir and workdir from an overlay mount's super options.
 * Relative layer paths (Docker mounts with `l/<short id>` links after a chdir
 * into its overlay2 directory) are resolved against `relativeTo`, by default
 * the directory two levels above the upperdir (`<root>/<id>/diff` -> `<root>`).
 */
export function parseOverlayOptions(superOptions: string, relativeTo?: string): OverlayLayers | { error: string } {
  const options = new Map<string, string>();
  const appendedLowers: string[] = [];
  // Split first, unescape after: a comma or colon inside a path arrives escaped.
  for (const option of splitUnescaped(superOptions, ',', true)) {
    const equals = option.indexOf('=');
    const key = equals < 0 ? option : option.slice(0, equals);
    const value = equals < 0 ? '' : option.slice(equals + 1);
    // Kernels 6.7+ may show layers added one at a time as repeated lowerdir+= / datadir+=.
    if (key === 'lowerdir+' || key === 'datadir+') appendedLowers.push(value);
    else options.set(key, value);
  }
  const upperRaw = options.get('upperdir');
  const upper = upperRaw === undefined ? undefined : unescapeOctal(splitUnescaped(upperRaw, '\u0000').join(''));
  const lower = options.get('lowerdir');
  if (upper === undefined || upper === '') return { error: 'overlay mount without upperdir (read-only overlay: nothing can drift)' };
  if ((lower === undefined || lower === '') && appendedLowers.length === 0) return { error: 'overlay mount without lowerdir' };
  const upperParent = upper.startsWith('/') ? joinPath(upper, '../..') : undefined;
  const base = relativeTo ?? upperParent;
  const resolve = (path: string): string => (path.startsWith('/') ? joinPath(path, '.') : base !== undefined ? joinPath(base, path) : path);
  // "::" separates data-only lower layers (kernel 6.5+); they are still lower layers.
  const lowerdirs = [...splitUnescaped(lower ?? '', ':'), ...appendedLowers].filter((p) => p !== '').map((p) => resolve(unescapeOctal(p)));
  const layers: OverlayLayers = { lowerdirs, upperdir: resolve(upper), metacopy: options.get('metacopy') === 'on' };
  const work = options.get('workdir');
  if (work) layers.workdir = resolve(unescapeOctal(splitUnescaped(work, '\u0000').join('')));
  return layers;
}
