// `rootlock suggest --pod` against a real API server (no kubelet here, so no
// pod has logs yet): each way the API answers is a clear one-line error with
// exit 2, naming the pod. Reading real logs is tested on the node
// (test/node/exam-task.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { runCli } from './run-cli.js';
import { expectStatus, HARDENED_CONTAINER, waitForDefaultServiceAccount } from './workloads.js';

describe('rootlock suggest --pod', () => {
  let cp: ControlPlane | undefined;
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };

  before(async () => {
    cp = await startControlPlane();
    expectStatus(await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }), 201, 'namespace');
    await waitForDefaultServiceAccount(cp, 'shop');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { automountServiceAccountToken: false, containers: [{ ...HARDENED_CONTAINER, name: 'app' }], volumes: [{ name: 'tmp', emptyDir: {} }] } };
    expectStatus(await cp.request('POST', '/api/v1/namespaces/shop/pods', pod), 201, 'pod');
  });
  after(async () => {
    await cp?.stop();
  });

  it('names a pod that does not exist', async () => {
    const run = await runCli(['suggest', '--pod', 'nope', '-n', 'shop', '--kubeconfig', cluster().kubeconfigPath]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'rootlock: cannot read pod shop/nope: pods "nope" not found\n');
    assert.equal(run.stdout, '');
  });

  it('names the containers when asked for one the pod does not have', async () => {
    const run = await runCli(['suggest', '--pod', 'web', '-n', 'shop', '--container', 'db', '--kubeconfig', cluster().kubeconfigPath]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'rootlock: pod shop/web has no container "db"; its containers: app\n');
  });

  it('passes on the API server\'s reason when there are no logs to read', async () => {
    const run = await runCli(['suggest', '--pod', 'web', '-n', 'shop', '--kubeconfig', cluster().kubeconfigPath]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^rootlock: cannot read the logs of pod shop\/web container app: .+\n$/);
  });
});
