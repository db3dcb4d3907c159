// The control plane helper starts a real cluster: a Deployment created through
// the API becomes a ReplicaSet and a Pod only if etcd, kube-apiserver and
// kube-controller-manager (with its RBAC-bound service accounts) all work.
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ApiResponse, type ControlPlane } from '../helpers/control-plane.js';

interface OwnerReference {
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

interface ObjectMeta {
  name: string;
  uid: string;
  ownerReferences?: OwnerReference[];
}

interface List<T> {
  items: T[];
}

interface Obj {
  metadata: ObjectMeta;
  status?: { phase?: string };
}

const NAMESPACE = 'rootlock-control-plane-test';

function expectStatus(res: ApiResponse, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

/** Polls a list until it has an item owned by `owner` (the controller manager works asynchronously). */
async function waitForOwned(cp: ControlPlane, path: string, owner: Obj, timeoutMs = 60_000): Promise<Obj> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await cp.request('GET', path);
    expectStatus(res, 200, `GET ${path}`);
    const owned = (res.body as List<Obj>).items.find((item) =>
      item.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid && ref.controller === true),
    );
    if (owned) return owned;
    if (Date.now() > deadline) assert.fail(`nothing in ${path} owned by ${owner.metadata.name} after ${timeoutMs} ms`);
    await sleep(250);
  }
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('real control plane (etcd + kube-apiserver + kube-controller-manager)', () => {
  let cp: ControlPlane | undefined;
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };

  before(async () => {
    cp = await startControlPlane();
  });
  // Registered in the describe body so that it runs after the last test, even a failed one.
  after(() => cp?.stop());

  it('serves the built Kubernetes version with RBAC enabled', async () => {
    const cp = cluster();
    const version = await cp.request('GET', '/version');
    expectStatus(version, 200, 'GET /version');
    assert.equal((version.body as { gitVersion: string }).gitVersion, cp.binaries.k8sVersion);
    const rbac = await cp.request('GET', '/apis/rbac.authorization.k8s.io/v1');
    expectStatus(rbac, 200, 'GET rbac API group');
    const kubeconfig = readFileSync(cp.kubeconfigPath, 'utf8');
    assert.ok(kubeconfig.includes(cp.server), 'kubeconfig names the server');
    assert.ok(cp.server.startsWith('https://127.0.0.1:'));
  });

  it('forbids anonymous requests (RBAC)', async () => {
    const cp = cluster();
    const status = await statusWithoutClientCert(cp, '/api/v1/namespaces');
    assert.equal(status, 403);
  });

  it('turns a Deployment into a ReplicaSet and a Pod', async () => {
    const cp = cluster();
    const ns = await cp.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    expectStatus(ns, 201, 'create namespace');
    const deployment = await cp.request('POST', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'registry.invalid/web:1', securityContext: { readOnlyRootFilesystem: true } }],
          },
        },
      },
    });
    expectStatus(deployment, 201, 'create deployment');
    const replicaSet = await waitForOwned(cp, `/apis/apps/v1/namespaces/${NAMESPACE}/replicasets`, deployment.body as Obj);
    const pod = await waitForOwned(cp, `/api/v1/namespaces/${NAMESPACE}/pods`, replicaSet);
    // No scheduler: the Pod exists but is never bound to a node.
    assert.equal(pod.status?.phase, 'Pending');
  });

  it('stops every process and frees every port', async () => {
    const cp = cluster();
    const { processes } = cp;
    assert.deepEqual(processes.map((p) => p.name), ['etcd', 'kube-apiserver', 'kube-controller-manager']);
    for (const p of processes) {
      assert.ok(!processGone(p.pid), `${p.name} (pid ${p.pid}) is not running before stop()`);
      assert.ok(!(await portFree(p.port)), `${p.name} is not listening on port ${p.port} before stop()`);
    }
    await cp.stop();
    for (const p of processes) {
      assert.ok(processGone(p.pid), `${p.name} (pid ${p.pid}) still running`);
      assert.ok(await portFree(p.port), `${p.name} port ${p.port} still in use`);
    }
    await cp.stop(); // a second stop (the after-hook) is harmless
  });
});

/** Sends an anonymous request (trusting the cluster CA) and returns the HTTP status. */
function statusWithoutClientCert(cp: ControlPlane, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, cp.server), { ca: cp.caCertPem }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
