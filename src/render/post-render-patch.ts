// The changes no value reaches, as strategic merge patches (one YAML
// document per object) that Kustomize applies to the rendered chart in a Helm
// post-renderer. Lists of containers and volumes are merged by name and
// volume mounts by mount path, as Kubernetes' strategic merge does, so a
// patch names only the items it changes.
import { stringify } from 'yaml';
import { isObject } from '../core/path.js';
import type { JsonObject, ObjectReference, Path } from '../core/types.js';

const MERGE_KEYS: Record<string, string> = { containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', volumeMounts: 'mountPath', env: 'name', ports: 'containerPort' };

export interface PatchEdit {
  op: 'set' | 'append' | 'delete';
  path: Path;
  /** append: the item added. */
  value?: unknown;
}

/** Adds to `patch` what `planned` has at `path` (null for a deletion), keeping list items by their merge key. */
function addToPatch(patch: JsonObject, planned: unknown, edit: PatchEdit): void {
  let out: unknown = patch;
  let source: unknown = planned;
  const path = edit.path;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string | number;
    const last = i === path.length - 1;
    if (typeof segment === 'number') {
      // out is the list being built for the field before this index.
      const list = out as JsonObject[];
      const item = (source as unknown[])[segment];
      const field = MERGE_KEYS[String(path[i - 1])] ?? 'name';
      const key = isObject(item) ? item[field] : undefined;
      let entry = list.find((have) => have[field] === key);
      if (!entry) list.push((entry = { [field]: key }));
      if (last) Object.assign(entry, structuredClone(item));
      out = entry;
      source = item;
      continue;
    }
    const node = out as JsonObject;
    const value = isObject(source) ? source[segment] : undefined;
    if (last) {
      if (edit.op === 'delete') node[segment] = null;
      else if (edit.op === 'append' && MERGE_KEYS[segment] && isObject(edit.value)) {
        // A keyed list: the patch names the new item only; Kubernetes merges it into the list.
        const field = MERGE_KEYS[segment] as string;
        const list = (Array.isArray(node[segment]) ? node[segment] : (node[segment] = [])) as JsonObject[];
        if (!list.some((have) => have[field] === (edit.value as JsonObject)[field])) list.push(structuredClone(edit.value as JsonObject));
      } else node[segment] = structuredClone(value);
      return;
    }
    const next = path[i + 1];
    if (typeof next === 'number') {
      if (!Array.isArray(node[segment])) node[segment] = [];
    } else if (!isObject(node[segment])) node[segment] = {};
    out = node[segment];
    source = value;
  }
}

/** Orders edits by path so the patch reads the same whichever order the rules ran in. */
function byPath(a: PatchEdit, b: PatchEdit): number {
  for (let i = 0; i < Math.min(a.path.length, b.path.length); i++) {
    const x = a.path[i] as string | number;
    const y = b.path[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.path.length - b.path.length;
}

/** One strategic merge patch per object, carrying its planned values at the edits' paths. */
export function postRenderPatches(objects: ReadonlyArray<{ ref: ObjectReference; planned: JsonObject; edits: readonly PatchEdit[] }>): string {
  const documents: string[] = [];
  for (const { ref, planned, edits } of objects) {
    if (!edits.length) continue;
    const patch: JsonObject = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    for (const edit of [...edits].sort(byPath)) addToPatch(patch, planned, edit);
    documents.push(stringify(patch));
  }
  return documents.join('---\n');
}

