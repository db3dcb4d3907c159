// Builds real OCI image layouts with several layers for the sandbox and
// profile tests: files (with modes), directories and symlinks written by
// the product's tar writer, whiteouts as OCI writes them, and a config with
// the run fields.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeTar } from '../../src/image/tar-writer.js';

export type LayerEntry =
  | { path: string; type: 'file'; content: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'symlink'; target: string };

/** A layer in the product's deterministic tar format (every entry dated 2023-11-14, as image builders fix mtimes). */
export function tarLayer(entries: LayerEntry[]): Buffer {
  return writeTar(entries.map((entry) => (entry.type === 'file' ? { ...entry, content: Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content) } : entry)), { mtime: 1_700_000_000 });
}

function writeBlob(dir: string, bytes: Buffer): string {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const path = join(dir, 'blobs', 'sha256', hex);
  if (!existsSync(path)) writeFileSync(path, bytes);
  return `sha256:${hex}`;
}

export interface ImageConfigFields {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Volumes?: Record<string, object>;
}

/** Writes an OCI image layout at `dir` (bottom layer first); returns the layer digests. */
export function writeOciLayout(dir: string, layers: LayerEntry[][], config: ImageConfigFields, tag = 'latest'): string[] {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const tars = layers.map(tarLayer);
  const gzipped = tars.map((tar) => gzipSync(tar));
  const layerDigests = gzipped.map((bytes) => writeBlob(dir, bytes));
  const diffIds = tars.map((tar) => `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  const configBytes = Buffer.from(JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', config,
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const configDigest = writeBlob(dir, configBytes);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configBytes.length },
    layers: gzipped.map((bytes, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigests[i], size: bytes.length })),
  }));
  const manifestDigest = writeBlob(dir, manifest);
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return layerDigests;
}
