// Reads what a cluster audit needs from the API server: Namespaces,
// ServiceAccounts, Pods and workload controllers, in all namespaces or in the
// ones asked for. A resource that cannot be read (403, 404, ...) becomes an
// error record and the others are still read.
import { isObject } from '../core/path.js';
import type { InputError, JsonObject } from '../core/types.js';
import type { ClusterConnection } from './connection.js';
import { getOne, listAll, statusMessage } from './list.js';
import { NAMESPACES, objectApiReference, PODS, SERVICE_ACCOUNTS, WORKLOAD_CONTROLLERS } from './resources.js';
import type { ResourceType } from './resources.js';

export interface ClusterScope {
  /** Namespaces to audit; undefined for all of them. */
  namespaces?: readonly string[];
  /** Label selector for Pods and workload controllers, as kubectl -l takes it. */
  labelSelector?: string;
  chunkSize?: number;
}

export interface Collected {
  namespaces: JsonObject[];
  serviceAccounts: JsonObject[];
  pods: JsonObject[];
  controllers: JsonObject[];
  /** Namespaces whose Pods were listed; `all` when the cluster-wide list worked. */
  podsListedIn: Set<string> | 'all';
  errors: InputError[];
  /** Set when the API server could not be used at all; nothing else was read. */
  fatal?: InputError;
}

/** How many list requests run at once: enough to hide latency, few enough to be polite to the API server. */
const CONCURRENCY = 4;

async function inPool<T>(tasks: ReadonlyArray<() => Promise<T>>, size: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
  return results;
}

function namespaceOf(object: JsonObject): string | undefined {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  return typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
}

function nameOf(object: JsonObject): string | undefined {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  return typeof metadata['name'] === 'string' ? metadata['name'] : undefined;
}

function unreachable(connection: ClusterConnection, error: unknown): InputError {
  return { file: connection.server, code: 'cluster-unreachable', message: `cannot reach the API server of context "${connection.context}": ${error instanceof Error ? error.message : String(error)}` };
}

/**
 * One request up front tells an unreachable server or rejected credentials
 * apart from missing permissions, so they are reported once, not once per resource.
 */
async function probe(connection: ClusterConnection): Promise<InputError | undefined> {
  let response;
  try {
    // Every authenticated user may list the API groups (system:discovery); an unauthenticated one gets 401.
    response = await connection.get('/apis');
  } catch (error) {
    return unreachable(connection, error);
  }
  if (response.status === 401) {
    return { file: connection.server, code: 'unauthorized', message: `the API server of context "${connection.context}" did not accept the credentials: ${statusMessage(response)}` };
  }
  return undefined;
}

export async function collect(connection: ClusterConnection, scope: ClusterScope): Promise<Collected> {
  const collected: Collected = { namespaces: [], serviceAccounts: [], pods: [], controllers: [], podsListedIn: new Set(), errors: [] };
  const fatal = await probe(connection);
  if (fatal) return { ...collected, fatal };

  // undefined stands for "all namespaces": one cluster-wide list per resource.
  const scopes: ReadonlyArray<string | undefined> = scope.namespaces ?? [undefined];
  const options = (namespace: string | undefined, selected: boolean) => ({
    ...(namespace !== undefined ? { namespace } : {}),
    ...(selected && scope.labelSelector !== undefined ? { labelSelector: scope.labelSelector } : {}),
    ...(scope.chunkSize !== undefined ? { chunkSize: scope.chunkSize } : {}),
  });

  type Task = () => Promise<void>;
  const tasks: Task[] = [];
  const listInto = (type: ResourceType, namespace: string | undefined, selected: boolean, into: JsonObject[], onListed?: () => void): Task => async () => {
    const result = await listAll(connection, type, options(namespace, selected));
    if ('error' in result) collected.errors.push(result.error);
    else {
      into.push(...result.items);
      onListed?.();
    }
  };

  if (scope.namespaces === undefined) {
    tasks.push(listInto(NAMESPACES, undefined, false, collected.namespaces));
  } else {
    for (const name of scope.namespaces) {
      tasks.push(async () => {
        const result = await getOne(connection, NAMESPACES, name);
        if ('error' in result) collected.errors.push(result.error);
        else collected.namespaces.push(result.object);
      });
    }
  }
  for (const namespace of scopes) {
    tasks.push(listInto(PODS, namespace, true, collected.pods, () => {
      if (namespace === undefined) collected.podsListedIn = 'all';
      else if (collected.podsListedIn !== 'all') collected.podsListedIn.add(namespace);
    }));
    // Not narrowed by the selector: a selected Pod's ServiceAccount decides whether it gets a token.
    tasks.push(listInto(SERVICE_ACCOUNTS, namespace, false, collected.serviceAccounts));
    for (const type of WORKLOAD_CONTROLLERS) tasks.push(listInto(type, namespace, true, collected.controllers));
  }

  try {
    await inPool(tasks, CONCURRENCY);
  } catch (error) {
    // The probe got through, so this is a connection lost halfway: nothing read so far can be trusted to be complete.
    return { ...collected, fatal: unreachable(connection, error) };
  }

  if (scope.labelSelector !== undefined) {
    // With a selector, a namespace is audited when it holds a selected object.
    const holding = new Set([...collected.pods, ...collected.controllers].map(namespaceOf));
    collected.namespaces = collected.namespaces.filter((namespace) => holding.has(nameOf(namespace)));
  }
  // Stable order whatever order the pool finished in.
  const byReference = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  collected.errors.sort((a, b) => byReference(a.file, b.file));
  for (const list of [collected.namespaces, collected.serviceAccounts, collected.pods, collected.controllers]) {
    list.sort((a, b) => byReference(objectApiReference(a), objectApiReference(b)));
  }
  return collected;
}
