// Pulls an image by reference (`registry/repo:tag`, `repo@sha256:...`) through
// the OCI distribution API with the client `fix --pin-digests` uses (anonymous
// or credentialed bearer tokens and basic auth from the Docker config; plain
// HTTP only for loopback and --insecure-registry hosts). An index or manifest
// list yields the manifest for this machine's platform. Each layer streams to
// a temporary file in the cache, verified against its digest as it arrives,
// then unpacks into the same content-addressed layer cache as local images;
// layers already there are not downloaded again.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseImageReference } from '../knowledge/image-ref.js';
import { RegistryClient } from '../registry/client.js';
import type { RegistryClientOptions } from '../registry/client.js';
import { isIndexMediaType } from '../registry/media-types.js';
import { hostPlatform, platformManifest } from '../registry/platform.js';
import type { Platform } from '../registry/platform.js';
import { overlayStack, runConfigOf } from './layout.js';
import type { OpenedImage } from './layout.js';
import { cacheRoot, layerCacheDir, unpackLayer } from './unpack.js';

export interface PullOptions {
  client?: RegistryClientOptions;
  cache?: string;
  /** Default: this machine's (linux and process.arch in OCI terms). */
  platform?: Platform;
}

/** Image configs are small; a larger "config" is not one. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

interface Descriptor { digest: string; mediaType?: string }

/** True when `spec` reads as an image reference rather than a path. */
export function isImageReference(spec: string): boolean {
  if (spec.startsWith('/') || spec.startsWith('.') || spec.includes('\\')) return false;
  return parseImageReference(spec) !== undefined;
}

async function downloadLayer(client: RegistryClient, image: string, digest: string, cache: string): Promise<string> {
  if (existsSync(layerCacheDir(cache, digest))) return layerCacheDir(cache, digest);
  const downloads = join(cache, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const file = join(downloads, `${digest.replace(':', '-')}.${randomBytes(6).toString('hex')}`);
  try {
    // The client's stream fails at its end when the content does not match the digest.
    await pipeline(await client.openBlob(image, digest), createWriteStream(file));
    return unpackLayer(cache, digest, () => readFileSync(file));
  } finally {
    rmSync(file, { force: true });
  }
}

export async function pullImage(reference: string, options: PullOptions = {}): Promise<OpenedImage> {
  const parsed = parseImageReference(reference);
  if (!parsed) throw new Error(`${reference}: not an image reference`);
  const cache = options.cache ?? cacheRoot();
  const client = new RegistryClient(options.client);
  let fetched = await client.getManifest(reference);
  if (isIndexMediaType(fetched.mediaType)) {
    const platform = options.platform ?? hostPlatform();
    const chosen = platformManifest(fetched.manifest, platform);
    if (!chosen) {
      const wanted = `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
      throw new Error(`${reference}: the index ${fetched.digest} has no image for ${wanted}`);
    }
    fetched = await client.getManifest(`${parsed.name}@${chosen.digest}`);
    if (isIndexMediaType(fetched.mediaType)) throw new Error(`${reference}: the platform entry ${chosen.digest} is another index`);
  }
  const manifest = fetched.manifest as { config?: Descriptor; layers?: Descriptor[] };
  if (!manifest.config || typeof manifest.config.digest !== 'string') throw new Error(`${reference}: manifest ${fetched.digest} has no config`);
  const pinned = `${parsed.name}@${fetched.digest}`;
  const configBytes = await client.getBlob(pinned, manifest.config.digest, { maxBytes: MAX_CONFIG_BYTES });
  const config = runConfigOf(JSON.parse(configBytes.toString('utf8')));
  const layerDescriptors = Array.isArray(manifest.layers) ? manifest.layers : [];
  const unsupported = layerDescriptors.find((layer) => layer.mediaType !== undefined && /zstd/.test(layer.mediaType));
  if (unsupported) throw new Error(`${reference}: layer ${unsupported.digest} is ${unsupported.mediaType}; rootlock unpacks gzip and uncompressed layers only`);
  const layers = layerDescriptors.map((layer) => layer.digest);
  const unpacked: string[] = [];
  // One at a time: layers can be large, and the cache makes later pulls cheap.
  for (const digest of layers) unpacked.push(await downloadLayer(client, pinned, digest, cache));
  return { source: reference, kind: 'registry', lowerdirs: overlayStack(unpacked), config, layers };
}
