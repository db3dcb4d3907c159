// Builds real OCI image layouts (image-spec v1.1 "OCI Image Layout") from
// scratch, so the end-to-end test pushes images whose every digest it computed
// itself: a gzip'd ustar layer, a config whose diff_ids match, a manifest, and
// for multi-platform tags an index of per-platform manifests.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Blob {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layer: Blob;
  platform: { os: string; architecture: string; variant?: string };
}

export interface BuiltIndex {
  index: Blob;
  images: BuiltImage[];
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** A POSIX ustar archive holding regular files (enough for an image layer). */
export function tarArchive(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const content = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(512);
    const put = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
    const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;
    put(0, 100, name);
    put(100, 8, octal(0o644, 8));
    put(108, 8, octal(0, 8));
    put(116, 8, octal(0, 8));
    put(124, 12, octal(content.length, 12));
    put(136, 12, octal(1_700_000_000, 12));
    put(148, 8, '        ');
    put(156, 1, '0');
    put(257, 6, 'ustar\0');
    put(263, 2, '00');
    let checksum = 0;
    for (const byte of header) checksum += byte;
    put(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export class OciLayout {
  private readonly refs: Array<{ descriptor: Record<string, unknown> }> = [];

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  private writeBlob(mediaType: string, bytes: Buffer): Blob {
    const digest = sha256(bytes);
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    return { digest, mediaType, bytes };
  }

  /** A single-layer image whose one file says `text`. */
  image(text: string, platform: BuiltImage['platform'] = { os: 'linux', architecture: 'amd64' }): BuiltImage {
    const tar = tarArchive({ 'hello.txt': `${text}\n` });
    const layer = this.writeBlob(OCI_LAYER_GZIP, gzipSync(tar));
    const config = this.writeBlob(
      OCI_CONFIG,
      json({
        created: '2026-01-01T00:00:00Z',
        ...platform,
        config: { Cmd: ['/hello.txt'] },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
        history: [{ created: '2026-01-01T00:00:00Z', created_by: 'rootlock test layout' }],
      }),
    );
    const manifest = this.writeBlob(
      OCI_MANIFEST,
      json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.bytes.length },
        layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.bytes.length }],
      }),
    );
    return { manifest, config, layer, platform };
  }

  /** An index over the given platform images. */
  index(images: BuiltImage[]): BuiltIndex {
    const index = this.writeBlob(
      OCI_INDEX,
      json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: images.map((image) => ({ mediaType: OCI_MANIFEST, digest: image.manifest.digest, size: image.manifest.bytes.length, platform: image.platform })),
      }),
    );
    return { index, images };
  }

  /** Names a manifest or index `tag` in the layout's index.json (what `oci:<dir>:<tag>` refers to). */
  tag(tag: string, blob: Blob): void {
    this.refs.push({ descriptor: { mediaType: blob.mediaType, digest: blob.digest, size: blob.bytes.length, annotations: { 'org.opencontainers.image.ref.name': tag } } });
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: this.refs.map((ref) => ref.descriptor) }));
  }
}
