// Groups live Pods under the workload that owns them, following
// ownerReferences through the objects that were listed: Pod -> ReplicaSet ->
// Deployment, Pod -> Job -> CronJob, Pod -> StatefulSet, DaemonSet or
// ReplicationController. A finding is then reported once on the top-level
// workload with a pod count instead of once per Pod. Pure: no I/O.
import { isObject } from '../core/path.js';
import type { JsonObject, ObjectReference } from '../core/types.js';

export interface WorkloadGroup {
  /** The object findings are reported on: a top-level controller, or a Pod that stands alone. */
  root: JsonObject;
  /** Pods the root controls, directly or through ReplicaSets and Jobs; empty for a Pod root. */
  pods: JsonObject[];
  /** The root's own controller when it was not listed or is not a workload kind rootlock knows. */
  owner?: ObjectReference;
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

function metadataOf(object: JsonObject): JsonObject {
  return isObject(object['metadata']) ? object['metadata'] : {};
}

function uidOf(object: JsonObject): string | undefined {
  const uid = metadataOf(object)['uid'];
  return typeof uid === 'string' ? uid : undefined;
}

function namespaceOf(object: JsonObject): string | undefined {
  const namespace = metadataOf(object)['namespace'];
  return typeof namespace === 'string' ? namespace : undefined;
}

/** The reference to the managing controller (controller: true), else the first owner. */
export function controllerReference(object: JsonObject): OwnerReference | undefined {
  const refs = metadataOf(object)['ownerReferences'];
  if (!Array.isArray(refs)) return undefined;
  const valid = refs.filter((ref): ref is JsonObject & OwnerReference =>
    isObject(ref) && typeof ref['kind'] === 'string' && typeof ref['name'] === 'string' && typeof ref['uid'] === 'string' && typeof ref['apiVersion'] === 'string');
  return valid.find((ref) => ref['controller'] === true) ?? valid[0];
}

function ownerObjectReference(ref: OwnerReference, namespace: string | undefined): ObjectReference {
  return { apiVersion: ref.apiVersion, kind: ref.kind, ...(namespace !== undefined ? { namespace } : {}), name: ref.name };
}

/**
 * Groups `pods` under the top-level controller among `controllers` that owns
 * them. Controllers owned by another listed controller (a Deployment's
 * ReplicaSets, a CronJob's Jobs) are not groups of their own; every other
 * controller is one, with or without Pods.
 */
export function groupByOwner(controllers: readonly JsonObject[], pods: readonly JsonObject[]): WorkloadGroup[] {
  const byUid = new Map<string, JsonObject>();
  for (const controller of controllers) {
    const uid = uidOf(controller);
    if (uid !== undefined) byUid.set(uid, controller);
  }
  /** The listed controller `object`'s owner reference points at, if any (owners live in the same namespace). */
  const listedOwner = (object: JsonObject): JsonObject | undefined => {
    const ref = controllerReference(object);
    if (!ref) return undefined;
    const owner = byUid.get(ref.uid);
    if (!owner || owner['kind'] !== ref.kind || namespaceOf(owner) !== namespaceOf(object)) return undefined;
    return owner;
  };
  const topOf = (object: JsonObject): JsonObject => {
    const seen = new Set<JsonObject>([object]);
    let current = object;
    for (let owner = listedOwner(current); owner && !seen.has(owner); owner = listedOwner(current)) {
      seen.add(owner);
      current = owner;
    }
    return current;
  };
  // A root's own owner, if it has one, is by construction not a group it could be reported under.
  const withOwner = (root: JsonObject, pods: JsonObject[]): WorkloadGroup => {
    const ref = controllerReference(root);
    return { root, pods, ...(ref ? { owner: ownerObjectReference(ref, namespaceOf(root)) } : {}) };
  };

  const groups = new Map<JsonObject, WorkloadGroup>();
  for (const controller of controllers) {
    const top = topOf(controller);
    if (top === controller) groups.set(controller, withOwner(controller, []));
  }
  const standalone: WorkloadGroup[] = [];
  for (const pod of pods) {
    const top = topOf(pod);
    const group = top === pod ? undefined : groups.get(top);
    if (group) group.pods.push(pod);
    else standalone.push(withOwner(pod, []));
  }
  return [...groups.values(), ...standalone];
}
