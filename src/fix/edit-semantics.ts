// What an Edit means, on plain JSON values. This is the reference both
// renderings are held to: the YAML writer (yaml-edits.ts) must produce text
// that parses to exactly this value, and the JSONPatch renderer
// (json-patch.ts) must produce operations that turn the object into it.
//
// Edits apply in order, each to the result of the ones before (as JSONPatch
// operations do). Every op is idempotent, so fixing a fixed file or mutating
// an already mutated object changes nothing:
// - set: a parent that is missing or null becomes a mapping; setting a value
//   equal to the current one is no change.
// - append: adds the value to the list unless an equal item is already in it
//   (Kubernetes lists are sets or maps keyed by name, so a duplicate is never
//   wanted); a missing or null list is created. Rules that add a named item
//   (a volume, a mount) still check for an item of that name with different
//   content themselves: this only removes exact repeats.
// - delete: deleting what is not there is no change.
// A path that runs into a value of the wrong type (a string where a mapping
// should be, an index past the end of a list) is an EditError: a fix must not
// guess, and both renderings refuse the same edits.
import { formatPath, isObject } from '../core/path.js';
import type { Edit, Path, PathSegment } from '../core/types.js';

export class EditError extends Error {
  constructor(message: string, readonly edit: Edit) {
    super(`${edit.op} ${formatPath(edit.path) || '(document root)'}: ${message}`);
    this.name = 'EditError';
  }
}

/** Structural equality of JSON values; key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** True for values an edit may carry: JSON data without undefined, functions or non-finite numbers. */
export function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (isObject(value)) return Object.values(value).every(isJsonValue);
  return false;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return String(value);
}

function segmentName(segment: PathSegment): string {
  return typeof segment === 'number' ? `[${segment}]` : JSON.stringify(segment);
}

/** A copy of `container` with `segment` replaced by `value` (containers are never mutated). */
function withChild(container: unknown, segment: PathSegment, value: unknown): unknown {
  if (typeof segment === 'number') {
    const copy = [...(container as unknown[])];
    copy[segment] = value;
    return copy;
  }
  return { ...(container as Record<string, unknown>), [segment]: value };
}

/**
 * Rebuilds `node` with `update` applied at `path`, creating missing or null
 * mappings on the way. `update` receives the current value (undefined when
 * absent) and returns the new one, or `unchanged`.
 */
const unchanged = Symbol('unchanged');
type Update = (current: unknown) => unknown;

function updateAt(node: unknown, path: Path, depth: number, edit: Edit, update: Update): unknown {
  if (depth === path.length) return update(node);
  const segment = path[depth] as PathSegment;
  if (typeof segment === 'number') {
    if (!Array.isArray(node)) throw new EditError(`expected a list before ${segmentName(segment)}, found ${node === undefined ? 'nothing' : describe(node)}`, edit);
    if (!Number.isInteger(segment) || segment < 0 || segment >= node.length) throw new EditError(`index ${segment} is outside the list (length ${node.length})`, edit);
    const next = updateAt(node[segment], path, depth + 1, edit, update);
    return next === unchanged ? unchanged : withChild(node, segment, next);
  }
  const container = node === undefined || node === null ? {} : node;
  if (!isObject(container)) throw new EditError(`expected a mapping before ${segmentName(segment)}, found ${describe(node)}`, edit);
  const current = Object.prototype.hasOwnProperty.call(container, segment) ? container[segment] : undefined;
  const next = updateAt(current, path, depth + 1, edit, update);
  return next === unchanged ? unchanged : withChild(container, segment, next);
}

/** Applies one edit; returns the new value, or `root` itself when nothing changes. */
export function applyEdit(root: unknown, edit: Edit): unknown {
  if (edit.op !== 'delete' && !isJsonValue(edit.value)) throw new EditError('the value is not plain JSON data', edit);
  let result: unknown;
  switch (edit.op) {
    case 'set':
      result = updateAt(root, edit.path, 0, edit, (current) => (deepEqual(current, edit.value) ? unchanged : edit.value));
      break;
    case 'append':
      result = updateAt(root, edit.path, 0, edit, (current) => {
        if (current === undefined || current === null) return [edit.value];
        if (!Array.isArray(current)) throw new EditError(`expected a list, found ${describe(current)}`, edit);
        return current.some((item) => deepEqual(item, edit.value)) ? unchanged : [...current, edit.value];
      });
      break;
    case 'delete': {
      if (edit.path.length === 0) throw new EditError('cannot delete the document itself', edit);
      if (!exists(root, edit.path)) return root;
      const parentPath = edit.path.slice(0, -1);
      const last = edit.path[edit.path.length - 1] as PathSegment;
      result = updateAt(root, parentPath, 0, edit, (parent) => {
        if (typeof last === 'number') return (parent as unknown[]).filter((_, i) => i !== last);
        const copy = { ...(parent as Record<string, unknown>) };
        delete copy[last];
        return copy;
      });
      break;
    }
  }
  return result === unchanged ? root : result;
}

/** Applies edits in order. `changed` is false when every edit was already satisfied. */
export function applyEdits(root: unknown, edits: readonly Edit[]): { value: unknown; changed: boolean } {
  let value = root;
  for (const edit of edits) value = applyEdit(value, edit);
  return { value, changed: !deepEqual(value, root) };
}

/** True when `path` names an existing member (a key present, even with a null value, or an index in range). */
export function exists(root: unknown, path: Path): boolean {
  let node = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment < 0 || segment >= node.length) return false;
      node = node[segment];
    } else {
      if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return false;
      node = node[segment];
    }
  }
  return true;
}

/** Removes exact repeats (same op, path and value), keeping the first; the order of the rest is kept. */
export function dedupeEdits(edits: readonly Edit[]): Edit[] {
  const out: Edit[] = [];
  for (const edit of edits) {
    const repeat = out.some((seen) => seen.op === edit.op && deepEqual(seen.path, edit.path) && deepEqual('value' in seen ? seen.value : undefined, 'value' in edit ? edit.value : undefined));
    if (!repeat) out.push(edit);
  }
  return out;
}
