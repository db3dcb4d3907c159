// The values override file `rootlock fix --helm` writes: the values it found,
// each key with a comment naming the findings it fixes. An existing file is
// edited in place through the comment-preserving yaml Document, so keys and
// comments the user added stay, and a key that already has the value is not
// touched: running fix again changes nothing.
import { isMap, isScalar, parseDocument, Document } from 'yaml';
import type { Pair, YAMLMap } from 'yaml';
import { isObject } from '../core/path.js';
import type { JsonObject } from '../core/types.js';
import { deepEqual } from '../fix/edit-semantics.js';
import { lineColumn, ValuesFileError } from './helm-chart.js';

export interface OverrideEntry {
  path: string[];
  value: unknown;
  /** One line per finding it fixes. */
  comments: string[];
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

function pairAt(document: Document, path: readonly string[]): Pair | undefined {
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  return (parent as YAMLMap).items.find((pair) => keyOf(pair) === path[path.length - 1]);
}

/** Sets `path` to `value`, replacing a scalar (often `null` or `~`) that stands where a mapping must go. */
function setThrough(document: Document, path: readonly string[], value: unknown): void {
  for (let depth = 1; depth < path.length; depth++) {
    const node = document.getIn(path.slice(0, depth), true);
    if (node === undefined) break;
    if (!isMap(node)) {
      const subtree: JsonObject = {};
      let cursor = subtree;
      for (const segment of path.slice(depth, -1)) cursor = cursor[segment] = {};
      cursor[path[path.length - 1] as string] = value;
      document.setIn(path.slice(0, depth), document.createNode(subtree));
      return;
    }
  }
  document.setIn(path, document.createNode(value));
}

/**
 * The new text of the override file: `existing` (its text, or undefined when there is none) with every
 * entry set. Throws ValuesFileError when the existing file does not parse.
 */
export function renderOverrideFile(existing: string | undefined, file: string, entries: readonly OverrideEntry[], header: string): string {
  const document = existing !== undefined && existing.trim() !== '' ? parseDocument(existing) : new Document({});
  const error = document.errors[0];
  if (error) {
    const at = lineColumn(existing ?? '', error.pos[0]);
    throw new ValuesFileError(file, `not valid YAML: ${error.message.split('\n')[0] ?? error.message}`, at.line, at.column);
  }
  if (!isMap(document.contents)) {
    if (document.contents !== null && !(isScalar(document.contents) && document.contents.value === null)) throw new ValuesFileError(file, 'a values file must be a mapping of keys to values', 1, 1);
    document.contents = document.createNode({}) as YAMLMap;
  }
  if (existing === undefined || existing.trim() === '') document.commentBefore = header;
  let changed = false;
  for (const entry of entries) {
    const current: unknown = document.getIn(entry.path);
    const currentValue = isObject(current) || Array.isArray(current) ? (document.getIn(entry.path, true) as { toJSON(): unknown }).toJSON() : current;
    if (currentValue !== undefined && deepEqual(currentValue, entry.value) && pairAt(document, entry.path)) continue;
    setThrough(document, entry.path, entry.value);
    changed = true;
    const pair = pairAt(document, entry.path);
    if (!pair) continue;
    if (!isScalar(pair.key)) pair.key = document.createNode(pair.key);
    const comment = entry.comments.map((line) => ` ${line}`).join('\n');
    const key = pair.key as { commentBefore?: string | null };
    const before = key.commentBefore ?? '';
    if (!before.includes(comment.trim())) key.commentBefore = before ? `${before}\n${comment}` : comment;
  }
  // Nothing new: the file is returned as it was, byte for byte.
  if (!changed && existing !== undefined) return existing;
  return document.toString();
}
