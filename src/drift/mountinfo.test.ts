import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/repo.js';
import { parseMountinfo, parseOverlayOptions, rootMount, unescapeOctal } from './mountinfo.js';

const fixture = (name: string): string => readFileSync(join(repoRoot(), 'src/drift/fixtures', name), 'utf8');

function rootLayers(name: string): ReturnType<typeof parseOverlayOptions> {
  const { mounts, problems } = parseMountinfo(fixture(name));
  assert.deepEqual(problems, []);
  const root = rootMount(mounts);
  assert.equal(root?.fsType, 'overlay');
  return parseOverlayOptions(root!.superOptions);
}

describe('mountinfo', () => {
  it('finds a containerd container root: three snapshot lowerdirs, topmost first', () => {
    const snapshots = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots';
    assert.deepEqual(rootLayers('mountinfo-containerd.txt'), {
      lowerdirs: [`${snapshots}/301/fs`, `${snapshots}/300/fs`, `${snapshots}/12/fs`],
      upperdir: `${snapshots}/318/fs`,
      workdir: `${snapshots}/318/work`,
      metacopy: false,
    });
  });

  it('finds a CRI-O container root with metacopy=on and volatile', () => {
    const layers = rootLayers('mountinfo-crio.txt');
    assert.ok(!('error' in layers));
    assert.equal(layers.metacopy, true);
    assert.deepEqual(layers.lowerdirs, ['/var/lib/containers/storage/overlay/l/5QDZ3UQTQ7HQG2DNPNNQL3J6ZK', '/var/lib/containers/storage/overlay/l/ZWQ4M6XJ2GQW3T2O5K7G2B5NHL']);
    assert.equal(layers.upperdir, '/var/lib/containers/storage/overlay/6b6e2c0c1d0a6b9c2b5a0b3f8e5d7c1a9f0e2d4c6b8a0f1e3d5c7b9a1f0e2d4c/diff');
  });

  it('finds a Docker container root', () => {
    const layers = rootLayers('mountinfo-docker.txt');
    assert.ok(!('error' in layers));
    assert.deepEqual(layers.lowerdirs, ['/var/lib/docker/overlay2/l/EM4VNIXZ3PEXPJ7GJKSZJ6KQHT', '/var/lib/docker/overlay2/l/6XFNKJTSFEP4NS5GAB2MH7YYJ5']);
    assert.equal(layers.upperdir, '/var/lib/docker/overlay2/0e1f0b4cfc6b/diff');
  });

  it('resolves Docker\'s relative l/ lowerdirs against the overlay2 directory', () => {
    const layers = rootLayers('mountinfo-docker-relative.txt');
    assert.ok(!('error' in layers));
    assert.deepEqual(layers.lowerdirs, ['/var/lib/docker/overlay2/l/AAAA', '/var/lib/docker/overlay2/l/BBBB', '/var/lib/docker/overlay2/l/CCCC']);
    assert.equal(parseOverlayOptions('lowerdir=l/A,upperdir=u/diff', '/base').hasOwnProperty('error'), false);
    assert.deepEqual(parseOverlayOptions('lowerdir=l/A,upperdir=u/diff', '/base'), { lowerdirs: ['/base/l/A'], upperdir: '/base/u/diff', metacopy: false });
  });

  it('undoes octal escapes in mount points and sources, and escaped commas and colons in layer paths', () => {
    const { mounts } = parseMountinfo(fixture('mountinfo-docker-relative.txt'));
    assert.equal(mounts[1]!.mountPoint, '/mnt/my data');
    assert.equal(mounts[1]!.source, 'my tmpfs');
    assert.deepEqual(mounts[2]!.optionalFields, ['shared:1', 'master:2']);
    assert.equal(mounts[2]!.mountPoint, '/srv/with,comma');
    assert.deepEqual(parseOverlayOptions(mounts[2]!.superOptions), { lowerdirs: ['/layers/a,b:c', '/layers/d'], upperdir: '/up per/diff', workdir: '/up per/work', metacopy: false });
    assert.equal(unescapeOctal('a\\134b\\011c'), 'a\\b\tc');
  });

  it('takes the last mount at / as the root, and reads lowerdir+ layers of newer kernels', () => {
    const text = '20 1 8:1 / / rw - ext4 /dev/sda1 rw\n30 20 0:50 / / rw - overlay overlay rw,lowerdir+=/a,lowerdir+=/b,upperdir=/u/diff,workdir=/u/work\n';
    const root = rootMount(parseMountinfo(text).mounts);
    assert.equal(root?.mountId, 30);
    assert.deepEqual(parseOverlayOptions(root!.superOptions), { lowerdirs: ['/a', '/b'], upperdir: '/u/diff', workdir: '/u/work', metacopy: false });
  });

  it('reports malformed lines and read-only overlays instead of throwing', () => {
    const { mounts, problems } = parseMountinfo('garbage line\n25 1 0:1 / /x rw - tmpfs t rw\n');
    assert.equal(mounts.length, 1);
    assert.deepEqual(problems.map((p) => p.line), [1]);
    assert.deepEqual(parseOverlayOptions('lowerdir=/a:/b'), { error: 'overlay mount without upperdir (read-only overlay: nothing can drift)' });
  });
});
