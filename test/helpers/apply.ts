// Creates every object of a multi-document manifest through the API, the way
// `kubectl create -f` does for the kinds rootlock's install manifests use.
// The tests have no kubectl; each object goes to its REST collection, so the
// API server validates and admits it exactly as it would from kubectl.
import { parseAllDocuments } from 'yaml';
import type { ApiResponse } from './control-plane.js';

interface Requester {
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'CustomResourceDefinition', 'PriorityClass',
]);

/** The REST collection of an object: /api/v1/namespaces/ns/pods, /apis/apps/v1/namespaces/ns/deployments, ... */
export function collectionPath(object: ManifestObject, defaultNamespace = 'default'): string {
  const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const lower = object.kind.toLowerCase();
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : lower.endsWith('s') ? `${lower}es` : `${lower}s`;
  if (CLUSTER_SCOPED.has(object.kind)) return `${base}/${plural}`;
  return `${base}/namespaces/${object.metadata.namespace ?? defaultNamespace}/${plural}`;
}

export function manifestObjects(text: string): ManifestObject[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as ManifestObject | null).filter((o): o is ManifestObject => o !== null);
}

/** Creates each object in order; throws with the API's answer on the first one it refuses. */
export async function createAll(api: Requester, text: string, defaultNamespace = 'default'): Promise<ManifestObject[]> {
  const objects = manifestObjects(text);
  for (const object of objects) {
    const res = await api.request('POST', collectionPath(object, defaultNamespace), object);
    if (res.status !== 201) throw new Error(`create ${object.kind} ${object.metadata.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return objects;
}
