// Opens an image this machine holds, for the sandbox: an OCI image layout
// directory, a `docker save` or OCI archive file (archive.ts), or a plain root
// filesystem directory (used as the single lower layer as it is). Registry
// references: pull.ts; open.ts decides which one a command line names.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openImageArchive } from './archive.js';
import { EMPTY_RUN_CONFIG, directoryFiles, openLayout } from './layout.js';
import type { OpenedImage } from './layout.js';
import { cacheRoot } from './unpack.js';

export type { ImageRunConfig, OpenedImage } from './layout.js';
export { EMPTY_RUN_CONFIG, runConfigOf } from './layout.js';

/** `dir` or `dir:tag` (the tag matched against org.opencontainers.image.ref.name); the same for archive files. */
export function splitLocalRef(spec: string, isImage: (path: string) => boolean): { path: string; tag?: string } {
  if (isImage(spec)) return { path: spec };
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && !spec.slice(colon + 1).includes('/') && isImage(spec.slice(0, colon))) return { path: spec.slice(0, colon), tag: spec.slice(colon + 1) };
  return { path: spec };
}

const isLayoutDir = (path: string): boolean => existsSync(join(path, 'oci-layout'));

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function openOciLayout(spec: string, cache = cacheRoot()): OpenedImage {
  const { path, tag } = splitLocalRef(spec, isLayoutDir);
  return openLayout(directoryFiles(path), tag, spec, 'oci-layout', cache);
}

/**
 * Opens an image given on the command line: an OCI layout directory, a
 * `docker save` or OCI archive file (optionally `:tag`; told apart by their
 * content), or a root filesystem directory.
 */
export function openImage(spec: string, cache = cacheRoot()): OpenedImage {
  if (isLayoutDir(splitLocalRef(spec, isLayoutDir).path)) return openOciLayout(spec, cache);
  const archive = splitLocalRef(spec, isFile);
  if (isFile(archive.path)) return openImageArchive(archive.path, archive.tag, spec, cache);
  let isDir = false;
  try {
    isDir = statSync(spec).isDirectory();
  } catch {
    // not a path
  }
  if (isDir) return { source: spec, kind: 'rootfs', lowerdirs: [spec], config: { ...EMPTY_RUN_CONFIG }, layers: [] };
  throw new Error(`${spec}: not an OCI image layout, an image archive or a root filesystem directory`);
}

/** True when `spec` names something openImage reads from this machine (rather than a registry reference). */
export function isLocalImage(spec: string): boolean {
  return isLayoutDir(splitLocalRef(spec, isLayoutDir).path) || isFile(splitLocalRef(spec, isFile).path) || existsSync(spec);
}
