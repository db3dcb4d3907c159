// Image archives, told apart by what they hold: an OCI archive (an OCI image
// layout in a tar: `oci-layout`, `index.json`, `blobs/`) or a `docker save`
// tarball (`manifest.json` naming each image's config and layer files). Docker
// 25 and later write both in one tarball; the OCI index is read first. Either
// may be gzip-compressed. An uncompressed archive is walked by offset and read
// one file at a time, never whole. Layers go into the same content-addressed
// cache as an OCI layout's: docker's uncompressed layer files are keyed by
// their own sha256, which unpackLayer checks.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openLayout, overlayStack, runConfigOf } from './layout.js';
import type { LayoutFiles, OpenedImage } from './layout.js';
import { normalizeTarPath, walkTar } from './tar.js';
import { cacheRoot, sha256Digest, unpackLayer } from './unpack.js';

/** One entry of docker's manifest.json. */
interface DockerManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

export interface ArchiveFiles extends LayoutFiles {
  has(relative: string): boolean;
}

/**
 * The regular files of an uncompressed tar, by path, read on demand through
 * `readAt`; symlinks and hard links (docker's older format links repeated
 * layers) resolve to their target's bytes.
 */
export function tarFiles(readAt: (offset: number, length: number) => Buffer, length: number, name: string): ArchiveFiles {
  const files = new Map<string, { offset: number; size: number }>();
  const links = new Map<string, string>();
  for (const entry of walkTar(readAt, length)) {
    if (entry.type === 'file') files.set(entry.path, { offset: entry.dataOffset, size: entry.size });
    else if ((entry.type === 'symlink' || entry.type === 'hardlink') && entry.linkTarget !== undefined) {
      const target = entry.type === 'symlink' ? posix.join(posix.dirname(entry.path), entry.linkTarget) : entry.linkTarget;
      links.set(entry.path, normalizeTarPath(posix.normalize(target)));
    }
  }
  const lookup = (relative: string): { offset: number; size: number } | undefined => {
    let path = normalizeTarPath(posix.normalize(relative));
    for (let hops = 0; hops < 16 && !files.has(path) && links.has(path); hops++) path = links.get(path)!;
    return files.get(path);
  };
  return {
    name,
    has: (relative) => lookup(relative) !== undefined,
    read: (relative) => {
      const found = lookup(relative);
      if (!found) throw new Error(`${name}: the archive has no ${relative}`);
      return readAt(found.offset, found.size);
    },
  };
}

/** An archive held in memory (gzip-compressed ones are inflated whole: gzip has no random access). */
export function bufferFiles(archive: Buffer, name: string): ArchiveFiles {
  const tar = isGzip(archive) ? gunzipSync(archive) : archive;
  return tarFiles((offset, length) => tar.subarray(offset, offset + length), tar.length, name);
}

function isGzip(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Runs `use` on the files of the archive at `path`: an uncompressed one is read by offset, never whole. */
function withArchiveFiles<T>(path: string, use: (files: ArchiveFiles) => T): T {
  const fd = openSync(path, 'r');
  try {
    const length = fstatSync(fd).size;
    const readAt = (offset: number, size: number): Buffer => {
      const bytes = Buffer.alloc(size);
      let done = 0;
      while (done < size) {
        const read = readSync(fd, bytes, done, size - done, offset + done);
        if (read === 0) throw new Error(`${path}: ends inside an entry`);
        done += read;
      }
      return bytes;
    };
    let files: ArchiveFiles;
    try {
      files = length >= 2 && isGzip(readAt(0, 2)) ? bufferFiles(readFileSync(path), path) : tarFiles(readAt, length, path);
    } catch (error) {
      throw new Error(`${path}: not an image archive (${error instanceof Error ? error.message : String(error)})`);
    }
    return use(files);
  } finally {
    closeSync(fd);
  }
}

function pickDockerImage(entries: DockerManifestEntry[], tag: string | undefined, name: string): DockerManifestEntry {
  if (tag === undefined) {
    if (!entries[0]) throw new Error(`${name}: manifest.json lists no image`);
    return entries[0];
  }
  const found = entries.find((entry) => Array.isArray(entry.RepoTags) && entry.RepoTags.some((t) => t === tag || (typeof t === 'string' && t.endsWith(`:${tag}`))));
  if (!found) throw new Error(`${name}: no image tagged ${tag} in manifest.json`);
  return found;
}

function openDockerArchive(files: LayoutFiles, tag: string | undefined, source: string, cache: string): OpenedImage {
  const manifest = JSON.parse(files.read('manifest.json').toString('utf8')) as unknown;
  if (!Array.isArray(manifest)) throw new Error(`${files.name}: manifest.json is not a list of images`);
  const entry = pickDockerImage(manifest as DockerManifestEntry[], tag, files.name);
  if (typeof entry.Config !== 'string') throw new Error(`${files.name}: the image in manifest.json names no Config file`);
  const config = runConfigOf(JSON.parse(files.read(entry.Config).toString('utf8')));
  const layerFiles = Array.isArray(entry.Layers) ? entry.Layers.filter((layer): layer is string => typeof layer === 'string') : [];
  const layers: string[] = [];
  const unpacked = layerFiles.map((layerFile) => {
    const data = files.read(layerFile);
    const digest = sha256Digest(data);
    layers.push(digest);
    return unpackLayer(cache, digest, () => data);
  });
  return { source, kind: 'docker-archive', lowerdirs: overlayStack(unpacked), config, layers };
}

/** Opens a `docker save` or OCI archive file (`tag` picks one image when it holds several). */
export function openImageArchive(path: string, tag: string | undefined, source = path, cache = cacheRoot()): OpenedImage {
  return withArchiveFiles(path, (files) => {
    if (files.has('oci-layout') && files.has('index.json')) return openLayout(files, tag, source, 'oci-archive', cache);
    if (files.has('manifest.json')) return openDockerArchive(files, tag, source, cache);
    throw new Error(`${path}: not an image archive (neither an OCI layout with oci-layout and index.json nor a docker save tarball with manifest.json)`);
  });
}
