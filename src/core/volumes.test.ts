import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalPath, isSameOrBelow, isWritableMount, mountCovers, mountsOf, volumeType, volumesByName } from './volumes.js';
import { workloadOf, BUILTIN_POD_SPEC_LOCATIONS } from './workloads.js';
import type { JsonObject } from './types.js';

function workload(spec: JsonObject) {
  const found = workloadOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }, BUILTIN_POD_SPEC_LOCATIONS);
  assert.ok(found);
  return found;
}

describe('volumes', () => {
  it('canonicalises paths and spells /var/run as /run', () => {
    assert.equal(canonicalPath('/tmp/'), '/tmp');
    assert.equal(canonicalPath('//var//cache/'), '/var/cache');
    assert.equal(canonicalPath('/var/run'), '/run');
    assert.equal(canonicalPath('/var/run/nginx.pid'), '/run/nginx.pid');
    assert.equal(canonicalPath('/var/running'), '/var/running');
    assert.equal(canonicalPath('/'), '/');
  });

  it('covers a path by equality or by a parent directory, never by a sibling prefix or a child', () => {
    assert.ok(mountCovers('/tmp', '/tmp'));
    assert.ok(mountCovers('/var', '/var/cache/nginx'));
    assert.ok(mountCovers('/run', '/var/run/postgresql'));
    assert.ok(mountCovers('/var/run', '/run/mysqld'));
    assert.ok(mountCovers('/', '/anything'));
    assert.ok(!mountCovers('/var/cache/nginx/client_temp', '/var/cache/nginx'));
    assert.ok(!mountCovers('/tm', '/tmp'));
    assert.ok(!mountCovers('/var/cache', '/var/cache-nginx'));
    assert.ok(isSameOrBelow('/etc/ssl', '/etc'));
  });

  it('indexes volumes by name, first one wins, and finds their type', () => {
    const volumes = volumesByName({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', secret: {} }, 'junk', { emptyDir: {} }] });
    assert.deepEqual([...volumes.keys()], ['a']);
    assert.equal(volumeType(volumes.get('a') as JsonObject), 'emptyDir');
    assert.equal(volumeType({ name: 'x' }), undefined);
    assert.equal(volumesByName({ volumes: 'nope' }).size, 0);
  });

  it('resolves mounts and decides which are writable', () => {
    const w = workload({
      containers: [{
        name: 'c',
        volumeMounts: [
          { name: 'scratch', mountPath: '/tmp', subPath: 'a' },
          { name: 'scratch', mountPath: '/ro', readOnly: true },
          { name: 'config', mountPath: '/etc/app' },
          { name: 'claim', mountPath: '/data' },
          { name: 'frozen', mountPath: '/frozen' },
          { name: 'host', mountPath: '/host' },
          { name: 'generic', mountPath: '/generic' },
          { name: 'missing', mountPath: '/missing' },
          { name: 'nfs', mountPath: '/nfs' },
          'junk',
        ],
      }],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'config', configMap: { name: 'x' } },
        { name: 'claim', persistentVolumeClaim: { claimName: 'c' } },
        { name: 'frozen', persistentVolumeClaim: { claimName: 'c', readOnly: true } },
        { name: 'host', hostPath: { path: '/var/log' } },
        { name: 'generic', ephemeral: { volumeClaimTemplate: {} } },
        { name: 'nfs', nfs: { server: 's', path: '/' } },
      ],
    });
    const container = w.containers[0];
    assert.ok(container);
    const mounts = mountsOf(w, container);
    assert.equal(mounts.length, 9);
    assert.deepEqual(mounts[0]?.path, ['spec', 'containers', 0, 'volumeMounts', 0]);
    assert.deepEqual(
      Object.fromEntries(mounts.map((m) => [m.mountPath, isWritableMount(m)])),
      { '/tmp': true, '/ro': false, '/etc/app': false, '/data': true, '/frozen': false, '/host': true, '/generic': true, '/missing': false, '/nfs': false },
    );
    assert.equal(mounts[7]?.volume, undefined);
    assert.deepEqual(mounts.map((m) => m.subPath), ['a', undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
