// Field-level comparison of rendered objects, for deciding whether a values
// override changed a chart's output exactly as the fix planned. Lists of named
// items (containers, volumes, env) and of mounts are compared by name or mount
// path, because Kubernetes treats them as maps: a chart that puts an extra
// volume first instead of last produces the same pod.
import { getAt, isObject } from '../core/path.js';
import type { Edit, JsonObject, Path } from '../core/types.js';
import { deepEqual } from '../fix/edit-semantics.js';

/** A segment of a normalized path: a map key, or `\u0001key` for an item of a keyed list. */
const ITEM = '\u0001';
const SEPARATOR = '\u0000';

function listKey(list: readonly unknown[]): 'mountPath' | 'name' | undefined {
  if (list.length === 0 || !list.every(isObject)) return undefined;
  for (const field of ['mountPath', 'name'] as const) {
    const keys = list.map((item) => (item as JsonObject)[field]);
    if (keys.every((key) => typeof key === 'string') && new Set(keys).size === keys.length) return field;
  }
  return undefined;
}

/** JSON with keys sorted and null fields left out: two renderings of one value give one text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== null).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Leaves of `value`, keyed by normalized path: scalars and lists that are not keyed. */
export function flattenObject(value: unknown): Map<string, string> {
  const leaves = new Map<string, string>();
  const walk = (node: unknown, prefix: string): void => {
    if (isObject(node)) {
      // A field set to null or to an empty mapping is a field not set: templates often render `key: null` or
      // `annotations: {}`, and kustomize drops them. (A volume with no source is an emptyDir to the API server.)
      const keys = Object.keys(node).filter((key) => node[key] !== null);
      for (const key of keys) walk(node[key], prefix === '' ? key : `${prefix}${SEPARATOR}${key}`);
      return;
    }
    if (Array.isArray(node)) {
      const field = listKey(node);
      if (field) {
        for (const item of node) walk(item, `${prefix}${SEPARATOR}${ITEM}${String((item as JsonObject)[field])}`);
        return;
      }
    }
    leaves.set(prefix, canonicalJson(node ?? null));
  };
  walk(value, '');
  return leaves;
}

/**
 * The normalized prefix an edit path names in `object`: numeric indices into keyed lists become item keys;
 * an index into a list that is not keyed ends the prefix there, because such a list is one leaf.
 */
export function normalizedPrefix(object: unknown, path: Path): string {
  const parts: string[] = [];
  let node: unknown = object;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node)) break;
      const field = listKey(node);
      if (!field) break;
      node = node[segment];
      if (!isObject(node)) break;
      parts.push(`${ITEM}${String(node[field])}`);
      continue;
    }
    if (Array.isArray(node)) break;
    parts.push(segment);
    node = isObject(node) ? node[segment] : undefined;
  }
  return parts.join(SEPARATOR);
}

/** Whether leaf `key` lies at or under normalized `prefix`. */
export function underPrefix(key: string, prefix: string): boolean {
  return prefix === '' || key === prefix || key.startsWith(prefix + SEPARATOR);
}

/** Normalized leaf paths whose values differ between two flattened objects. */
export function differingLeaves(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [key, value] of a) if (b.get(key) !== value) out.push(key);
  for (const key of b.keys()) if (!a.has(key)) out.push(key);
  return out;
}

/** A normalized path for messages: `spec.template.spec.containers[name=web].securityContext`. */
export function describeLeaf(key: string): string {
  return key
    .split(SEPARATOR)
    .map((part) => (part.startsWith(ITEM) ? `[${part.slice(1)}]` : part))
    .join('.')
    .replace(/\.\[/g, '[');
}

/**
 * The normalized prefix an edit changes in the planned object: for an append to a keyed list, the item it
 * adds (so two fixes that each add a volume are told apart); otherwise the edit's path.
 */
export function editPrefix(planned: unknown, edit: Edit): string {
  if (edit.op === 'append') {
    const list = getAt(planned, edit.path);
    const index = Array.isArray(list) ? list.findIndex((item) => deepEqual(item, edit.value)) : -1;
    if (index >= 0) return normalizedPrefix(planned, [...edit.path, index]);
  }
  return normalizedPrefix(planned, edit.path);
}
