// Lists one resource type page by page (limit/continue), and turns every
// HTTP failure into an InputError that names the resource and, for 403, the
// RBAC permission that is missing. Never throws for an HTTP status; a request
// that gets no HTTP answer at all rejects, and the caller reports it.
import { isObject } from '../core/path.js';
import type { InputError, JsonObject } from '../core/types.js';
import type { ApiResponse, ClusterConnection } from './connection.js';
import { apiVersionOf, listPath, listReference, objectPath, qualifiedResource } from './resources.js';
import type { ResourceType } from './resources.js';

export const DEFAULT_CHUNK_SIZE = 500;
export const CLUSTER_ROLE_FILE = 'deploy/rbac/audit-clusterrole.yaml';

export interface ListOptions {
  /** One namespace, or all of them when undefined. */
  namespace?: string;
  labelSelector?: string;
  /** Objects per page (the `limit` query parameter). */
  chunkSize?: number;
  /** Also return the list's resourceVersion, which a watch starts from. */
  withResourceVersion?: boolean;
  /**
   * Hands each page's objects over as it arrives instead of collecting them
   * (the result's items are then empty), so a large list is never held whole.
   * After a restart of an expired list the pages come again from the start.
   */
  onPage?: (items: JsonObject[]) => void;
}

export type ListResult = { items: JsonObject[]; pages: number; resourceVersion?: string } | { error: InputError };

/** The `message` of a Kubernetes Status body, or the start of a body that is not one. */
export function statusMessage(response: ApiResponse): string {
  if (isObject(response.body) && typeof response.body['message'] === 'string') return response.body['message'];
  const text = response.text.trim().slice(0, 200);
  return text ? `HTTP ${response.status}: ${text}` : `HTTP ${response.status}`;
}

function scopeText(type: ResourceType, namespace: string | undefined): string {
  if (!type.namespaced) return '';
  return namespace === undefined ? ' in all namespaces' : ` in namespace "${namespace}"`;
}

/** The RBAC rule that would allow the request, in words. */
function missingPermission(type: ResourceType, namespace: string | undefined): string {
  const where = type.namespaced && namespace !== undefined
    ? `in namespace "${namespace}" (a Role or a ClusterRole bound there)`
    : 'cluster-wide (a ClusterRole with a ClusterRoleBinding)';
  const group = type.group ? `API group "${type.group}"` : 'the core API group ("")';
  return `rootlock needs get, list and watch on "${type.plural}" in ${group} ${where}, as ${CLUSTER_ROLE_FILE} grants`;
}

export function httpError(response: ApiResponse, type: ResourceType, verb: 'list' | 'get', namespace: string | undefined, file: string, name?: string): InputError {
  const what = `${verb} ${qualifiedResource(type)}${name !== undefined ? ` "${name}"` : ''}${name === undefined ? scopeText(type, namespace) : ''}`;
  const reason = statusMessage(response);
  switch (response.status) {
    case 401:
      return { file, code: 'unauthorized', message: `cannot ${what}: the API server did not accept the credentials (${reason})` };
    case 403:
      return { file, code: 'forbidden', message: `cannot ${what}: ${reason}. ${missingPermission(type, namespace)}; the rest of the audit went on without them` };
    case 404:
      return name !== undefined
        ? { file, code: `${type.kind.toLowerCase()}-not-found`, message: `${type.kind} "${name}" does not exist` }
        : { file, code: 'resource-not-served', message: `cannot ${what}: the API server does not serve ${apiVersionOf(type)} ${type.plural} (${reason})` };
    default:
      return { file, code: 'api-error', message: `cannot ${what}: ${reason}` };
  }
}

/** List items come without apiVersion and kind; status and managedFields are dropped because no rule reads them. */
export function asObject(item: unknown, type: ResourceType): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const { status: _status, ...rest } = item;
  const metadata = isObject(rest['metadata']) ? { ...rest['metadata'] } : {};
  delete metadata['managedFields'];
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...rest, metadata };
}

/** Every object of one type in one scope, following continue tokens. */
export async function listAll(connection: ClusterConnection, type: ResourceType, options: ListOptions = {}): Promise<ListResult> {
  const file = listReference(type, options.namespace);
  const path = listPath(type, options.namespace);
  const limit = String(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  let items: JsonObject[] = [];
  let pages = 0;
  let restarted = false;
  let token: string | undefined;
  for (;;) {
    const response = await connection.get(path, { limit, labelSelector: options.labelSelector, continue: token });
    if (response.status === 410 && token !== undefined && !restarted) {
      // The continue token expired (etcd compacted the snapshot): start over once, for a consistent list.
      restarted = true;
      items = [];
      token = undefined;
      continue;
    }
    if (response.status !== 200) {
      const error = httpError(response, type, 'list', options.namespace, file);
      if (response.status === 410) error.message += '; the listing took too long for the API server to keep its snapshot, try a larger --chunk-size';
      return { error };
    }
    pages++;
    const body = isObject(response.body) ? response.body : {};
    const page = Array.isArray(body['items']) ? body['items'] : [];
    const objects = options.onPage ? [] : items;
    for (const item of page) {
      const object = asObject(item, type);
      if (object) objects.push(object);
    }
    options.onPage?.(objects);
    const metadata = isObject(body['metadata']) ? body['metadata'] : {};
    const next = metadata['continue'];
    if (typeof next !== 'string' || next === '') {
      // Every page of a paginated list carries the first page's resourceVersion: the snapshot it was read from.
      const resourceVersion = metadata['resourceVersion'];
      return options.withResourceVersion && typeof resourceVersion === 'string' ? { items, pages, resourceVersion } : { items, pages };
    }
    token = next;
  }
}

/** One object by name (a namespace named with -n). */
export async function getOne(connection: ClusterConnection, type: ResourceType, name: string, namespace?: string): Promise<{ object: JsonObject } | { error: InputError }> {
  const file = `${listReference(type, namespace)}/${name}`;
  const response = await connection.get(objectPath(type, name, namespace));
  if (response.status !== 200) return { error: httpError(response, type, 'get', namespace, file, name) };
  const object = asObject(response.body, type);
  return object ? { object } : { error: { file, code: 'api-error', message: `the API server answered GET ${file} with something that is not an object` } };
}
