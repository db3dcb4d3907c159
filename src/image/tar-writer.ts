// A deterministic tar writer for image layers and OCI archives: ustar headers
// with every field fixed by the caller (mtime, owner, mode), pax extended
// headers only where ustar cannot say it (a long path or link target, and
// extended attributes as `SCHILY.xattr.<name>` records, the form containerd,
// CRI-O and GNU tar apply on unpack). The same entries give the same bytes,
// so a layer's digest depends on its content only. tar.ts reads what this writes.

export type TarWriteEntry =
  | { path: string; type: 'file'; content: Buffer; mode?: number; uid?: number; gid?: number; xattrs?: Record<string, Buffer> }
  | { path: string; type: 'dir'; mode?: number; uid?: number; gid?: number }
  | { path: string; type: 'symlink'; target: string; uid?: number; gid?: number };

export interface TarWriteOptions {
  /** Seconds since the epoch, written as every entry's mtime. */
  mtime: number;
}

const BLOCK = 512;

function octal(value: number, length: number): string {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`tar: ${value} does not fit a ${length}-byte field`);
  return `${digits.padStart(length - 1, '0')}\0`;
}

/** ustar splits a path of up to 255 bytes into prefix (155) and name (100) at a slash; undefined when it cannot. */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  return undefined;
}

function header(fields: { name: string; prefix: string; mode: number; uid: number; gid: number; size: number; mtime: number; typeFlag: string; linkName: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (offset: number, length: number, value: string): void => {
    if (Buffer.byteLength(value) > length) throw new Error(`tar: "${value}" does not fit a ${length}-byte field`);
    block.write(value, offset, length, 'utf8');
  };
  put(0, 100, fields.name);
  put(100, 8, octal(fields.mode, 8));
  put(108, 8, octal(fields.uid, 8));
  put(116, 8, octal(fields.gid, 8));
  put(124, 12, octal(fields.size, 12));
  put(136, 12, octal(fields.mtime, 12));
  put(148, 8, '        ');
  put(156, 1, fields.typeFlag);
  put(157, 100, fields.linkName);
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(345, 155, fields.prefix);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  put(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** One pax record, `<length> <key>=<value>\n`, where the length counts its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

function asciiTail(text: string, length: number): string {
  return text.replace(/[^\x20-\x7e]/g, '_').slice(-length);
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The archive's pieces, in order (header, data, padding, ..., end of archive); concatenate or hash them as they are. */
export function tarChunks(entries: readonly TarWriteEntry[], options: TarWriteOptions): Buffer[] {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const path = entry.type === 'dir' ? `${entry.path.replace(/\/+$/, '')}/` : entry.path;
    const linkName = entry.type === 'symlink' ? entry.target : '';
    const pax: Buffer[] = [];
    let split = splitUstarPath(path);
    if (!split) {
      pax.push(paxRecord('path', Buffer.from(path)));
      // Readers without pax support see the path's tail, in plain ASCII so it fits the field.
      split = { prefix: '', name: asciiTail(path, 100) };
    }
    if (Buffer.byteLength(linkName) > 100) pax.push(paxRecord('linkpath', Buffer.from(linkName)));
    if (entry.type === 'file') {
      for (const name of Object.keys(entry.xattrs ?? {}).sort()) pax.push(paxRecord(`SCHILY.xattr.${name}`, entry.xattrs![name]!));
    }
    const common = { prefix: split.prefix, name: split.name, uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime: options.mtime };
    if (pax.length > 0) {
      const data = Buffer.concat(pax);
      chunks.push(header({ ...common, prefix: '', name: asciiTail(`PaxHeaders/${split.name}`, 100), mode: 0o644, size: data.length, typeFlag: 'x', linkName: '' }), data, padding(data.length));
    }
    const clippedLink = Buffer.byteLength(linkName) > 100 ? '' : linkName;
    if (entry.type === 'file') {
      chunks.push(header({ ...common, mode: entry.mode ?? 0o644, size: entry.content.length, typeFlag: '0', linkName: '' }), entry.content, padding(entry.content.length));
    } else if (entry.type === 'dir') {
      chunks.push(header({ ...common, mode: entry.mode ?? 0o755, size: 0, typeFlag: '5', linkName: '' }));
    } else {
      chunks.push(header({ ...common, mode: 0o777, size: 0, typeFlag: '2', linkName: clippedLink }));
    }
  }
  chunks.push(Buffer.alloc(2 * BLOCK));
  return chunks;
}

/** The whole archive in one buffer. */
export function writeTar(entries: readonly TarWriteEntry[], options: TarWriteOptions): Buffer {
  return Buffer.concat(tarChunks(entries, options));
}
