// Builds real OCI image layouts with several layers for the sandbox and
// profile tests: a ustar writer for files (with modes), directories and
// symlinks, whiteouts as OCI writes them, and a config with the run fields.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export type LayerEntry =
  | { path: string; type: 'file'; content: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'symlink'; target: string };

function header(name: string, typeFlag: string, size: number, mode: number, linkName = '', uid = 0, gid = 0): Buffer {
  const block = Buffer.alloc(512);
  const put = (offset: number, length: number, value: string): number => block.write(value, offset, length, 'utf8');
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 154);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  put(0, 100, name);
  put(100, 8, octal(mode, 8));
  put(108, 8, octal(uid, 8));
  put(116, 8, octal(gid, 8));
  put(124, 12, octal(size, 12));
  put(136, 12, octal(1_700_000_000, 12));
  put(148, 8, '        ');
  put(156, 1, typeFlag);
  put(157, 100, linkName);
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(345, 155, prefix);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  put(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

export function tarLayer(entries: LayerEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    if (entry.type === 'dir') blocks.push(header(`${entry.path}/`, '5', 0, entry.mode ?? 0o755));
    else if (entry.type === 'symlink') blocks.push(header(entry.path, '2', 0, 0o777, entry.target));
    else {
      const content = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content);
      blocks.push(header(entry.path, '0', content.length, entry.mode ?? 0o644, '', entry.uid, entry.gid), content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
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
