// Opens an image for the sandbox: an OCI image layout directory (layers
// unpacked into the cache) or a plain root filesystem directory (used as the
// single lower layer as it is). Archives and registry references come later.
import { existsSync, readFileSync, statSync } from 'node:fs';
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
  kind: 'oci-layout' | 'rootfs';
  /** Lower directories, topmost first (the order overlayfs wants). */
  lowerdirs: string[];
  config: ImageRunConfig;
  /** Layer digests, bottom first (OCI layouts only). */
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

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function blobPath(layout: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest}`);
  return join(layout, 'blobs', algorithm, hex);
}

/** `dir` or `dir:tag` (the tag matched against org.opencontainers.image.ref.name). */
function splitLayoutRef(spec: string): { dir: string; tag?: string } {
  if (existsSync(join(spec, 'oci-layout'))) return { dir: spec };
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && existsSync(join(spec.slice(0, colon), 'oci-layout'))) return { dir: spec.slice(0, colon), tag: spec.slice(colon + 1) };
  return { dir: spec };
}

function pickManifest(layout: string, descriptors: Descriptor[], tag: string | undefined): Descriptor {
  let candidates = descriptors;
  if (tag !== undefined) candidates = descriptors.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (candidates.length === 0) throw new Error(`${layout}: no image${tag ? ` tagged ${tag}` : ''} in index.json`);
  let chosen = candidates[0]!;
  while (chosen.mediaType && isIndexMediaType(chosen.mediaType)) {
    const index = readJson(blobPath(layout, chosen.digest)) as { manifests?: unknown };
    const platform = platformManifest(index, hostPlatform());
    if (!platform) throw new Error(`${layout}: no manifest for this machine's platform in ${chosen.digest}`);
    chosen = platform as Descriptor;
  }
  return chosen;
}

export function openOciLayout(spec: string, cache = cacheRoot()): OpenedImage {
  const { dir, tag } = splitLayoutRef(spec);
  const index = readJson(join(dir, 'index.json')) as { manifests?: Descriptor[] };
  const manifestDescriptor = pickManifest(dir, index.manifests ?? [], tag);
  const manifest = readJson(blobPath(dir, manifestDescriptor.digest)) as { config?: Descriptor; layers?: Descriptor[] };
  if (!manifest.config) throw new Error(`${dir}: manifest ${manifestDescriptor.digest} has no config`);
  const config = runConfigOf(readJson(blobPath(dir, manifest.config.digest)));
  const layers = (manifest.layers ?? []).map((layer) => layer.digest);
  const unpacked = layers.map((digest) => unpackLayer(cache, digest, () => readFileSync(blobPath(dir, digest))));
  return { source: spec, kind: 'oci-layout', lowerdirs: unpacked.reverse(), config, layers };
}

/** Opens an image given on the command line: an OCI layout directory (optionally `:tag`) or a root filesystem directory. */
export function openImage(spec: string, cache = cacheRoot()): OpenedImage {
  const { dir } = splitLayoutRef(spec);
  if (existsSync(join(dir, 'oci-layout'))) return openOciLayout(spec, cache);
  let isDir = false;
  try {
    isDir = statSync(spec).isDirectory();
  } catch {
    // not a path
  }
  if (isDir) return { source: spec, kind: 'rootfs', lowerdirs: [spec], config: { ...EMPTY_RUN_CONFIG }, layers: [] };
  throw new Error(`${spec}: not an OCI image layout or a root filesystem directory (archives and registry references are not supported yet)`);
}
