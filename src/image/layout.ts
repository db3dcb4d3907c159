// Reading an OCI image layout wherever its files are (a directory, or the
// entries of an OCI archive): the manifest for a tag and this machine's
// platform, the run config, the layers unpacked into the cache and stacked
// as overlay lower directories.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIndexMediaType } from '../registry/media-types.js';
import { hostPlatform, platformManifest } from '../registry/platform.js';
import { cacheRoot, unpackLayer } from './unpack.js';

/** What the image config says about running the image (OCI image-spec "config" object). */
export interface ImageRunConfig {
  entrypoint: string[];
  cmd: string[];
  /** KEY=value strings, in order. */
  env: string[];
  workingDir: string;
  /** As written: uid, uid:gid, or a name. Empty means root. */
  user: string;
  /** Container paths the image declares as volumes. */
  volumes: string[];
}

export interface OpenedImage {
  /** What was opened, for reports. */
  source: string;
  kind: 'oci-layout' | 'oci-archive' | 'docker-archive' | 'registry' | 'rootfs';
  /** Lower directories, topmost first (the order overlayfs wants). */
  lowerdirs: string[];
  config: ImageRunConfig;
  /** Layer digests, bottom first (empty for a root filesystem directory). */
  layers: string[];
}

export const EMPTY_RUN_CONFIG: ImageRunConfig = { entrypoint: [], cmd: [], env: [], workingDir: '', user: '', volumes: [] };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function runConfigOf(imageConfig: unknown): ImageRunConfig {
  const config = (imageConfig as { config?: Record<string, unknown> } | null)?.config ?? {};
  const volumes = config['Volumes'];
  return {
    entrypoint: strings(config['Entrypoint']),
    cmd: strings(config['Cmd']),
    env: strings(config['Env']),
    workingDir: typeof config['WorkingDir'] === 'string' ? config['WorkingDir'] : '',
    user: typeof config['User'] === 'string' ? config['User'] : '',
    volumes: volumes && typeof volumes === 'object' ? Object.keys(volumes).sort() : [],
  };
}

interface Descriptor { digest: string; mediaType?: string; annotations?: Record<string, string> }

/** Where an OCI layout's files come from: a directory, or the entries of an OCI archive. */
export interface LayoutFiles {
  /** For messages: the directory or archive. */
  name: string;
  /** The file at a path relative to the layout's root; throws when there is none. */
  read(relative: string): Buffer;
}

export function directoryFiles(dir: string): LayoutFiles {
  return { name: dir, read: (relative) => readFileSync(join(dir, relative)) };
}

function readJson(files: LayoutFiles, relative: string): unknown {
  return JSON.parse(files.read(relative).toString('utf8'));
}

function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest}`);
  return `blobs/${algorithm}/${hex}`;
}

function pickManifest(files: LayoutFiles, descriptors: Descriptor[], tag: string | undefined): Descriptor {
  let candidates = descriptors;
  if (tag !== undefined) {
    candidates = descriptors.filter((d) => {
      const name = d.annotations?.['org.opencontainers.image.ref.name'];
      // Docker's OCI export names the whole reference (registry/repo:tag) in io.containerd.image.name.
      const full = d.annotations?.['io.containerd.image.name'];
      return name === tag || full === tag || (full !== undefined && full.endsWith(`:${tag}`));
    });
  }
  if (candidates.length === 0) throw new Error(`${files.name}: no image${tag ? ` tagged ${tag}` : ''} in index.json`);
  let chosen = candidates[0]!;
  while (chosen.mediaType && isIndexMediaType(chosen.mediaType)) {
    const index = readJson(files, blobPath(chosen.digest)) as { manifests?: unknown };
    const platform = platformManifest(index, hostPlatform());
    if (!platform) throw new Error(`${files.name}: no manifest for this machine's platform in ${chosen.digest}`);
    chosen = platform as Descriptor;
  }
  return chosen;
}

/**
 * Overlay lower directories, topmost first, from unpacked layers bottom
 * first. A layer an image repeats is kept at its topmost place only
 * (overlayfs refuses a directory twice; applied again on top, its files win
 * over what lies between anyway).
 */
export function overlayStack(unpackedBottomFirst: readonly string[]): string[] {
  return [...new Set([...unpackedBottomFirst].reverse())];
}

/** An OCI layout read through `files`: the manifest for the tag and this machine's platform, its config, its layers unpacked into the cache. */
export function openLayout(files: LayoutFiles, tag: string | undefined, source: string, kind: OpenedImage['kind'], cache = cacheRoot()): OpenedImage {
  const index = readJson(files, 'index.json') as { manifests?: Descriptor[] };
  const manifestDescriptor = pickManifest(files, index.manifests ?? [], tag);
  const manifest = readJson(files, blobPath(manifestDescriptor.digest)) as { config?: Descriptor; layers?: Descriptor[] };
  if (!manifest.config) throw new Error(`${files.name}: manifest ${manifestDescriptor.digest} has no config`);
  const config = runConfigOf(readJson(files, blobPath(manifest.config.digest)));
  const layers = (manifest.layers ?? []).map((layer) => layer.digest);
  const unpacked = layers.map((digest) => unpackLayer(cache, digest, () => files.read(blobPath(digest))));
  return { source, kind, lowerdirs: overlayStack(unpacked), config, layers };
}
