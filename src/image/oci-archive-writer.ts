// Writes an OCI archive (image-spec v1.1 "OCI Image Layout" in a tar, what
// `skopeo copy oci-archive:...`, `ctr images import` and archive.ts read) of
// one image: each layer gzip-compressed, a config whose diff_ids match, a
// manifest, and index.json naming it by tag (org.opencontainers.image.ref.name)
// and by full reference (io.containerd.image.name, which `ctr images import`
// takes as the image's name). Every byte follows from the inputs: no clock,
// no randomness, entries in sorted order.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarChunks } from './tar-writer.js';
import type { TarWriteEntry } from './tar-writer.js';

export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface OciImageInput {
  /** Layers bottom first, each as its tar entries (in the order they are written). */
  layers: Array<{ entries: readonly TarWriteEntry[]; createdBy: string }>;
  /** The image config's `config` object (User, Env, Entrypoint, Cmd, WorkingDir, Labels). */
  runConfig: Record<string, unknown>;
  /** amd64, arm64, ... (GOARCH names). */
  architecture: string;
  /** Seconds since the epoch: every mtime in the layers and the config's `created`. */
  epoch: number;
  /** The full reference (registry/repository:tag) the image is known by. */
  reference: string;
}

export interface OciLayerInfo {
  digest: string;
  diffId: string;
  /** Compressed (what a registry stores and a node pulls). */
  size: number;
  /** The layer's tar, uncompressed. */
  uncompressedSize: number;
}

export interface BuiltOciArchive {
  /** The manifest's digest: what a registry reports for the pushed tag, and what `--image ...@<digest>` pins. */
  digest: string;
  configDigest: string;
  layers: OciLayerInfo[];
  /** The archive's pieces: write them in order. */
  chunks: Buffer[];
  size: number;
}

function sha256(pieces: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const piece of pieces) hash.update(piece);
  return `sha256:${hash.digest('hex')}`;
}

function tagOf(reference: string): string {
  const name = reference.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : 'latest';
}

/** Builds the archive in memory (the layers compressed once); the caller writes `chunks`. */
export function buildOciArchive(input: OciImageInput): BuiltOciArchive {
  const created = new Date(input.epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const blobs = new Map<string, Buffer>();
  const addBlob = (bytes: Buffer): string => {
    const digest = sha256([bytes]);
    blobs.set(digest, bytes);
    return digest;
  };
  const layers: OciLayerInfo[] = input.layers.map((layer) => {
    const tar = tarChunks(layer.entries, { mtime: input.epoch });
    const uncompressed = Buffer.concat(tar);
    // Node's gzip header has no name and no mtime, so equal tars give equal blobs.
    const compressed = gzipSync(uncompressed, { level: 6 });
    return { digest: addBlob(compressed), diffId: sha256([uncompressed]), size: compressed.length, uncompressedSize: uncompressed.length };
  });
  const config = Buffer.from(JSON.stringify({
    created,
    architecture: input.architecture,
    os: 'linux',
    config: input.runConfig,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: input.layers.map((layer) => ({ created, created_by: layer.createdBy })),
  }));
  const configDigest = addBlob(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: { mediaType: OCI_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP_MEDIA_TYPE, digest: l.digest, size: l.size })),
  }));
  const digest = addBlob(manifest);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: [{
      mediaType: OCI_MANIFEST_MEDIA_TYPE, digest, size: manifest.length,
      annotations: { 'io.containerd.image.name': input.reference, 'org.opencontainers.image.ref.name': tagOf(input.reference) },
    }],
  }));
  const entries: TarWriteEntry[] = [
    { path: 'blobs', type: 'dir' },
    { path: 'blobs/sha256', type: 'dir' },
    ...[...blobs.keys()].sort().map((d): TarWriteEntry => ({ path: `blobs/sha256/${d.slice('sha256:'.length)}`, type: 'file', content: blobs.get(d)! })),
    { path: 'index.json', type: 'file', content: index },
    { path: 'oci-layout', type: 'file', content: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
  ];
  const chunks = tarChunks(entries, { mtime: input.epoch });
  return { digest, configDigest, layers, chunks, size: chunks.reduce((sum, c) => sum + c.length, 0) };
}
