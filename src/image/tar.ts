// A small tar reader for image layers and image archives: ustar, GNU long
// names (L/K) and pax extended headers (path, linkpath, size). Layers are
// read whole (once, then unpacked into the cache); image archives, which can
// be gigabytes, are walked by offset (walkTar) and read one file at a time.

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** Path inside the archive without a leading ./ or /, never with a trailing slash. */
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** For symlinks and hard links. */
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  data: Buffer;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

function text(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

function octal(block: Buffer, offset: number, length: number): number {
  // GNU base-256 for large values: the first byte has its high bit set.
  if ((block[offset]! & 0x80) !== 0) {
    let value = 0;
    for (let i = offset + 1; i < offset + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const digits = text(block, offset, length).trim();
  return digits ? parseInt(digits, 8) : 0;
}

function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) break;
    const length = Number(data.toString('ascii', position, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, position + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}

export function normalizeTarPath(path: string): string {
  return path.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** An entry's header, and where its data lies in the archive (the data itself is read only on demand). */
export interface TarHeader extends Omit<TarEntry, 'data'> {
  dataOffset: number;
  size: number;
}

/**
 * Walks an uncompressed tar archive of `length` bytes through `readAt`
 * (offset, length -> bytes), reading headers and the small pax and GNU
 * long-name records only: a reader of a large archive file never holds it
 * whole. Throws on a malformed header.
 */
export function* walkTar(readAt: (offset: number, length: number) => Buffer, length: number): Generator<TarHeader> {
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let globalPax = new Map<string, string>();
  while (offset + 512 <= length) {
    const header = readAt(offset, 512);
    if (header.every((byte) => byte === 0)) break;
    let checksum = 0;
    for (let i = 0; i < 512; i++) checksum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    if (checksum !== octal(header, 148, 8)) throw new Error(`tar: bad header checksum at offset ${offset}`);
    const typeFlag = String.fromCharCode(header[156]!);
    const size = Number(pax.get('size') ?? globalPax.get('size') ?? octal(header, 124, 12));
    const dataStart = offset + 512;
    if (dataStart + size > length) throw new Error(`tar: entry at offset ${offset} runs past the end of the archive`);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (typeFlag === 'L') { const data = readAt(dataStart, size); longName = text(data, 0, data.length); continue; }
    if (typeFlag === 'K') { const data = readAt(dataStart, size); longLink = text(data, 0, data.length); continue; }
    if (typeFlag === 'x') { pax = parsePax(readAt(dataStart, size)); continue; }
    if (typeFlag === 'g') { globalPax = parsePax(readAt(dataStart, size)); continue; }
    const type = TYPES[typeFlag];
    if (type) {
      const prefix = header.toString('ascii', 257, 263) === 'ustar\0' || header.toString('ascii', 257, 262) === 'ustar' ? text(header, 345, 155) : '';
      const name = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      const entry: TarHeader = {
        path: normalizeTarPath(name), type,
        mode: octal(header, 100, 8) & 0o7777, uid: octal(header, 108, 8), gid: octal(header, 116, 8), dataOffset: dataStart, size,
      };
      if (type === 'symlink' || type === 'hardlink') entry.linkTarget = pax.get('linkpath') ?? longLink ?? text(header, 157, 100);
      if (type === 'char' || type === 'block') { entry.devMajor = octal(header, 329, 8); entry.devMinor = octal(header, 337, 8); }
      yield entry;
    }
    longName = undefined;
    longLink = undefined;
    pax = new Map();
  }
}

/** Every entry of an uncompressed tar archive held in memory; throws on a malformed header. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  for (const { dataOffset, size, ...header } of walkTar((offset, length) => archive.subarray(offset, offset + length), archive.length)) {
    entries.push({ ...header, data: archive.subarray(dataOffset, dataOffset + size) });
  }
  return entries;
}
