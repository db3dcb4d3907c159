import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/repo.js';
import { containerFromCgroup, identityFromContainerdSpec, identityFromCrioSpec, identityFromDockerConfig, imageKey, metadataCandidates } from './runtime-metadata.js';

const json = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot(), 'src/drift/fixtures', name), 'utf8'));
const ID = 'c0ffee'.padEnd(64, '0');

describe('runtime metadata', () => {
  it('reads the container id, runtime and pod uid from cgroup paths of each layout', () => {
    assert.deepEqual(containerFromCgroup(`0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7d0f9f4e_3a8f_4c64_9bde_1c2f0d1e2a3b.slice/cri-containerd-${ID}.scope\n`),
      { containerId: ID, runtime: 'containerd', podUid: '7d0f9f4e-3a8f-4c64-9bde-1c2f0d1e2a3b' });
    assert.deepEqual(containerFromCgroup(`0::/kubepods.slice/kubepods-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/crio-${ID}.scope`),
      { containerId: ID, runtime: 'cri-o', podUid: '1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901' });
    assert.deepEqual(containerFromCgroup(`12:memory:/kubepods/besteffort/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/${ID}\n11:cpu:/\n`),
      { containerId: ID, podUid: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9' });
    assert.deepEqual(containerFromCgroup(`0::/system.slice/docker-${ID}.scope`), { containerId: ID, runtime: 'docker' });
    assert.equal(containerFromCgroup('0::/user.slice/session-1.scope\n'), undefined);
  });

  it('maps containerd, CRI-O and Docker metadata to pod, container and image', () => {
    assert.deepEqual(identityFromContainerdSpec({ containerId: ID }, json('containerd-config.json')), {
      containerId: ID, runtime: 'containerd', podNamespace: 'shop', podName: 'web-7f9c6d4b8-x2x4q', podUid: '7d0f9f4e-3a8f-4c64-9bde-1c2f0d1e2a3b', containerName: 'web',
      image: 'registry.example/shop/web@sha256:1111111111111111111111111111111111111111111111111111111111111111',
      imageDigest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    });
    assert.deepEqual(identityFromCrioSpec({ containerId: ID }, json('crio-config.json')), {
      containerId: ID, runtime: 'cri-o', podNamespace: 'payments', podName: 'api-5d8f7c9b6-q7w8e', podUid: '1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901', containerName: 'api',
      image: 'quay.io/payments/api:2.3.1', imageDigest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
    });
    const docker = identityFromDockerConfig({ containerId: ID }, json('docker-config.v2.json'));
    assert.deepEqual(docker, {
      containerId: ID, runtime: 'docker', podNamespace: 'batch', podName: 'jobs-6c7d8e9f0-abcde', podUid: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9', containerName: 'worker',
      image: 'busybox:1.36', imageDigest: 'sha256:4444444444444444444444444444444444444444444444444444444444444444',
    });
    assert.equal(imageKey(docker), 'sha256:4444444444444444444444444444444444444444444444444444444444444444');
    assert.equal(imageKey({ image: 'nginx:1.27' }), 'nginx:1.27');
  });

  it('survives metadata that is not what it should be', () => {
    assert.deepEqual(identityFromContainerdSpec({ containerId: ID }, null), { containerId: ID, runtime: 'containerd' });
    assert.deepEqual(identityFromCrioSpec({ containerId: ID }, { annotations: { 'io.kubernetes.cri-o.Labels': '{not json' } }), { containerId: ID, runtime: 'cri-o' });
    assert.deepEqual(identityFromDockerConfig({ containerId: ID, podUid: 'u' }, [1, 2]), { containerId: ID, runtime: 'docker', podUid: 'u' });
  });

  it('looks in the hinted runtime\'s directories first', () => {
    assert.equal(metadataCandidates({ containerId: ID, runtime: 'cri-o' })[0]!.path, `/run/containers/storage/overlay-containers/${ID}/userdata/config.json`);
    assert.equal(metadataCandidates({ containerId: ID, runtime: 'docker' })[0]!.path, `/var/lib/docker/containers/${ID}/config.v2.json`);
    assert.equal(metadataCandidates({ containerId: ID })[0]!.path, `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${ID}/config.json`);
  });
});
