// The lock file records which digest each image tag resolved to, so a later
// `rootlock fix --pin-digests --offline` (CI without registry access, an
// air-gapped cluster) pins the same digests without the network, and a review
// sees exactly when a tag moved.
//
//   { "version": 1,
//     "images": { "nginx:1.25": { "digest": "sha256:…", "mediaType": "…", "resolvedAt": "2026-…Z" } } }
//
// Keys are the images as written in the manifests; they are sorted so the file
// diffs cleanly.
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RegistryClient, type RegistryClientOptions, type ResolvedDigest } from './client.js';
import { isDigest } from './digest.js';
import { RegistryError, isRegistryError } from './errors.js';

export const LOCK_FILE_NAME = 'rootlock.lock.json';
export const LOCK_FILE_VERSION = 1;

export interface LockEntry {
  digest: string;
  mediaType: string;
  /** ISO 8601 UTC time the registry was asked. */
  resolvedAt: string;
}

export interface LockFile {
  version: 1;
  images: Record<string, LockEntry>;
}

export function emptyLock(): LockFile {
  return { version: LOCK_FILE_VERSION, images: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a lock file's text; `where` names it in errors. */
export function parseLockFile(text: string, where: string): LockFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RegistryError('LOCK_FILE', `${where}: not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(data)) throw new RegistryError('LOCK_FILE', `${where}: expected a JSON object`);
  if (data['version'] !== LOCK_FILE_VERSION) {
    const newer = typeof data['version'] === 'number' && data['version'] > LOCK_FILE_VERSION;
    throw new RegistryError('LOCK_FILE', `${where}: ${newer ? `version ${String(data['version'])} was written by a newer rootlock` : `"version" must be ${LOCK_FILE_VERSION}`}`);
  }
  const images = data['images'];
  if (!isRecord(images)) throw new RegistryError('LOCK_FILE', `${where}: "images" must be an object`);
  const lock = emptyLock();
  for (const [image, entry] of Object.entries(images)) {
    const at = `${where}: images[${JSON.stringify(image)}]`;
    if (!isRecord(entry)) throw new RegistryError('LOCK_FILE', `${at} must be an object`);
    const { digest, mediaType, resolvedAt } = entry;
    if (typeof digest !== 'string' || !isDigest(digest)) throw new RegistryError('LOCK_FILE', `${at}.digest is not a sha256 or sha512 digest`);
    if (typeof mediaType !== 'string' || mediaType === '') throw new RegistryError('LOCK_FILE', `${at}.mediaType must be a non-empty string`);
    if (typeof resolvedAt !== 'string' || Number.isNaN(Date.parse(resolvedAt))) throw new RegistryError('LOCK_FILE', `${at}.resolvedAt must be an ISO 8601 time`);
    lock.images[image] = { digest, mediaType, resolvedAt };
  }
  return lock;
}

/** Canonical text: images sorted by key, entry fields in a fixed order, trailing newline. */
export function serializeLockFile(lock: LockFile): string {
  const images: Record<string, LockEntry> = {};
  for (const image of Object.keys(lock.images).sort(compareKeys)) {
    const entry = lock.images[image]!;
    images[image] = { digest: entry.digest, mediaType: entry.mediaType, resolvedAt: entry.resolvedAt };
  }
  return `${JSON.stringify({ version: LOCK_FILE_VERSION, images }, null, 2)}\n`;
}

/** Code-unit order, the same in every locale. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The lock at `path`, or an empty one when the file does not exist yet. */
export async function readLockFile(path: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyLock();
    throw new RegistryError('LOCK_FILE', `cannot read ${path}: ${(error as Error).message}`);
  }
  return parseLockFile(text, path);
}

/** Writes beside the target and renames over it, so a crash never leaves a half-written lock. */
export async function writeLockFile(path: string, lock: LockFile): Promise<void> {
  const temporary = join(dirname(path), `.${LOCK_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(serializeLockFile(lock), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new RegistryError('LOCK_FILE', `cannot write ${path}: ${(error as Error).message}`);
  }
}

/**
 * Where the lock goes when --lock-file is not given: beside the manifests,
 * i.e. in the deepest folder containing every input (a file's folder, a
 * folder itself, a glob's fixed prefix; `-` counts as the working directory).
 */
export async function defaultLockFilePath(inputs: readonly string[], cwd: string = process.cwd()): Promise<string> {
  const folders: string[] = [];
  for (const input of inputs.length > 0 ? inputs : ['.']) {
    if (input === '-') {
      folders.push(resolve(cwd));
      continue;
    }
    const globAt = input.search(/[*?[\]{}]/);
    if (globAt !== -1) {
      const prefix = input.slice(0, globAt);
      folders.push(resolve(cwd, prefix.endsWith('/') || prefix === '' ? prefix || '.' : dirname(prefix)));
      continue;
    }
    const full = resolve(cwd, input);
    const isFolder = await stat(full).then((info) => info.isDirectory(), () => false);
    folders.push(isFolder ? full : dirname(full));
  }
  let common = folders[0]!;
  for (const folder of folders.slice(1)) {
    while (common !== dirname(common) && !isInside(folder, common)) common = dirname(common);
  }
  return join(common, LOCK_FILE_NAME);
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export interface ResolveAllOptions {
  /** The lock read before this run; its entries are used without asking the registry. */
  lock?: LockFile;
  /** Never contact a registry: every image must be in the lock. */
  offline?: boolean;
  /** Ask the registry again even for images in the lock (a deliberate update). */
  refresh?: boolean;
  /** Resolves one image; defaults to a shared RegistryClient built from `client`. */
  resolve?: (image: string) => Promise<ResolvedDigest>;
  client?: RegistryClientOptions;
  /** For messages: the lock file's path. */
  lockPath?: string;
  /** Clock for resolvedAt. */
  now?: () => Date;
  /** Registry requests in flight at once (default 4). */
  concurrency?: number;
}

export interface ImagePin extends LockEntry {
  /** Whether this run read the digest from the lock or asked the registry. */
  source: 'lock' | 'registry';
}

export interface ResolveFailure {
  image: string;
  error: RegistryError;
}

export interface ResolveAllResult {
  /** The lock with this run's resolutions added (entries for other images kept). */
  lock: LockFile;
  /** Every image that has a digest now, in first-seen order. */
  pins: Map<string, ImagePin>;
  /** Images the registry could not resolve; the rest are still pinned and locked. */
  failures: ResolveFailure[];
}

/** Thrown in offline mode when images are missing from the lock. */
export class UnresolvedImagesError extends RegistryError {
  constructor(
    readonly images: readonly string[],
    lockPath: string,
  ) {
    super(
      'OFFLINE',
      `offline: ${images.length === 1 ? '1 image is' : `${images.length} images are`} not in the lock file ${lockPath}, so ${images.length === 1 ? 'it' : 'they'} cannot be pinned without a registry:\n` +
        images.map((image) => `  ${image}`).join('\n') +
        `\nrun once without --offline to resolve and record ${images.length === 1 ? 'it' : 'them'}`,
    );
  }
}

/**
 * Digests for `images` (as written in manifests): from the lock when it has
 * them, else from the registry (unless offline). Registry failures do not stop
 * the other images; they are returned in `failures`.
 */
export async function resolveAll(images: Iterable<string>, options: ResolveAllOptions = {}): Promise<ResolveAllResult> {
  const previous = options.lock ?? emptyLock();
  const now = options.now ?? (() => new Date());
  const unique = [...new Set(images)];
  const pins = new Map<string, ImagePin>();
  const pending: string[] = [];
  for (const image of unique) {
    const entry = options.refresh ? undefined : previous.images[image];
    if (entry) pins.set(image, { ...entry, source: 'lock' });
    else pending.push(image);
  }
  if (options.offline && pending.length > 0) throw new UnresolvedImagesError(pending, options.lockPath ?? LOCK_FILE_NAME);

  let resolveOne = options.resolve;
  if (!resolveOne) {
    const client = new RegistryClient(options.client);
    resolveOne = (image) => client.resolveDigest(image);
  }
  const resolved = new Map<string, ResolvedDigest>();
  const failures = new Map<string, RegistryError>();
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const image = pending[next++]!;
      try {
        resolved.set(image, await resolveOne(image));
      } catch (error) {
        failures.set(image, isRegistryError(error) ? error : new RegistryError('NETWORK', `${image}: ${(error as Error)?.message ?? String(error)}`));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, pending.length)) }, worker));

  const lock: LockFile = { version: LOCK_FILE_VERSION, images: { ...previous.images } };
  const resolvedAt = now().toISOString();
  // Rebuild pins in input order, whatever order the workers finished in.
  const ordered = new Map<string, ImagePin>();
  for (const image of unique) {
    const fromLock = pins.get(image);
    const fresh = resolved.get(image);
    if (fromLock) ordered.set(image, fromLock);
    else if (fresh) {
      const entry: LockEntry = { digest: fresh.digest, mediaType: fresh.mediaType, resolvedAt };
      lock.images[image] = entry;
      ordered.set(image, { ...entry, source: 'registry' });
    }
  }
  const sortedImages: Record<string, LockEntry> = {};
  for (const image of Object.keys(lock.images).sort(compareKeys)) sortedImages[image] = lock.images[image]!;
  lock.images = sortedImages;
  return {
    lock,
    pins: ordered,
    failures: unique.filter((image) => failures.has(image)).map((image) => ({ image, error: failures.get(image)! })),
  };
}
