// rootlock's own image for tests: built by the recipe in deploy/image (the
// same code `npm run image` runs) from this checkout's dist/, once per
// process, and cached across runs under ~/.cache/rootlock/image keyed by
// every input, so only the first test run after a change pays for the build
// (about 10 s). End-to-end tests import it with `ctr images import
// <archivePath>` or push it with `skopeo copy oci-archive:<archivePath> docker://...`.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildRootlockImage } from '../../deploy/image/build.js';
import type { RootlockImage } from '../../deploy/image/build.js';
import { bufferFiles } from '../../src/image/archive.js';
import { readTar } from '../../src/image/tar.js';
import type { TarEntry } from '../../src/image/tar.js';

export type { RootlockImage } from '../../deploy/image/build.js';

let built: Promise<RootlockImage> | undefined;

/** The image of this checkout: { archivePath, digest, reference, layers }. */
export function rootlockImage(): Promise<RootlockImage> {
  built ??= buildRootlockImage();
  return built;
}

export interface ImageContents {
  manifest: { layers: { digest: string; size: number; mediaType: string }[] };
  config: { architecture: string; os: string; config: Record<string, unknown>; rootfs: { diff_ids: string[] } };
  /** Each layer's entries, bottom layer first, with the pax xattrs the reader does not keep. */
  layers: { digest: string; tar: Buffer; entries: TarEntry[] }[];
}

/** Reads an OCI archive of one image whole: its manifest, config and every layer's entries. */
export function imageContents(archivePath: string): ImageContents {
  const files = bufferFiles(readFileSync(archivePath), archivePath);
  const json = (path: string): unknown => JSON.parse(files.read(path).toString('utf8'));
  const blob = (digest: string): string => `blobs/sha256/${digest.slice('sha256:'.length)}`;
  const index = json('index.json') as { manifests: { digest: string }[] };
  const manifest = json(blob(index.manifests[0]!.digest)) as ImageContents['manifest'] & { config: { digest: string } };
  const config = json(blob(manifest.config.digest)) as ImageContents['config'];
  const layers = manifest.layers.map((layer) => {
    const tar = gunzipSync(files.read(blob(layer.digest)));
    return { digest: layer.digest, tar, entries: readTar(tar) };
  });
  return { manifest, config, layers };
}
