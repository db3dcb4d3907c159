// The admission webhook installed as the README tells users to install it, on
// a real node: rootlock's own image (deploy/image) imported into the node's
// containerd, `rootlock webhook certs` and `rootlock webhook manifests --image`
// created through the API. The webhook runs as a pod, and the API server calls
// it through its Service.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { createAll } from '../helpers/apply.js';
import { runCli } from '../helpers/cli.js';
import { readyPod } from '../helpers/ready-pods.js';
import { startNode, type Node, type PodLike } from '../helpers/node.js';
import { importDebianImages } from '../helpers/node-images.js';
import { rootlockImage } from '../helpers/rootlock-image.js';

const SYSTEM = 'rootlock-system';
const APPS = 'apps';

interface PodList { items: PodLike[] }

/** A Deployment of Debian's python3 serving HTTP as uid 1000, as the study guide's Python app runs. */
function pythonDeployment(name: string, image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: APPS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'app', image, imagePullPolicy: 'Never', command: ['python3', '-m', 'http.server', '8080'],
            securityContext: { runAsUser: 1000 },
            resources: { limits: { cpu: '200m', memory: '64Mi' } },
          }],
        },
      },
    },
  };
}

describe('the webhook installed from rootlock\'s image on a real node', () => {
  let node: Node | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-webhook-node-'));
  let python = '';
  const started = (): Node => {
    assert.ok(node, 'the node did not start');
    return node;
  };

  before(async () => {
    const image = await rootlockImage();
    node = await startNode();
    const names = await node.importImage(image.archivePath);
    assert.ok(names.includes(image.reference), `imported ${names.join(', ')}; the image is ${image.reference}`);
    ({ python } = await importDebianImages(node, join(work, 'images')));

    const certs = await runCli(['webhook', 'certs', '-o', 'certs'], { cwd: work });
    assert.equal(certs.code, 0, certs.stderr);
    // One replica: the manifests spread replicas over nodes, and this cluster has one.
    const manifests = await runCli(['webhook', 'manifests', '--image', image.reference, '--certs', 'certs', '--replicas', '1'], { cwd: work });
    assert.equal(manifests.code, 0, manifests.stderr);
    writeFileSync(join(work, 'webhook.yaml'), manifests.stdout);
    const ns = await node.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } });
    assert.equal(ns.status, 201, JSON.stringify(ns.body));
    await createAll(node, manifests.stdout);
    await readyPod(node, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook');
  });
  after(async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('its manifests pass rootlock\'s own audit', async () => {
    const audit = await runCli(['audit', '--no-config', '--fail-on', 'warning', 'webhook.yaml'], { cwd: work });
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
  });

  it('denies a mutable Deployment with rootlock\'s message, and admits it once rootlock fix has made it immutable; its pod runs', async () => {
    const n = started();
    const mutable = pythonDeployment('web', python);
    const denied = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments`, mutable);
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    const message = (denied.body as { message: string }).message;
    assert.match(message, /admission webhook "validate\.rootlock\.dev" denied the request/);
    assert.match(message, /read-only-root-filesystem/);

    writeFileSync(join(work, 'web.yaml'), JSON.stringify(mutable, null, 2));
    const fix = await runCli(['fix', '--write', '--no-config', 'web.yaml'], { cwd: work });
    assert.equal(fix.code, 0, fix.stderr);
    const fixed = parse(readFileSync(join(work, 'web.yaml'), 'utf8')) as Record<string, unknown>;
    const admitted = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments`, fixed);
    assert.equal(admitted.status, 201, JSON.stringify(admitted.body));
    const pod = await readyPod(n, APPS, 'app=web');
    const touch = await n.exec(APPS, pod.metadata.name, 'app', ['touch', '/x']);
    assert.match(touch.stderr, /Read-only file system/);
  });

  it('with failurePolicy Ignore, admission goes on while the webhook pod is gone, and the Deployment brings it back', async () => {
    const n = started();
    const patched = await n.request('PATCH', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/rootlock-webhook',
      [{ op: 'replace', path: '/webhooks/0/failurePolicy', value: 'Ignore' }]);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const first = await readyPod(n, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook');
    // Scaled to zero, so that no replacement answers while the request is made.
    const scale = await n.request('PATCH', `/apis/apps/v1/namespaces/${SYSTEM}/deployments/rootlock-webhook/scale`, [{ op: 'replace', path: '/spec/replicas', value: 0 }]);
    assert.equal(scale.status, 200, JSON.stringify(scale.body));
    const killed = await n.request('DELETE', `/api/v1/namespaces/${SYSTEM}/pods/${first.metadata.name}?gracePeriodSeconds=0`);
    assert.ok(killed.status === 200 || killed.status === 404, JSON.stringify(killed.body));
    await waitForNoPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook');
    const meanwhile = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments`, pythonDeployment('while-down', python));
    assert.equal(meanwhile.status, 201, `admitted while the webhook is down: ${JSON.stringify(meanwhile.body)}`);

    const back = await n.request('PATCH', `/apis/apps/v1/namespaces/${SYSTEM}/deployments/rootlock-webhook/scale`, [{ op: 'replace', path: '/spec/replicas', value: 1 }]);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    await readyPod(n, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook', { not: [first.metadata.name] });
    const deniedAgain = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments`, pythonDeployment('after', python));
    assert.equal(deniedAgain.status, 403, JSON.stringify(deniedAgain.body));
  });

  it('installed with --mutate, it makes a mutable Deployment immutable on the way in; the pods its ReplicaSet creates run read-only', async () => {
    const n = started();
    const image = await rootlockImage();
    // A second installation beside the first, as its own release: the mutating webhook runs before every validating one.
    const certs = await runCli(['webhook', 'certs', '-o', 'certs-mutate', '--service', 'rootlock-mutate', '-n', 'rootlock-mutate'], { cwd: work });
    assert.equal(certs.code, 0, certs.stderr);
    const rendered = await runCli(['webhook', 'manifests', '--image', image.reference, '--certs', 'certs-mutate', '--replicas', '1', '--mutate',
      '--namespace', 'rootlock-mutate', '--name', 'rootlock-mutate'], { cwd: work });
    assert.equal(rendered.code, 0, rendered.stderr);
    await createAll(n, rendered.stdout);
    await readyPod(n, 'rootlock-mutate', 'app.kubernetes.io/name=rootlock-mutate');

    const res = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments`, pythonDeployment('mutated', python));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const stored = res.body as { spec: { template: { spec: { containers: { securityContext?: Record<string, unknown> }[] } } } };
    assert.equal(stored.spec.template.spec.containers[0]!.securityContext?.['readOnlyRootFilesystem'], true, JSON.stringify(stored.spec.template.spec));
    const pod = await readyPod(n, APPS, 'app=mutated');
    const touch = await n.exec(APPS, pod.metadata.name, 'app', ['touch', '/x']);
    assert.match(touch.stderr, /Read-only file system/);
    const tmp = await n.exec(APPS, pod.metadata.name, 'app', ['touch', '/tmp/x']);
    assert.equal(tmp.exitCode, 0, tmp.stderr);
  });
});

async function waitForNoPods(node: Node, namespace: string, selector: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await node.request('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
    if (((res.body as PodList).items ?? []).length === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.fail(`pods ${selector} in ${namespace} still exist after ${timeoutMs} ms`);
}
