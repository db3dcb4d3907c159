// The CKS exam task on a real node: take the study guide's mutable nginx pod,
// make it immutable with `rootlock fix`, apply it, and verify that it still
// runs. Adding only `readOnlyRootFilesystem: true` (what people do by hand)
// stops nginx; `rootlock suggest`, given that pod's logs as the API serves
// them, names directories the fix mounts. The study guide's Python app too.
//
// The images are Debian's nginx and python3 (test/helpers/node-images.ts):
// no registry is reachable, so the pods run them under their local names. The
// fix learns where Debian's nginx writes from `rootlock profile`, as a user
// does for an image the knowledge base does not know.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { debianImageLayout } from '../helpers/debian-image.js';
import { startNode, type Node, type PodLike } from '../helpers/node.js';
import { importDebianImages, NGINX_IMAGE, PYTHON_IMAGE } from '../helpers/node-images.js';
import { repoRoot } from '../helpers/repo.js';
import { withOwnTmpdir } from '../helpers/sandbox-leftovers.js';

interface ContainerSpec {
  name: string;
  image: string;
  imagePullPolicy?: string;
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodManifest {
  metadata: { name: string; namespace?: string };
  spec: { containers: ContainerSpec[]; volumes?: { name: string; emptyDir?: unknown }[] };
}
interface ContainerStatus {
  restartCount: number;
  state?: { waiting?: { reason?: string }; terminated?: { exitCode: number } };
  lastState?: { terminated?: { exitCode: number } };
}

const NAMESPACE = 'production';
const seed = (file: string): string => readFileSync(join(repoRoot(), 'test', 'fixtures', 'seed', file), 'utf8');

/** A study guide manifest run here: its image under the local name, never pulled, in a namespace of this test. */
function localManifest(text: string, from: string, image: string): string {
  assert.ok(text.includes(`image: ${from}`), `the study guide's manifest runs ${from}`);
  return text.replace(`image: ${from}`, `image: ${image}\n    imagePullPolicy: Never`).replace(/namespace: \w+/, `namespace: ${NAMESPACE}`);
}

const onlyPod = (text: string): PodManifest => {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as PodManifest);
  assert.equal(docs.length, 1);
  return docs[0]!;
};

async function createPod(node: Node, manifest: PodManifest): Promise<void> {
  // A short grace period: the test deletes nothing it waits for, the node goes at the end.
  const body = { ...manifest, spec: { ...manifest.spec, terminationGracePeriodSeconds: 1 } };
  const res = await node.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, body);
  assert.equal(res.status, 201, `${res.status} ${JSON.stringify(res.body)}`);
}

/** Waits until the pod's first container has failed at least once (exited non-zero or is backing off). */
async function waitForCrash(node: Node, name: string, timeoutMs = 120_000): Promise<ContainerStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await node.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${name}`);
    last = (res.body as PodLike).status;
    const status = ((res.body as PodLike).status?.containerStatuses?.[0]) as ContainerStatus | undefined;
    const exited = status?.state?.terminated ?? status?.lastState?.terminated;
    if (status && exited && exited.exitCode !== 0) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`pod ${name} did not fail within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** The pod's emptyDir mount paths of its first container, as the fixed manifest has them. */
function emptyDirMounts(manifest: PodManifest): string[] {
  const emptyDirs = new Set((manifest.spec.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => v.name));
  return (manifest.spec.containers[0]!.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name)).map((m) => m.mountPath);
}

/** The container's root is read-only; each emptyDir takes a write. */
async function assertImmutableAndWritable(node: Node, pod: PodManifest): Promise<void> {
  const container = pod.spec.containers[0]!.name;
  const touch = await node.exec(NAMESPACE, pod.metadata.name, container, ['touch', '/x']);
  assert.notEqual(touch.exitCode, 0, 'touch /x succeeded on the root filesystem');
  assert.match(touch.stderr, /Read-only file system/);
  const mounts = emptyDirMounts(pod);
  assert.ok(mounts.length > 0, 'the fix added emptyDir mounts');
  for (const mount of mounts) {
    const write = await node.exec(NAMESPACE, pod.metadata.name, container, ['touch', `${mount}/rootlock-write-test`]);
    assert.equal(write.exitCode, 0, `write into ${mount}: ${write.stderr}`);
  }
}

