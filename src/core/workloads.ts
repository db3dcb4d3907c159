// Where each kind keeps its pod spec, and a uniform view of every container in it.
import { getAt, isObject } from './path.js';
import type { ContainerType, JsonObject, Path } from './types.js';

export interface PodSpecLocation {
  /** apiVersion group prefix to match, or undefined for any group. */
  group?: string;
  kind: string;
  path: Path;
}

const TEMPLATE_SPEC: Path = ['spec', 'template', 'spec'];

/** Built-in kinds and well-known custom resources that embed a pod template. */
export const BUILTIN_POD_SPEC_LOCATIONS: readonly PodSpecLocation[] = [
  { group: '', kind: 'Pod', path: ['spec'] },
  { group: 'apps', kind: 'Deployment', path: TEMPLATE_SPEC },
  { group: 'apps', kind: 'ReplicaSet', path: TEMPLATE_SPEC },
  { group: 'apps', kind: 'StatefulSet', path: TEMPLATE_SPEC },
  { group: 'apps', kind: 'DaemonSet', path: TEMPLATE_SPEC },
  { group: '', kind: 'ReplicationController', path: TEMPLATE_SPEC },
  { group: 'batch', kind: 'Job', path: TEMPLATE_SPEC },
  { group: 'batch', kind: 'CronJob', path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
  { group: '', kind: 'PodTemplate', path: ['template', 'spec'] },
  // Older API groups still found in real manifests.
  { group: 'extensions', kind: 'Deployment', path: TEMPLATE_SPEC },
  { group: 'extensions', kind: 'DaemonSet', path: TEMPLATE_SPEC },
  { group: 'extensions', kind: 'ReplicaSet', path: TEMPLATE_SPEC },
  { group: 'argoproj.io', kind: 'Rollout', path: TEMPLATE_SPEC },
  { group: 'apps.openshift.io', kind: 'DeploymentConfig', path: TEMPLATE_SPEC },
  { group: '', kind: 'DeploymentConfig', path: TEMPLATE_SPEC },
];

/** The apiVersion Kubernetes serves each built-in kind under today, for the message about a wrong one. */
const SERVED_API_VERSIONS: Readonly<Record<string, string>> = {
  Pod: 'v1',
  PodTemplate: 'v1',
  ReplicationController: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Namespace: 'v1',
  ServiceAccount: 'v1',
};

/**
 * Why the API server would reject an object of a built-in kind under this
 * apiVersion (`apiVersion: v1` with `kind: Deployment`), or undefined. Only
 * the API group is judged: old versions of the right group (apps/v1beta1,
 * extensions for Deployments) are still audited as what they are. A kind the
 * config maps to a pod spec under this group is the user's own.
 */
export function apiVersionProblem(object: JsonObject, locations: readonly PodSpecLocation[]): { message: string; served: string } | undefined {
  const kind = object['kind'];
  const apiVersion = object['apiVersion'];
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') return undefined;
  const served = SERVED_API_VERSIONS[kind];
  if (served === undefined) return undefined;
  const group = apiGroup(apiVersion);
  if (group === apiGroup(served) || locations.some((location) => location.kind === kind && (location.group === undefined || location.group === group))) return undefined;
  const name = getAt(object, ['metadata', 'name']);
  const named = typeof name === 'string' ? `${kind} "${name}"` : kind;
  return { message: `${named}: apiVersion ${apiVersion} has no kind ${kind}, so the API server rejects it; use apiVersion: ${served}`, served };
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function findPodSpecPath(object: JsonObject, locations: readonly PodSpecLocation[]): Path | undefined {
  const kind = object['kind'];
  const apiVersion = object['apiVersion'];
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') return undefined;
  const group = apiGroup(apiVersion);
  for (const location of locations) {
    if (location.kind !== kind) continue;
    if (location.group !== undefined && location.group !== group) continue;
    return location.path;
  }
  return undefined;
}

export interface ContainerView {
  name: string;
  type: ContainerType;
  /** Index in its own list (containers, initContainers or ephemeralContainers). */
  index: number;
  /** Path of the container object inside the Kubernetes object. */
  path: Path;
  spec: JsonObject;
  image: string | undefined;
  /** An init container with restartPolicy Always: a sidecar that runs beside the app. */
  restartableSidecar: boolean;
}

const CONTAINER_LISTS: ReadonlyArray<readonly [string, ContainerType]> = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];

export function listContainers(podSpec: JsonObject, podSpecPath: Path): ContainerView[] {
  const out: ContainerView[] = [];
  for (const [field, type] of CONTAINER_LISTS) {
    const list = podSpec[field];
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) {
      const spec: unknown = list[index];
      if (!isObject(spec)) continue;
      const name = typeof spec['name'] === 'string' ? spec['name'] : `#${index}`;
      const image = typeof spec['image'] === 'string' ? spec['image'] : undefined;
      out.push({
        name,
        type,
        index,
        path: [...podSpecPath, field, index],
        spec,
        image,
        restartableSidecar: type === 'initContainer' && spec['restartPolicy'] === 'Always',
      });
    }
  }
  return out;
}

export interface Workload {
  podSpec: JsonObject;
  podSpecPath: Path;
  /** Metadata of the pod template (or of the Pod itself). */
  podMetadata: JsonObject;
  containers: ContainerView[];
}

export function workloadOf(object: JsonObject, locations: readonly PodSpecLocation[]): Workload | undefined {
  const podSpecPath = findPodSpecPath(object, locations);
  if (!podSpecPath) return undefined;
  const podSpec = getAt(object, podSpecPath);
  if (!isObject(podSpec)) return undefined;
  const metadataPath = podSpecPath.length === 1 ? ['metadata'] : [...podSpecPath.slice(0, -1), 'metadata'];
  const podMetadata = getAt(object, metadataPath);
  return {
    podSpec,
    podSpecPath,
    podMetadata: isObject(podMetadata) ? podMetadata : {},
    containers: listContainers(podSpec, podSpecPath),
  };
}

/**
 * The objects of one YAML document with their paths inside it: the document
 * itself, or the items of a `kind: List` (or any `*List`), as kubectl reads them.
 */
export function documentObjects(document: unknown): Array<{ object: JsonObject; path: Path }> {
  if (!isObject(document)) return [];
  if (typeof document['kind'] === 'string' && /List$/.test(document['kind']) && Array.isArray(document['items'])) {
    return document['items'].flatMap((item: unknown, i: number) => (isObject(item) ? [{ object: item, path: ['items', i] as Path }] : []));
  }
  return [{ object: document, path: [] }];
}
