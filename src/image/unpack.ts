// Unpacks image layers once into a content-addressed cache, each layer in its
// own directory so the layers become overlay lower directories as they are.
// OCI whiteouts become overlayfs ones: `.wh.<name>` a 0/0 character device,
// `.wh..wh..opq` the trusted.overlay.opaque xattr on its directory (Node has
// no xattr or mknod API, so util-linux/coreutils `mknod` and attr's `setfattr` do it).
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lchownSync, linkSync, lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar } from './tar.js';
import type { TarEntry } from './tar.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/** ${ROOTLOCK_CACHE:-$HOME/.cache/rootlock}: outside any repository, shared by runs. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['ROOTLOCK_CACHE'] || join(homedir(), '.cache', 'rootlock');
}

/** The cache directory of a layer; `:` would split an overlay lowerdir list, so the digest's algorithm is joined with `-`. */
export function layerCacheDir(cache: string, digest: string): string {
  return join(cache, 'layers', digest.replace(':', '-'));
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function decompress(blob: Buffer): Buffer {
  return blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
}

function safeRelative(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.some((part) => part === '..')) throw new Error(`layer entry escapes the root: ${path}`);
  return parts.join('/');
}

/** Refuses to write through a symlink the layer itself created (a link pointing out of the layer). */
function ensureParents(root: string, relative: string): void {
  const parts = relative.split('/').slice(0, -1);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    let stats;
    try {
      stats = lstatSync(current);
    } catch {
      mkdirSync(current, { mode: 0o755 });
      continue;
    }
    if (!stats.isDirectory()) throw new Error(`layer entry below a non-directory: ${relative}`);
  }
}

function removeExisting(path: string): void {
  try {
    const stats = lstatSync(path);
    if (stats.isDirectory()) return;
    rmSync(path, { force: true });
  } catch {
    // nothing there
  }
}

function writeEntry(root: string, entry: TarEntry): void {
  const relative = safeRelative(entry.path);
  if (relative === '') return; // the root directory itself
  ensureParents(root, relative);
  const target = join(root, relative);
  const name = relative.split('/').pop()!;
  if (name === OPAQUE_MARKER) {
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dirname(target)]);
    return;
  }
  if (name.startsWith(WHITEOUT_PREFIX)) {
    const hidden = join(dirname(target), name.slice(WHITEOUT_PREFIX.length));
    rmSync(hidden, { recursive: true, force: true });
    execFileSync('mknod', [hidden, 'c', '0', '0']);
    return;
  }
  if (entry.type !== 'dir') removeExisting(target);
  switch (entry.type) {
    // Owner before mode: chown clears the setuid and setgid bits of a file, even as root.
    case 'dir':
      if (!existsSync(target)) mkdirSync(target);
      lchownSync(target, entry.uid, entry.gid);
      chmodSync(target, entry.mode);
      return;
    case 'file':
      writeFileSync(target, entry.data);
      lchownSync(target, entry.uid, entry.gid);
      chmodSync(target, entry.mode);
      return;
    case 'symlink':
      symlinkSync(entry.linkTarget ?? '', target);
      break;
    case 'hardlink':
      linkSync(join(root, safeRelative(entry.linkTarget ?? '')), target);
      return;
    case 'char':
    case 'block':
      execFileSync('mknod', ['-m', entry.mode.toString(8), target, entry.type === 'char' ? 'c' : 'b', String(entry.devMajor ?? 0), String(entry.devMinor ?? 0)]);
      break;
    case 'fifo':
      execFileSync('mknod', ['-m', entry.mode.toString(8), target, 'p']);
      break;
  }
  lchownSync(target, entry.uid, entry.gid);
}

/** Unpacks one layer into `into` (which must not exist), applying whiteouts as overlayfs records them. */
export function unpackLayerInto(blob: Buffer, into: string): void {
  mkdirSync(into, { recursive: true, mode: 0o755 });
  for (const entry of readTar(decompress(blob))) writeEntry(into, entry);
}

/**
 * The cached directory of a layer, unpacking it first when the cache lacks
 * it. The blob's digest is checked; the layer is unpacked beside its final
 * place and renamed, so a crashed unpack never leaves a half layer behind.
 */
export function unpackLayer(cache: string, digest: string, readBlob: () => Buffer): string {
  const dir = layerCacheDir(cache, digest);
  if (existsSync(dir)) return dir;
  const blob = readBlob();
  const actual = sha256Digest(blob);
  if (digest.startsWith('sha256:') && actual !== digest) throw new Error(`layer ${digest}: content has digest ${actual}`);
  const staging = join(cache, 'layers', `.unpacking-${randomBytes(6).toString('hex')}`);
  try {
    unpackLayerInto(blob, staging);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(dir)) return dir; // another run unpacked it first
    throw error;
  }
  return dir;
}
