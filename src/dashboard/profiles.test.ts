import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyConfig } from '../core/config.js';
import { BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from '../core/workloads.js';
import type { Workload } from '../core/workloads.js';
import { parseManifests } from '../input/kube-yaml.js';
import { NGINX_PROFILE } from '../../test/helpers/profile-fixture.js';
import { pathCoverage, ProfileMatcher, writtenPaths } from './profiles.js';

function pod(spec: Record<string, unknown>): Workload {
  const workload = workloadOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec }, BUILTIN_POD_SPEC_LOCATIONS);
  assert.ok(workload);
  return workload;
}

describe('profile results against the containers that run the image', () => {
  it('lists the proposed directories, the paths the profiled pod\'s volumes held and the files at /, once each', () => {
    assert.deepEqual(writtenPaths({ ...NGINX_PROFILE, coveredByVolumes: ['/data/db', '/run'], atRoot: ['/app.pid'] }), ['/run', '/var/cache/nginx', '/var/log/nginx', '/data/db', '/app.pid']);
  });

  it('says which paths a writable volume covers, which a read-only one blocks, and which meet the root filesystem', () => {
    const workload = pod({
      containers: [{
        name: 'nginx', image: 'nginx:1.27', securityContext: { readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'run', mountPath: '/var/run' }, { name: 'cache', mountPath: '/var/cache' }, { name: 'logs', mountPath: '/var/log/nginx', readOnly: true }],
      }],
      volumes: [{ name: 'run', emptyDir: {} }, { name: 'cache', configMap: { name: 'c' } }],
    });
    const coverage = pathCoverage(NGINX_PROFILE, workload, workload.containers[0]!);
    assert.deepEqual(coverage, [
      // /var/run and /run are one directory.
      { path: '/run', status: 'covered', mount: { mountPath: '/var/run', volume: 'run', volumeType: 'emptyDir' } },
      { path: '/var/cache/nginx', status: 'read-only-mount', mount: { mountPath: '/var/cache', volume: 'cache', volumeType: 'configMap' } },
      { path: '/var/log/nginx', status: 'read-only-mount', mount: { mountPath: '/var/log/nginx', volume: 'logs', volumeType: 'undeclared' } },
    ]);
  });

  it('tells a container that already has a read-only root (fails) from one that does not yet (would fail)', () => {
    const readOnly = pod({ securityContext: {}, containers: [{ name: 'a', image: 'nginx:1.27', securityContext: { readOnlyRootFilesystem: true } }] });
    const writable = pod({ containers: [{ name: 'a', image: 'nginx:1.27' }] });
    assert.deepEqual(pathCoverage(NGINX_PROFILE, readOnly, readOnly.containers[0]!).map((c) => c.status), ['fails', 'fails', 'fails']);
    assert.deepEqual(pathCoverage(NGINX_PROFILE, writable, writable.containers[0]!).map((c) => c.status), ['would-fail', 'would-fail', 'would-fail']);
  });

  it('matches containers by the profile\'s image name as fix --profile does, with their file and line', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: other}
spec:
  containers: [{name: a, image: busybox}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers: [{name: init, image: busybox}]
      containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts: [{name: tmp, mountPath: /var/cache/nginx}]
      volumes: [{name: tmp, emptyDir: {}}]
`;
    const matcher = new ProfileMatcher([{ file: 'nginx.json', profile: NGINX_PROFILE }, { file: 'unnamed.json', profile: { ...NGINX_PROFILE, imageName: undefined as never } }], emptyConfig());
    for (const document of parseManifests(text, 'web.yaml').documents) matcher.add('web.yaml', document);
    const [named, unnamed] = matcher.result();
    assert.deepEqual(unnamed?.uses, []);
    assert.equal(named?.uses.length, 1);
    const use = named!.uses[0]!;
    assert.deepEqual({ file: use.file, line: use.line, object: use.object, container: use.container, readOnlyRoot: use.readOnlyRoot }, {
      file: 'web.yaml', line: 7, object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }, container: 'nginx', readOnlyRoot: false,
    });
    assert.deepEqual(use.paths.map((c) => `${c.path} ${c.status}`), ['/run would-fail', '/var/cache/nginx covered', '/var/log/nginx would-fail']);
  });
});
