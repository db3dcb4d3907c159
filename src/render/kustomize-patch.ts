// One Kustomize patch per fixed object: a strategic merge patch when
// Kubernetes' merge rules express every edit (built-in workload kinds, whose
// lists of containers, volumes, mounts and env are merged by key), a JSON 6902
// patch otherwise (custom resources, whose lists a strategic merge replaces
// whole, or removing a list item by index).
import { stringify } from 'yaml';
import { isObject } from '../core/path.js';
import type { Edit, JsonObject, ObjectReference } from '../core/types.js';
import { toJsonPatch } from '../fix/json-patch.js';
import { postRenderPatches } from './post-render-patch.js';

/** Kinds whose Go types carry the merge keys below, so kustomize merges their lists instead of replacing them. */
const BUILTIN_WORKLOADS = new Set(['v1/Pod', 'v1/ReplicationController', 'apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'apps/v1/ReplicaSet', 'batch/v1/Job', 'batch/v1/CronJob']);
const KEYED_LISTS: Record<string, string> = { containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', volumeMounts: 'mountPath', env: 'name' };

export interface KustomizeTarget {
  group?: string;
  version: string;
  kind: string;
  name: string;
}

export interface KustomizePatch {
  type: 'strategic-merge' | 'json6902';
  target: KustomizeTarget;
  text: string;
}

/** The list at `path` in `object`, or undefined. */
function listAt(object: unknown, path: readonly (string | number)[]): unknown[] | undefined {
  let node = object;
  for (const segment of path) node = isObject(node) ? node[segment as string] : Array.isArray(node) ? node[segment as number] : undefined;
  return Array.isArray(node) ? node : undefined;
}

/**
 * Whether a strategic merge patch says exactly what `edits` do: every list
 * index goes through a keyed list whose item carries its key, and what is
 * appended is a keyed item or a scalar list the patch restates whole.
 */
export function strategicMergeExpresses(ref: ObjectReference, before: JsonObject, edits: readonly Edit[]): boolean {
  if (!BUILTIN_WORKLOADS.has(`${ref.apiVersion}/${ref.kind}`)) return false;
  for (const edit of edits) {
    const path = edit.path;
    for (let i = 0; i < path.length; i++) {
      if (typeof path[i] !== 'number') continue;
      const field = String(path[i - 1]);
      const key = KEYED_LISTS[field];
      // The last segment an index: setting or removing one item of a list, which a merge patch names by key only for whole items.
      if (!key || i === path.length - 1) return false;
      const item = listAt(before, path.slice(0, i))?.[path[i] as number];
      if (!isObject(item) || typeof item[key] !== 'string') return false;
    }
    const last = String(path[path.length - 1]);
    if (edit.op === 'append') {
      const keyed = KEYED_LISTS[last];
      if (keyed) {
        if (!isObject(edit.value) || typeof edit.value[keyed] !== 'string') return false;
      } else if (isObject(edit.value) || Array.isArray(edit.value)) return false;
    }
    if (edit.op === 'delete' && KEYED_LISTS[last]) return false;
  }
  return true;
}

/** `apps/v1` -> group apps, version v1; `v1` -> the core group. */
function targetOf(ref: ObjectReference, name: string): KustomizeTarget {
  const slash = ref.apiVersion.indexOf('/');
  return slash < 0 ? { version: ref.apiVersion, kind: ref.kind, name } : { group: ref.apiVersion.slice(0, slash), version: ref.apiVersion.slice(slash + 1), kind: ref.kind, name };
}

/**
 * The patch that turns `before` into `planned` through `edits`. `targetName` is the object's name as the
 * overlay's patches see it: before the overlay's own namePrefix and nameSuffix, which kustomize applies after them.
 */
export function kustomizePatch(ref: ObjectReference, targetName: string, before: JsonObject, planned: JsonObject, edits: readonly Edit[]): KustomizePatch {
  const target = targetOf(ref, targetName);
  if (strategicMergeExpresses(ref, before, edits)) {
    // The patch names the object by its target; kustomize gives it the matched object's name and namespace.
    const text = postRenderPatches([{ ref: { apiVersion: ref.apiVersion, kind: ref.kind, name: targetName }, planned, edits }]);
    return { type: 'strategic-merge', target, text };
  }
  return { type: 'json6902', target, text: stringify(toJsonPatch(before, edits)) };
}
