// `profile` and `verify` from image archives: the busybox test image as an
// OCI archive (plain and gzipped) and as a `docker save` tarball, told apart
// by their content, unpacked into the layer cache and run in the sandbox.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { bufferFiles } from '../src/image/archive.js';
import { openImage } from '../src/image/source.js';
import type { ProfileResult } from '../src/profile/profile.js';
import { busyboxLayers, writeBusyboxImage } from './helpers/busybox-image.js';
import { runCli } from './helpers/cli.js';
import { processesInSandboxes, sandboxDirs, withOwnTmpdir } from './helpers/sandbox-leftovers.js';
import { dockerSaveArchive, ociArchive } from './helpers/image-archives.js';
import { tarLayer } from './helpers/oci-image.js';
import type { LayerEntry } from './helpers/oci-image.js';

const CONFIG = {
  Entrypoint: ['/app/entrypoint.sh'], Env: ['PATH=/bin', 'GREETING=hello'], WorkingDir: '/app', User: '1000:1000', Volumes: { '/data': {} },
};

describe('image archives: OCI archive and docker save', () => {
  let work: string;
  const previousCache = process.env['ROOTLOCK_CACHE'];
  let restoreTmpdir: () => void;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'rootlock-archive-test-'));
    process.env['ROOTLOCK_CACHE'] = join(work, 'cache');
    // This run's sandboxes only: other runs on the machine make theirs elsewhere.
    restoreTmpdir = withOwnTmpdir(join(work, 'tmp'));
    writeBusyboxImage(join(work, 'layout'), CONFIG);
    writeFileSync(join(work, 'busybox.oci.tar'), ociArchive(join(work, 'layout')));
    writeFileSync(join(work, 'busybox.oci.tar.gz'), gzipSync(ociArchive(join(work, 'layout'))));
    // A layer repeated (docker links the second copy to the first): stacked once, at its topmost place.
    const [base, app] = busyboxLayers() as [LayerEntry[], LayerEntry[]];
    const motd: LayerEntry[] = [{ path: 'etc/motd', type: 'file', content: 'hi' }];
    writeFileSync(join(work, 'busybox.docker.tar'), dockerSaveArchive([base, motd, app, motd], CONFIG, 'registry.example/busybox:1'));
    writeFileSync(join(work, 'notes.txt'), 'not an image\n'.repeat(100));
  });
  after(() => {
    restoreTmpdir();
    if (previousCache === undefined) delete process.env['ROOTLOCK_CACHE'];
    else process.env['ROOTLOCK_CACHE'] = previousCache;
    rmSync(work, { recursive: true, force: true });
  });

  it('tells the formats apart by content and reads the image config from each', () => {
    const cache = join(work, 'open-cache');
    const layout = openImage(join(work, 'layout'), cache);
    const oci = openImage(join(work, 'busybox.oci.tar'), cache);
    const gzipped = openImage(join(work, 'busybox.oci.tar.gz'), cache);
    const docker = openImage(join(work, 'busybox.docker.tar:1'), cache);
    assert.deepEqual([layout.kind, oci.kind, gzipped.kind, docker.kind], ['oci-layout', 'oci-archive', 'oci-archive', 'docker-archive']);
    assert.deepEqual(oci.layers, layout.layers, 'the OCI archive holds the same blobs');
    assert.deepEqual(oci.lowerdirs, layout.lowerdirs, 'and shares their cache entries');
    for (const image of [oci, docker]) {
      assert.deepEqual(image.config, { entrypoint: ['/app/entrypoint.sh'], cmd: [], env: ['PATH=/bin', 'GREETING=hello'], workingDir: '/app', user: '1000:1000', volumes: ['/data'] });
    }
    const dirOf = (digest: string): string => join(cache, 'layers', digest.replace(':', '-'));
    assert.equal(docker.layers.length, 4, 'the repeated layer is listed');
    assert.equal(docker.layers[1], docker.layers[3]);
    assert.deepEqual(docker.lowerdirs, [dirOf(docker.layers[3]!), dirOf(docker.layers[2]!), dirOf(docker.layers[0]!)], 'and stacked once, at its topmost place');
    assert.ok(readdirSync(join(cache, 'layers')).every((name) => /^sha256-[0-9a-f]{64}$/.test(name)), 'every layer is content-addressed');
  });

  it('refuses a file that is not an image archive, and a tag the archive does not hold', () => {
    assert.throws(() => openImage(join(work, 'notes.txt'), join(work, 'open-cache')), /notes\.txt: not an image archive/);
    assert.throws(() => openImage(join(work, 'busybox.docker.tar:2'), join(work, 'open-cache')), /no image tagged 2/);
    assert.throws(() => openImage(join(work, 'busybox.oci.tar:nope'), join(work, 'open-cache')), /no image tagged nope/);
  });

  it('follows docker\'s links between layer files and refuses a link to nothing', () => {
    const archive = tarLayer([
      { path: 'a', type: 'dir' },
      { path: 'a/layer.tar', type: 'file', content: 'bytes' },
      { path: 'b', type: 'dir' },
      { path: 'b/layer.tar', type: 'symlink', target: '../a/layer.tar' },
      { path: 'c/layer.tar', type: 'symlink', target: '../missing/layer.tar' },
    ]);
    const files = bufferFiles(archive, 'test.tar');
    assert.equal(files.read('b/layer.tar').toString(), 'bytes');
    assert.throws(() => files.read('c/layer.tar'), /the archive has no c\/layer\.tar/);
  });

  for (const name of ['busybox.oci.tar', 'busybox.oci.tar.gz', 'busybox.docker.tar']) {
    it(`profile ${name} runs the image and proposes what it writes`, async () => {
      const run = await runCli(['profile', name, '--duration', '1500ms', '--format', 'json'], { cwd: work });
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as ProfileResult;
      assert.equal(result.exited, undefined, result.output);
      assert.match(result.output, /kept=yes new=fresh user=1000:1000/);
      assert.doesNotMatch(result.output, /still visible/, 'whiteouts and opaque directories apply');
      assert.deepEqual(result.proposals.map((p) => p.path), ['/run', '/tmp', '/var/cache/app']);
      assert.deepEqual(result.imageVolumes, ['/data']);
      assert.deepEqual({ processes: processesInSandboxes(), dirs: sandboxDirs() }, { processes: [], dirs: [] }, 'nothing of the sandbox outlives the run');
    });
  }

  it('verify --image-source takes a docker save tarball', async () => {
    writeFileSync(join(work, 'pod.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
    - name: app
      image: registry.example/busybox:1
      securityContext: {readOnlyRootFilesystem: true}
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
        - {name: run, mountPath: /run}
  volumes:
    - {name: tmp, emptyDir: {}}
    - {name: run, emptyDir: {}}
`);
    const run = await runCli(['verify', 'pod.yaml', '--image-source', 'busybox.docker.tar', '--settle', '1s', '--format', 'json'], { cwd: work });
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { passed: boolean; readOnlyPaths: string[] };
    assert.equal(result.passed, false);
    assert.deepEqual(result.readOnlyPaths, ['/var/cache/app']);
  });
});
