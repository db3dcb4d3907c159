// Helpers to run policy cases against the real kube-apiserver of the test control plane.
import type { ApiResponse, ControlPlane } from '../helpers/control-plane.js';

const RESOURCES: Record<string, { prefix: string; plural: string }> = {
  Pod: { prefix: '/api/v1', plural: 'pods' },
  ReplicationController: { prefix: '/api/v1', plural: 'replicationcontrollers' },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments' },
  StatefulSet: { prefix: '/apis/apps/v1', plural: 'statefulsets' },
  DaemonSet: { prefix: '/apis/apps/v1', plural: 'daemonsets' },
  ReplicaSet: { prefix: '/apis/apps/v1', plural: 'replicasets' },
  Job: { prefix: '/apis/batch/v1', plural: 'jobs' },
  CronJob: { prefix: '/apis/batch/v1', plural: 'cronjobs' },
  ValidatingAdmissionPolicy: { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'validatingadmissionpolicies' },
  ValidatingAdmissionPolicyBinding: { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'validatingadmissionpolicybindings' },
  MutatingAdmissionPolicy: { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'mutatingadmissionpolicies' },
  MutatingAdmissionPolicyBinding: { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'mutatingadmissionpolicybindings' },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps' },
  Secret: { prefix: '/api/v1', plural: 'secrets' },
  Namespace: { prefix: '/api/v1', plural: 'namespaces' },
};

export function collectionPath(kind: string, namespace?: string): string {
  const resource = RESOURCES[kind];
  if (!resource) throw new Error(`no resource path for ${kind}`);
  return namespace ? `${resource.prefix}/namespaces/${namespace}/${resource.plural}` : `${resource.prefix}/${resource.plural}`;
}

export function expectOk(res: ApiResponse, what: string): void {
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

/** Creates (or replaces) a cluster-scoped or namespaced object. */
export async function apply(cp: ControlPlane, object: Record<string, unknown>, namespace?: string): Promise<void> {
  const kind = String(object['kind']);
  const name = String((object['metadata'] as Record<string, unknown>)['name']);
  const path = collectionPath(kind, namespace);
  const created = await cp.request('POST', path, object);
  if (created.status === 409) {
    const current = await cp.request('GET', `${path}/${name}`);
    expectOk(current, `GET ${kind} ${name}`);
    const version = ((current.body as Record<string, unknown>)['metadata'] as Record<string, unknown>)['resourceVersion'];
    const metadata = { ...(object['metadata'] as Record<string, unknown>), resourceVersion: version };
    expectOk(await cp.request('PUT', `${path}/${name}`, { ...object, metadata }), `PUT ${kind} ${name}`);
    return;
  }
  expectOk(created, `POST ${kind} ${name}`);
}

/** Rule ids named in ValidatingAdmissionPolicy warnings or denials ("... ValidatingAdmissionPolicy 'rootlock-<rule>' ..."). */
export function rulesNamed(texts: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const text of texts) for (const match of text.matchAll(/ValidatingAdmissionPolicy 'rootlock-([a-z0-9-]+)'/g)) out.add(match[1] as string);
  return out;
}

/** Sends a case the way a user would: dry-run create, or for ephemeral containers an UPDATE of the subresource of a real Pod. */
export async function submitCase(cp: ControlPlane, object: Record<string, unknown>, namespace: string): Promise<ApiResponse> {
  const copy = structuredClone(object);
  const kind = String(copy['kind']);
  const spec = copy['spec'] as Record<string, unknown>;
  const ephemeral = kind === 'Pod' ? spec['ephemeralContainers'] : undefined;
  const path = collectionPath(kind, namespace);
  if (!Array.isArray(ephemeral)) return cp.request('POST', `${path}?dryRun=All`, copy);
  // The API server only accepts ephemeral containers through the subresource of an existing Pod.
  delete spec['ephemeralContainers'];
  const metadata = copy['metadata'] as Record<string, unknown>;
  metadata['name'] = `${String(metadata['name'])}-${namespace}`;
  const created = await cp.request('POST', path, copy);
  if (created.status === 400 || created.status === 422) return created;
  expectOk(created, `create base pod ${String(metadata['name'])}`);
  const pod = created.body as Record<string, unknown>;
  (pod['spec'] as Record<string, unknown>)['ephemeralContainers'] = ephemeral;
  return cp.request('PUT', `${path}/${String(metadata['name'])}/ephemeralcontainers?dryRun=All`, pod);
}
