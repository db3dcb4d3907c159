// Turns command-line arguments (files, directories, globs, `-`) into texts to
// parse, one at a time so memory stays flat however many files there are.
// Every problem becomes an InputError with the file name, never an exception.
import { readFile, stat, readdir } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import type { InputError, Notice } from '../core/types.js';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** Larger files are refused with a clear error instead of exhausting memory. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface SourceText {
  file: string;
  text: string;
}

export type SourceItem = { kind: 'text'; source: SourceText } | { kind: 'error'; error: InputError } | { kind: 'notice'; notice: Notice };

const GLOB_CHARS = /[*?[\]{}]/;

function isManifest(name: string): boolean {
  return MANIFEST_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && isManifest(entry.name)) yield full;
  }
}

function displayName(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}

/** Position of the first byte that is not valid UTF-8, as line and column. */
function invalidUtf8Position(bytes: Buffer): { line: number; column: number } | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest prefix that fails to decode.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1));
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  if (lo >= bytes.length) return undefined;
  // A truncated multi-byte sequence at the end of a prefix also fails; back up to the sequence start.
  let start = lo;
  while (start > 0 && ((bytes[start] as number) & 0xc0) === 0x80) start--;
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, start));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

export function decodeManifestBytes(file: string, bytes: Buffer): SourceItem {
  if (bytes.length === 0) return { kind: 'notice', notice: { file, code: 'empty-file', message: 'file is empty; nothing to audit' } };
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) {
    return { kind: 'error', error: { file, line: 1, column: 1, code: 'binary-file', message: 'file looks binary (it contains NUL bytes), not a YAML or JSON manifest; skipped' } };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = invalidUtf8Position(bytes);
    return { kind: 'error', error: { file, ...(at ?? {}), code: 'invalid-utf8', message: 'file is not valid UTF-8 (Kubernetes manifests must be UTF-8); skipped' } };
  }
  if (text.trim() === '') return { kind: 'notice', notice: { file, code: 'empty-file', message: 'file has no content; nothing to audit' } };
  return { kind: 'text', source: { file, text } };
}

async function readSource(path: string, name: string, maxBytes: number): Promise<SourceItem> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) {
      return { kind: 'error', error: { file: name, code: 'file-too-large', message: `file is ${(info.size / 1048576).toFixed(1)} MiB, over the ${(maxBytes / 1048576).toFixed(0)} MiB limit (--max-file-size); skipped` } };
    }
    return decodeManifestBytes(name, await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'error', error: { file: name, code: 'unreadable', message: `cannot read file${code ? ` (${code})` : ''}: ${(error as Error).message}` } };
  }
}

async function readStdin(stdin: NodeJS.ReadableStream, maxBytes: number): Promise<SourceItem> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes) {
      return { kind: 'error', error: { file: '-', code: 'file-too-large', message: `standard input is over the ${(maxBytes / 1048576).toFixed(0)} MiB limit (--max-file-size)` } };
    }
    chunks.push(buffer);
  }
  return decodeManifestBytes('-', Buffer.concat(chunks));
}

export interface SourceOptions {
  cwd: string;
  maxFileBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

/** Yields each input in a stable order: arguments as given, directory contents sorted. */
export async function* readSources(args: readonly string[], options: SourceOptions): AsyncGenerator<SourceItem> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  for (const arg of args) {
    if (arg === '-') {
      yield await readStdin(options.stdin ?? process.stdin, maxBytes);
      continue;
    }
    const full = isAbsolute(arg) ? arg : join(options.cwd, arg);
    let info;
    try {
      info = await stat(full);
    } catch {
      info = undefined;
    }
    if (info?.isDirectory()) {
      let any = false;
      for await (const file of walk(full)) {
        any = true;
        yield await readSource(file, displayName(file, options.cwd), maxBytes);
      }
      if (!any) yield { kind: 'notice', notice: { file: arg, code: 'no-manifests', message: `directory has no .yaml, .yml or .json files` } };
    } else if (info?.isFile()) {
      yield await readSource(full, arg, maxBytes);
    } else if (GLOB_CHARS.test(arg)) {
      const { glob } = await import('tinyglobby');
      const matches = (await glob(arg, { cwd: options.cwd, absolute: true, onlyFiles: true, dot: false })).sort();
      if (matches.length === 0) yield { kind: 'error', error: { file: arg, code: 'no-match', message: 'pattern matches no files' } };
      for (const file of matches) yield await readSource(file, displayName(file, options.cwd), maxBytes);
    } else {
      yield { kind: 'error', error: { file: arg, code: 'not-found', message: 'no such file or directory' } };
    }
  }
}
