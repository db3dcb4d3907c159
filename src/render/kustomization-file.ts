// The overlay's kustomization file: found, parsed (a typo is reported with
// file:line:col before kustomize runs) and given new `patches:` entries through
// the yaml Document API, so its comments, key order and quoting stay as the
// user wrote them.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, YAMLSeq } from 'yaml';
import type { Document } from 'yaml';
import type { KustomizeTarget } from './kustomize-patch.js';

/** The names kustomize looks for, in its order. */
const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A kustomization that cannot be used, with where it went wrong. */
export class KustomizationError extends Error {}

export interface KustomizationFile {
  /** Path of the file. */
  path: string;
  text: string;
  document: Document;
  namePrefix: string;
  nameSuffix: string;
  /** Paths already listed under `patches:`. */
  patchPaths: Set<string>;
}

export function findKustomization(dir: string, shown = dir): string {
  for (const name of KUSTOMIZATION_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new KustomizationError(`${shown}: no kustomization.yaml, kustomization.yml or Kustomization in this directory`);
}

/** The kustomization in `dir`; errors name it under `shown`, the directory as the user gave it. */
export function readKustomization(dir: string, shown = dir): KustomizationFile {
  const path = findKustomization(dir, shown);
  const text = readFileSync(path, 'utf8');
  const where = join(shown, basename(path));
  // The yaml library gives an error's offset (pos); the line counter turns it into line and column.
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  const error = document.errors[0];
  if (error) {
    const at = lines.linePos(error.pos[0]);
    throw new KustomizationError(`${where}:${at.line}:${at.col}: ${error.message.split('\n')[0]}`);
  }
  if (document.contents !== null && !isMap(document.contents)) throw new KustomizationError(`${where}:1:1: a kustomization is a mapping of fields`);
  const stringField = (key: string): string => {
    const value = document.get(key);
    return typeof value === 'string' ? value : '';
  };
  const patchPaths = new Set<string>();
  const patches = document.get('patches', true);
  if (patches !== undefined && patches !== null && !isSeq(patches) && !(isScalar(patches) && patches.value === null)) {
    const at = lines.linePos((patches as { range?: [number, number, number] }).range?.[0] ?? 0);
    throw new KustomizationError(`${where}:${at.line}:${at.col}: patches: is not a list`);
  }
  if (isSeq(patches)) {
    for (const item of patches.items) {
      if (!isMap(item)) continue;
      const value = item.get('path');
      if (typeof value === 'string') patchPaths.add(value);
    }
  }
  return { path, text, document, namePrefix: stringField('namePrefix'), nameSuffix: stringField('nameSuffix'), patchPaths };
}

/** Whether the file writes its block lists flush with their key (`patches:\n- path:`), which new entries then follow. */
function flushSequences(text: string): boolean {
  return !/^[A-Za-z][\w-]*:[ \t]*\n[ \t]+- /m.test(text);
}

/** The entries as block list items at `indent` columns, in the file's list style. */
function entriesText(entries: ReadonlyArray<{ path: string; target: KustomizeTarget }>, indent: number, indentSeq: boolean): string {
  const text = stringify(entries.map((entry) => ({ path: entry.path, target: entry.target })), { indentSeq, lineWidth: 0 });
  const pad = ' '.repeat(indent);
  return text.split('\n').map((line) => (line === '' ? line : pad + line)).join('\n');
}

/** Whether `text` parses to the kustomization with exactly `fresh` added to its patches (the text insertion's own check). */
function lists(text: string, file: KustomizationFile, fresh: ReadonlyArray<{ path: string }>): boolean {
  const document = parseDocument(text);
  if (document.errors.length) return false;
  const want = { ...(file.document.toJS() as Record<string, unknown>) };
  const had = Array.isArray(want['patches']) ? (want['patches'] as unknown[]) : [];
  const got = document.toJS() as Record<string, unknown>;
  const patches = Array.isArray(got['patches']) ? (got['patches'] as Array<Record<string, unknown>>) : [];
  if (patches.length !== had.length + fresh.length) return false;
  if (patches.slice(had.length).some((patch, i) => patch['path'] !== fresh[i]?.path)) return false;
  delete want['patches'];
  delete got['patches'];
  return JSON.stringify(want) === JSON.stringify(got);
}

/**
 * The kustomization's text with `entries` added to `patches:` (created at the end when missing). The new
 * items are inserted as text after the last one, so no other byte of the file changes; a `patches:` written
 * as a flow list goes through the Document API instead, which keeps comments but may respace the file.
 */
export function withPatches(file: KustomizationFile, entries: ReadonlyArray<{ path: string; target: KustomizeTarget }>): string {
  const fresh = entries.filter((entry) => !file.patchPaths.has(entry.path));
  if (fresh.length === 0) return file.text;
  const indentSeq = !flushSequences(file.text);
  const patches = file.document.get('patches', true);
  const text = file.text;
  if (patches === undefined || patches === null || (isScalar(patches) && patches.value === null)) {
    if (!file.document.has('patches')) {
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      // A top-level list is never indented by the writer, so the file's indented style is applied here.
      const out = `${text}${sep}patches:\n${entriesText(fresh, indentSeq ? 2 : 0, indentSeq)}`;
      if (lists(out, file, fresh)) return out;
    }
  }
  if (isSeq(patches) && !patches.flow && patches.items.length > 0 && patches.range) {
    const first = patches.items[0] as { range?: [number, number, number] };
    const last = patches.items[patches.items.length - 1] as { range?: [number, number, number] };
    if (first.range && last.range) {
      const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
      // The column of the first item's dash: the item starts after "- ".
      const dash = text.lastIndexOf('-', first.range[0] - 1);
      const column = dash - lineStart;
      let end = last.range[1];
      while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
      const lineEnd = text.indexOf('\n', end);
      const at = lineEnd < 0 ? text.length : lineEnd + 1;
      const before = text.slice(0, at) + (lineEnd < 0 ? '\n' : '');
      const out = `${before}${entriesText(fresh, column, indentSeq)}${text.slice(at)}`;
      if (lists(out, file, fresh)) return out;
    }
  }
  const document = file.document.clone();
  let seq = document.get('patches');
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    document.set('patches', seq);
  }
  for (const entry of fresh) (seq as YAMLSeq).items.push(document.createNode({ path: entry.path, target: entry.target }));
  return document.toString({ indentSeq, lineWidth: 0 });
}
