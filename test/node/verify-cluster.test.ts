// `rootlock verify --cluster` on a real node, the pre-deploy check of the CKS
// study guide: the nginx pod with only `readOnlyRootFilesystem: true` fails
// and the verdict names the directories to mount; after `rootlock fix` it
// passes; an image the node does not have cannot be judged. Nothing it
// created is left in the cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClusterVerifyResult } from '../../src/cluster/verify.js';
import { runCli } from '../helpers/cli.js';
import { debianImageLayout } from '../helpers/debian-image.js';
import { startNode, type Node } from '../helpers/node.js';
import { importDebianImages, NGINX_IMAGE } from '../helpers/node-images.js';
import { repoRoot } from '../helpers/repo.js';
import { withOwnTmpdir } from '../helpers/sandbox-leftovers.js';

const seedNginx = (): string => readFileSync(join(repoRoot(), 'test', 'fixtures', 'seed', '09-mutable-pod-rejected.yaml'), 'utf8')
  .replace('image: nginx:1.25', `image: ${NGINX_IMAGE}\n    imagePullPolicy: Never`);

describe('rootlock verify --cluster on a real node', () => {
  let node: Node | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-verify-node-'));
  let restoreTmpdir: () => void = () => {};
  const started = (): Node => {
    assert.ok(node, 'the node did not start');
    return node;
  };
  const verify = async (manifest: string, timeout = '90s'): Promise<{ code: number; result: ClusterVerifyResult; stderr: string }> => {
    const run = await runCli(['verify', '--cluster', '--kubeconfig', started().kubeconfigPath, '--timeout', timeout, '--format', 'json', manifest], { cwd: work });
    return { code: run.code, result: JSON.parse(run.stdout) as ClusterVerifyResult, stderr: run.stderr };
  };
  const verifyNamespaces = async (): Promise<string[]> => {
    const res = await started().request('GET', '/api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Drootlock');
    return ((res.body as { items: { metadata: { name: string } }[] }).items ?? []).map((n) => n.metadata.name);
  };

  before(async () => {
    node = await startNode();
    restoreTmpdir = withOwnTmpdir(join(work, 'tmp'));
    await importDebianImages(node, join(work, 'images'));
  });
  after(async () => {
    await node?.stop();
    restoreTmpdir();
    rmSync(work, { recursive: true, force: true });
  });

  it('fails the pod with only readOnlyRootFilesystem set and names what to mount; passes it once fixed', async () => {
    writeFileSync(join(work, 'by-hand.yaml'), seedNginx().replace('# No readOnlyRootFilesystem set', 'securityContext:\n      readOnlyRootFilesystem: true'));
    const failed = await verify('by-hand.yaml');
    assert.equal(failed.code, 1, failed.stderr + JSON.stringify(failed.result));
    const [verdict] = failed.result.workloads;
    assert.equal(verdict?.verdict, 'fail', JSON.stringify(verdict));
    const mounts = verdict!.mounts.map((m) => m.path);
    assert.ok(mounts.length > 0, `no mounts proposed: ${JSON.stringify(verdict)}`);
    assert.equal(failed.result.cleanedUp, true);
    assert.deepEqual(await verifyNamespaces(), []);

    const profile = await runCli(['profile', `${debianImageLayout()}:nginx`, '--probe', 'http://:80/', '--duration', '30s',
      '--image-name', NGINX_IMAGE, '--format', 'json', '-o', 'nginx.profile.json'], { cwd: work });
    assert.equal(profile.code, 0, profile.stderr);
    writeFileSync(join(work, 'nginx.yaml'), seedNginx());
    const fix = await runCli(['fix', '--write', '--no-config', '--profile', 'nginx.profile.json', 'nginx.yaml'], { cwd: work });
    assert.equal(fix.code, 0, fix.stderr);
    const fixedText = readFileSync(join(work, 'nginx.yaml'), 'utf8');
    const fixedMounts = [...fixedText.matchAll(/mountPath: (\S+)/g)].map((m) => m[1]!);
    for (const mount of mounts) {
      assert.ok(fixedMounts.some((m) => mount === m || mount.startsWith(`${m}/`)), `verify proposed ${mount}; the fix mounts ${fixedMounts.join(', ')}`);
    }
    const passed = await verify('nginx.yaml');
    assert.equal(passed.code, 0, passed.stderr + JSON.stringify(passed.result));
    assert.equal(passed.result.workloads[0]?.verdict, 'pass');
    assert.deepEqual(await verifyNamespaces(), []);
  });

  it('cannot judge a pod whose image the node does not have, says so, and leaves nothing behind', async () => {
    writeFileSync(join(work, 'missing.yaml'), seedNginx().replace(NGINX_IMAGE, 'localhost/rootlock-test/no-such-image:1'));
    const run = await verify('missing.yaml', '60s');
    assert.equal(run.code, 2, run.stderr + JSON.stringify(run.result));
    assert.equal(run.result.workloads[0]?.verdict, 'unknown');
    assert.match(run.result.workloads[0]!.reason, /image/i);
    assert.deepEqual(await verifyNamespaces(), []);
  });
});
