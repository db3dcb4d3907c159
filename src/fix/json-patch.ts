// The JSONPatch rendering of edits (RFC 6902), for the mutating webhook:
// the admission object is JSON, so a fix becomes operations on it instead of
// a rewritten file. The operations have exactly the meaning of
// edit-semantics.ts: each edit is rendered against the object as the edits
// before it left it, and an edit that is already satisfied renders nothing.
import { isObject } from '../core/path.js';
import type { Edit, Path, PathSegment } from '../core/types.js';
import { applyEdit, deepEqual, EditError, exists, isJsonValue } from './edit-semantics.js';

export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` (annotation keys such as `container.apparmor.security.beta.kubernetes.io/app`). */
export function jsonPointer(path: Path): string {
  return path.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function childOf(node: unknown, segment: PathSegment): unknown {
  if (typeof segment === 'number') return Array.isArray(node) ? node[segment] : undefined;
  return isObject(node) && Object.prototype.hasOwnProperty.call(node, segment) ? node[segment] : undefined;
}

/**
 * Operations that create the mappings missing (or null) along `path`, up to
 * but not including its last segment, and the value found there.
 */
function ensureParents(root: unknown, path: Path, ops: JsonPatchOperation[]): void {
  let node = root;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const segment = path[depth] as PathSegment;
    const present = typeof segment === 'number' ? Array.isArray(node) && segment < node.length : exists(node, [segment]);
    const child = childOf(node, segment);
    if (typeof path[depth + 1] === 'string' && (child === undefined || child === null)) {
      const pointer = jsonPointer(path.slice(0, depth + 1));
      ops.push(present ? { op: 'replace', path: pointer, value: {} } : { op: 'add', path: pointer, value: {} });
      node = {};
    } else {
      node = child;
    }
  }
}

function renderEdit(root: unknown, edit: Edit, ops: JsonPatchOperation[]): void {
  const pointer = jsonPointer(edit.path);
  const present = exists(root, edit.path);
  const current = present ? edit.path.reduce<unknown>((node, segment) => childOf(node, segment), root) : undefined;
  switch (edit.op) {
    case 'set':
      if (present && deepEqual(current, edit.value)) return;
      if (edit.path.length === 0) {
        ops.push({ op: 'replace', path: '', value: edit.value });
        return;
      }
      ensureParents(root, edit.path, ops);
      ops.push(present ? { op: 'replace', path: pointer, value: edit.value } : { op: 'add', path: pointer, value: edit.value });
      return;
    case 'append':
      if (Array.isArray(current)) {
        if (!current.some((item) => deepEqual(item, edit.value))) ops.push({ op: 'add', path: `${pointer}/-`, value: edit.value });
        return;
      }
      ensureParents(root, edit.path, ops);
      ops.push(present ? { op: 'replace', path: pointer, value: [edit.value] } : { op: 'add', path: pointer, value: [edit.value] });
      return;
    case 'delete':
      if (present) ops.push({ op: 'remove', path: pointer });
      return;
  }
}

/**
 * Renders edits as JSONPatch operations against `object`. Throws EditError
 * for an edit that edit-semantics.ts refuses (the webhook then admits the
 * object unmutated and reports why).
 */
export function toJsonPatch(object: unknown, edits: readonly Edit[]): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  let state = object;
  for (const edit of edits) {
    if (edit.op !== 'delete' && !isJsonValue(edit.value)) throw new EditError('the value is not plain JSON data', edit);
    // The reference semantics validate the edit (and throw) before anything is rendered.
    const next = applyEdit(state, edit);
    if (next !== state) renderEdit(state, edit, ops);
    state = next;
  }
  return ops;
}
