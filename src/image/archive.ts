// Image archives, told apart by what they hold: an OCI archive (an OCI image
// layout in a tar: `oci-layout`, `index.json`, `blobs/`) or a `docker save`
// tarball (`manifest.json` naming each image's config and layer files). Docker
// 25 and later write both in one tarball; the OCI index is read first. Either
// may be gzip-compressed. Layers go into the same content-addressed cache as
// an OCI layout's: docker's uncompressed layer files are keyed by their own
// sha256, which unpackLayer checks.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openLayout, overlayStack, runConfigOf } from './layout.js';
import type { LayoutFiles, OpenedImage } from './layout.js';
import { readTar } from './tar.js';
import { cacheRoot, sha256Digest, unpackLayer } from './unpack.js';

/** One entry of docker's manifest.json. */
interface DockerManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

/** Regular files of the archive by path; symlinks (docker's older format links repeated layers) resolve to their target's bytes. */
export function archiveFiles(archive: Buffer, name: string): LayoutFiles & { has(relative: string): boolean } {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const files = new Map<string, Buffer>();
  const links = new Map<string, string>();
  for (const entry of readTar(tar)) {
    if (entry.type === 'file') files.set(entry.path, entry.data);
    else if ((entry.type === 'symlink' || entry.type === 'hardlink') && entry.linkTarget !== undefined) {
      const target = entry.type === 'symlink' ? posix.join(posix.dirname(entry.path), entry.linkTarget) : entry.linkTarget;
      links.set(entry.path, posix.normalize(target).replace(/^(\.\/|\/)+/, ''));
    }
  }
  const lookup = (relative: string): Buffer | undefined => {
    let path = posix.normalize(relative).replace(/^(\.\/|\/)+/, '');
    for (let hops = 0; hops < 16 && !files.has(path) && links.has(path); hops++) path = links.get(path)!;
    return files.get(path);
  };
  return {
    name,
    has: (relative) => lookup(relative) !== undefined,
    read: (relative) => {
      const data = lookup(relative);
      if (!data) throw new Error(`${name}: the archive has no ${relative}`);
      return data;
    },
  };
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
  let files;
  try {
    files = archiveFiles(readFileSync(path), path);
  } catch (error) {
    throw new Error(`${path}: not an image archive (${error instanceof Error ? error.message : String(error)})`);
  }
  if (files.has('oci-layout') && files.has('index.json')) return openLayout(files, tag, source, 'oci-archive', cache);
  if (files.has('manifest.json')) return openDockerArchive(files, tag, source, cache);
  throw new Error(`${path}: not an image archive (neither an OCI layout with oci-layout and index.json nor a docker save tarball with manifest.json)`);
}