/** The pod answers HTTP on its IP and its container has not restarted: it still runs, not only started. */
async function assertServes(node: Node, name: string, port: number): Promise<void> {
  const pod = (await node.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${name}`)).body as PodLike;
  const page = await fetch(`http://${pod.status?.podIP}:${port}/`);
  assert.equal(page.status, 200);
  await page.arrayBuffer();
  const after = (await node.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${name}`)).body as PodLike;
  assert.equal((after.status?.containerStatuses?.[0] as ContainerStatus).restartCount, 0, JSON.stringify(after.status));
}

describe('the CKS exam task on a real node: fix the mutable pod, and it still runs', () => {
  let node: Node | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-exam-task-'));
  let restoreTmpdir: () => void = () => {};
  const started = (): Node => {
    assert.ok(node, 'the node did not start');
    return node;
  };

  before(async () => {
    node = await startNode();
    // The profile's sandboxes live under this test's directory (after the node: its socket paths must stay short).
    restoreTmpdir = withOwnTmpdir(join(work, 'tmp'));
    await importDebianImages(node, join(work, 'images'));
    const ns = await node.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    assert.equal(ns.status, 201, JSON.stringify(ns.body));
  });
  after(async () => {
    await node?.stop();
    restoreTmpdir();
    rmSync(work, { recursive: true, force: true });
  });

  it('readOnlyRootFilesystem alone stops nginx; suggest, reading its logs from the API, names directories to mount', async () => {
    const n = started();
    const byHand = onlyPod(localManifest(seed('09-mutable-pod-rejected.yaml'), 'nginx:1.25', NGINX_IMAGE));
    byHand.metadata.name = 'by-hand';
    byHand.spec.containers[0]!.securityContext = { readOnlyRootFilesystem: true };
    await createPod(n, byHand);
    await waitForCrash(n, 'by-hand');
    const logs = await n.logs(NAMESPACE, 'by-hand', 'app');
    assert.match(logs, /Read-only file system/, logs);
    writeFileSync(join(work, 'by-hand.log'), logs);
    // `suggest --pod` reads the same logs through the API itself (the crashed instance's, as kubectl logs --previous).
    const suggest = await runCli(['suggest', '--pod', 'by-hand', '-n', NAMESPACE, '--kubeconfig', n.kubeconfigPath, '--format', 'json'], { cwd: work });
    assert.equal(suggest.code, 0, suggest.stderr);
    const fromPod = JSON.parse(suggest.stdout) as { logs: string; suggestions: { path: string }[] };
    assert.match(fromPod.logs, new RegExp(`^pod ${NAMESPACE}/by-hand container app`));
    const suggested = fromPod.suggestions.map((m) => m.path);
    assert.ok(suggested.length > 0, suggest.stdout);
    const fromFile = await runCli(['suggest', '--logs', 'by-hand.log', '--format', 'json'], { cwd: work });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual((JSON.parse(fromFile.stdout) as { suggestions: { path: string }[] }).suggestions.map((m) => m.path), suggested);
    const missing = await runCli(['suggest', '--pod', 'no-such-pod', '-n', NAMESPACE, '--kubeconfig', n.kubeconfigPath], { cwd: work });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read pod .*\/no-such-pod: pods "no-such-pod" not found/);

    // The fix, from what the profile saw Debian's nginx write, mounts every directory the logs named.
    const profile = await runCli(['profile', `${debianImageLayout()}:nginx`, '--probe', 'http://:80/', '--duration', '30s',
      '--image-name', NGINX_IMAGE, '--format', 'json', '-o', 'nginx.profile.json'], { cwd: work });
    assert.equal(profile.code, 0, profile.stderr);
    writeFileSync(join(work, 'mutable-nginx.yaml'), localManifest(seed('09-mutable-pod-rejected.yaml'), 'nginx:1.25', NGINX_IMAGE));
    const fix = await runCli(['fix', '--write', '--no-config', '--profile', 'nginx.profile.json', 'mutable-nginx.yaml'], { cwd: work });
    assert.equal(fix.code, 0, fix.stderr);
    const fixed = onlyPod(readFileSync(join(work, 'mutable-nginx.yaml'), 'utf8'));
    const mounted = emptyDirMounts(fixed);
    for (const dir of suggested) {
      assert.ok(mounted.some((m) => dir === m || dir.startsWith(`${m}/`)), `suggest named ${dir}; the fix mounts ${mounted.join(', ')}`);
    }
  });

  it('the mutable nginx pod, fixed by rootlock fix, becomes Ready with a read-only root and writable emptyDirs', async () => {
    const n = started();
    writeFileSync(join(work, 'nginx.yaml'), localManifest(seed('09-mutable-pod-rejected.yaml'), 'nginx:1.25', NGINX_IMAGE));
    const profile = await runCli(['profile', `${debianImageLayout()}:nginx`, '--probe', 'http://:80/', '--duration', '30s',
      '--image-name', NGINX_IMAGE, '--format', 'json', '-o', 'nginx-2.profile.json'], { cwd: work });
    assert.equal(profile.code, 0, profile.stderr);
    const fix = await runCli(['fix', '--write', '--no-config', '--profile', 'nginx-2.profile.json', 'nginx.yaml'], { cwd: work });
    assert.equal(fix.code, 0, fix.stderr);
    const text = readFileSync(join(work, 'nginx.yaml'), 'utf8');
    assert.match(text, /# No readOnlyRootFilesystem set/, 'the fix keeps the manifest\'s comment');
    const fixed = parse(text) as PodManifest;
    assert.equal(fixed.spec.containers[0]!.securityContext?.['readOnlyRootFilesystem'], true);
    await createPod(n, fixed);
    await n.waitForPod(NAMESPACE, fixed.metadata.name, 'Ready', 180_000);
    await assertImmutableAndWritable(n, fixed);
    await assertServes(n, fixed.metadata.name, 80);
    // Nothing new after fixing: the audit of the fixed manifest has no read-only-root finding.
    const audit = await runCli(['audit', '--no-config', '--format', 'json', 'nginx.yaml'], { cwd: work });
    assert.doesNotMatch(audit.stdout, /"read-only-root-filesystem"/);
  });

  it('the study guide\'s Python app, made mutable and fixed again, becomes Ready with a read-only root', async () => {
    const n = started();
    // The guide's immutable app without what makes it immutable: the form the exam hands out.
    const guide = onlyPod(localManifest(seed('03-immutable-python-app.yaml'), 'python:3.11-slim', PYTHON_IMAGE));
    const container = guide.spec.containers[0]!;
    delete container.securityContext;
    delete container.volumeMounts;
    delete guide.spec.volumes;
    guide.metadata.name = 'python-app';
    guide.metadata.namespace = NAMESPACE;
    writeFileSync(join(work, 'python.yaml'), JSON.stringify(guide, null, 2));
    const fix = await runCli(['fix', '--write', '--no-config', 'python.yaml'], { cwd: work });
    assert.equal(fix.code, 0, fix.stderr);
    const fixed = parse(readFileSync(join(work, 'python.yaml'), 'utf8')) as PodManifest;
    assert.equal(fixed.spec.containers[0]!.securityContext?.['readOnlyRootFilesystem'], true);
    await createPod(n, fixed);
    await n.waitForPod(NAMESPACE, 'python-app', 'Ready', 180_000);
    await assertImmutableAndWritable(n, fixed);
    await assertServes(n, 'python-app', 8080);
  });
});
