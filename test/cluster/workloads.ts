// The cluster the cluster-audit tests run against: namespaces with and
// without Pod Security labels, a Deployment with 3 replicas, a bare Pod, a
// CronJob with a Job, a DaemonSet and a Pod owned by a ConfigMap, with mixed
// security settings. Created through the real API server; the real
// controller manager turns them into ReplicaSets, Jobs and Pods (which stay
// Pending: there is no scheduler and no kubelet).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiResponse, ControlPlane } from '../helpers/control-plane.js';

export const DIGEST = 'sha256:4c2a6f0b8e5d1c3a7f9e2b4d6c8a0e1f3b5d7c9a2e4f6b8d0c1e3a5f7b9d2c4e';

/** A container and pod spec that pass every rule (examples/hardened.yaml) and Pod Security "restricted". */
export const HARDENED_CONTAINER = {
  name: 'api',
  image: `ghcr.io/example/api@${DIGEST}`,
  securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  resources: { limits: { cpu: '200m', memory: '128Mi' } },
  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
};
const HARDENED_POD_SPEC = {
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [HARDENED_CONTAINER],
  volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '32Mi' } }],
};

export const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';

interface Meta {
  name: string;
  uid: string;
  ownerReferences?: Array<{ uid: string; controller?: boolean }>;
}
interface Obj {
  metadata: Meta;
  spec?: Record<string, unknown>;
}

export function expectStatus(res: ApiResponse, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

async function create(cp: ControlPlane, path: string, body: unknown): Promise<Obj> {
  const res = await cp.request('POST', path, body);
  expectStatus(res, 201, `POST ${path}`);
  return res.body as Obj;
}

/** Polls until `count` items of `path` are owned by `owner` (the controllers work asynchronously). */
export async function waitForOwned(cp: ControlPlane, path: string, owner: Obj, count: number, timeoutMs = 60_000): Promise<Obj[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await cp.request('GET', path);
    expectStatus(res, 200, `GET ${path}`);
    const owned = (res.body as { items: Obj[] }).items.filter((item) => item.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid));
    if (owned.length >= count) return owned;
    if (Date.now() > deadline) assert.fail(`${owned.length} of ${count} objects in ${path} owned by ${owner.metadata.name} after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Pods are refused until the service account controller has created a namespace's `default` ServiceAccount. */
export async function waitForDefaultServiceAccount(cp: ControlPlane, namespace: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const path = `/api/v1/namespaces/${namespace}/serviceaccounts/default`;
  while ((await cp.request('GET', path)).status !== 200) {
    if (Date.now() > deadline) assert.fail(`no ServiceAccount default in ${namespace} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface Workloads {
  webPods: Obj[];
  jobPods: Obj[];
}

/**
 * shop (no Pod Security labels): Deployment web (3 replicas; container app
 * mutable, container sidecar hardened; resource-limits exempted by annotation),
 * bare Pod debug-shell (privileged), DaemonSet log-agent (writable hostPath;
 * no nodes, so no Pods), Pod orphan owned by ConfigMap owner-cm. One web Pod
 * gets an ephemeral debug container, as `kubectl debug` adds it.
 * batch (enforce: baseline): CronJob report and a Job it owns, with one Pod.
 * hardened (enforce: restricted): Deployment api, which passes every rule.
 */
export async function createWorkloads(cp: ControlPlane): Promise<Workloads> {
  await create(cp, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await create(cp, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch', labels: { [PSA_ENFORCE]: 'baseline' } } });
  await create(cp, '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'hardened', labels: { [PSA_ENFORCE]: 'restricted', [`${PSA_ENFORCE}-version`]: 'latest' } },
  });

  for (const namespace of ['shop', 'batch', 'hardened']) await waitForDefaultServiceAccount(cp, namespace);

  const web = await create(cp, '/apis/apps/v1/namespaces/shop/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      labels: { app: 'web' },
      annotations: { 'rootlock.dev/ignore': 'resource-limits', 'rootlock.dev/ignore-reason': 'sized by the vertical pod autoscaler' },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27' },
            { ...HARDENED_CONTAINER, name: 'sidecar', image: `ghcr.io/example/envoy@${DIGEST}` },
          ],
          volumes: HARDENED_POD_SPEC.volumes,
        },
      },
    },
  });
  await create(cp, '/api/v1/namespaces/shop/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug-shell', labels: { app: 'debug' } },
    spec: { containers: [{ name: 'shell', image: 'busybox:1.36', securityContext: { privileged: true } }] },
  });
  await create(cp, '/apis/apps/v1/namespaces/shop/daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'log-agent', labels: { app: 'log-agent' } },
    spec: {
      selector: { matchLabels: { app: 'log-agent' } },
      template: {
        metadata: { labels: { app: 'log-agent' } },
        spec: {
          containers: [{ name: 'agent', image: `fluent/fluent-bit@${DIGEST}`, volumeMounts: [{ name: 'logs', mountPath: '/var/log' }] }],
          volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }],
        },
      },
    },
  });
  const ownerConfigMap = await create(cp, '/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-cm' } });
  await create(cp, '/api/v1/namespaces/shop/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'orphan',
      labels: { app: 'orphan' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-cm', uid: ownerConfigMap.metadata.uid, controller: true }],
    },
    spec: { containers: [{ name: 'main', image: 'alpine:3.20' }] },
  });

  const jobTemplate = { spec: { template: { metadata: { labels: { app: 'report' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'python:3.12' }] } } } };
  const cronJob = await create(cp, '/apis/batch/v1/namespaces/batch/cronjobs', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report', labels: { app: 'report' } },
    // Once a year: the test creates the Job itself instead of waiting for the schedule.
    spec: { schedule: '0 0 1 1 *', jobTemplate },
  });
  const job = await create(cp, '/apis/batch/v1/namespaces/batch/jobs', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'report-manual',
      labels: { app: 'report' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: cronJob.metadata.uid, controller: true }],
    },
    spec: jobTemplate.spec,
  });

  const api = await create(cp, '/apis/apps/v1/namespaces/hardened/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', labels: { app: 'api' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: HARDENED_POD_SPEC } },
  });

  const [webReplicaSet] = await waitForOwned(cp, '/apis/apps/v1/namespaces/shop/replicasets', web, 1);
  const webPods = await waitForOwned(cp, '/api/v1/namespaces/shop/pods', webReplicaSet as Obj, 3);
  const jobPods = await waitForOwned(cp, '/api/v1/namespaces/batch/pods', job, 1);
  const [apiReplicaSet] = await waitForOwned(cp, '/apis/apps/v1/namespaces/hardened/replicasets', api, 1);
  await waitForOwned(cp, '/api/v1/namespaces/hardened/pods', apiReplicaSet as Obj, 1);

  // `kubectl debug` adds an ephemeral container to a running Pod through this subresource.
  const target = webPods[0] as Obj;
  const podPath = `/api/v1/namespaces/shop/pods/${target.metadata.name}`;
  const current = await cp.request('GET', podPath);
  expectStatus(current, 200, `GET ${podPath}`);
  const pod = current.body as Obj & { spec: Record<string, unknown> };
  pod.spec['ephemeralContainers'] = [{ name: 'debugger', image: 'busybox:1.36', stdin: true, tty: true }];
  expectStatus(await cp.request('PUT', `${podPath}/ephemeralcontainers`, pod), 200, 'add an ephemeral container');
  return { webPods, jobPods };
}
