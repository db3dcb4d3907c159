// The API resources a cluster audit reads, and how objects and lists are
// named: one table, so the lister, the reports, the RBAC role shipped in
// deploy/rbac/audit-clusterrole.yaml and its test cannot drift apart.
import { isObject } from '../core/path.js';
import type { JsonObject } from '../core/types.js';

export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Resource name in URLs and RBAC rules. */
  plural: string;
  namespaced: boolean;
}

export const NAMESPACES: ResourceType = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
export const SERVICE_ACCOUNTS: ResourceType = { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true };
export const PODS: ResourceType = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };

/** Controllers that own Pods, parents before children so a listing reads top-down. */
export const WORKLOAD_CONTROLLERS: readonly ResourceType[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', namespaced: true },
];

/**
 * Everything the audit reads. ServiceAccounts are read for one field,
 * automountServiceAccountToken, which decides whether a pod that sets none
 * gets an API token. ConfigMaps and Secrets are not read at all: Secret data
 * must never be fetched, and a ConfigMap's `immutable` field is not part of
 * its metadata, so a metadata-only list could not judge it either.
 */
export const AUDITED_RESOURCES: readonly ResourceType[] = [NAMESPACES, SERVICE_ACCOUNTS, PODS, ...WORKLOAD_CONTROLLERS];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps`, `pods`: how RBAC errors and kubectl name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** URL path prefix of an API group version: /api/v1 or /apis/apps/v1. */
function groupPath(type: ResourceType): string {
  return type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
}

/** REST path of a list: all namespaces when `namespace` is undefined. */
export function listPath(type: ResourceType, namespace?: string): string {
  const scope = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPath(type)}${scope}/${type.plural}`;
}

/** REST path of one object. */
export function objectPath(type: ResourceType, name: string, namespace?: string): string {
  return `${listPath(type, namespace)}/${encodeURIComponent(name)}`;
}

/**
 * How reports name a list that could not be read, in the style of an object
 * reference: `apps/v1/deployments` (all namespaces) or
 * `apps/v1/namespaces/shop/deployments`.
 */
export function listReference(type: ResourceType, namespace?: string): string {
  const scope = type.namespaced && namespace !== undefined ? `namespaces/${namespace}/` : '';
  return `${apiVersionOf(type)}/${scope}${type.plural}`;
}

const BY_KIND = new Map(AUDITED_RESOURCES.map((type) => [`${apiVersionOf(type)}/${type.kind}`, type]));

export function resourceTypeOf(apiVersion: string, kind: string): ResourceType | undefined {
  return BY_KIND.get(`${apiVersion}/${kind}`);
}

/**
 * The API reference that stands in for a file name in reports of live
 * objects: `apps/v1/namespaces/shop/deployments/web`, `v1/namespaces/shop`.
 * Kubernetes names contain no slash, so the reference is unambiguous.
 */
export function objectApiReference(object: JsonObject): string {
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
  const type = resourceTypeOf(apiVersion, kind);
  const plural = type?.plural ?? `${kind.toLowerCase()}s`;
  const scope = namespace !== undefined && (type?.namespaced ?? true) ? `namespaces/${namespace}/` : '';
  return `${apiVersion}/${scope}${plural}/${name}`;
}
