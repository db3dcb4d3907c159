// `rootlock profile` end to end on a real image: the host's static busybox in
// an OCI layout (two layers, a whiteout and an opaque directory), unpacked
// into the layer cache, run in the namespace sandbox on a real overlay.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProfileResult } from '../src/profile/profile.js';
import { writeBusyboxImage } from './helpers/busybox-image.js';
import { runCli } from './helpers/cli.js';
import { processesInSandboxes, sandboxDirs, withOwnTmpdir } from './helpers/sandbox-leftovers.js';

describe('rootlock profile on a busybox OCI image', () => {
  let work: string;
  let image: string;
  const previousCache = process.env['ROOTLOCK_CACHE'];
  let restoreTmpdir: () => void;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'rootlock-profile-test-'));
    image = join(work, 'image');
    writeBusyboxImage(image);
    process.env['ROOTLOCK_CACHE'] = join(work, 'cache');
    // This run's sandboxes only: other runs on the machine make theirs elsewhere.
    restoreTmpdir = withOwnTmpdir(join(work, 'tmp'));
  });
  after(() => {
    restoreTmpdir();
    if (previousCache === undefined) delete process.env['ROOTLOCK_CACHE'];
    else process.env['ROOTLOCK_CACHE'] = previousCache;
    rmSync(work, { recursive: true, force: true });
  });

  const profile = async (extra: string[] = []): Promise<ProfileResult> => {
    const before = sandboxDirs();
    const run = await runCli(['profile', image, '--duration', '1500ms', '--format', 'json', ...extra], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(processesInSandboxes(), [], 'no process outlives the profile');
    assert.deepEqual(sandboxDirs().filter((d) => !before.includes(d)), [], 'the sandbox directory is removed');
    return JSON.parse(run.stdout) as ProfileResult;
  };

  it('finds exactly the directories the entrypoint writes and proposes /tmp, /run for /var/run, /var/cache/app', async () => {
    const result = await profile();
    assert.equal(result.exited, undefined, `the program kept running: ${result.output}`);
    assert.deepEqual(result.changes.map((c) => `${c.kind} ${c.path}`).sort(), [
      'added /run/app.pid', 'added /tmp/started', 'added /var/cache/app', 'added /var/cache/app/data',
    ]);
    assert.deepEqual(result.proposals.map((p) => p.path), ['/run', '/tmp', '/var/cache/app']);
    assert.deepEqual(result.proposals.map((p) => p.bytes), [2, 8, 4096]);
    assert.deepEqual(result.imageVolumes, ['/data']);
    assert.deepEqual(result.user, { uid: 1000, gid: 1000 });
  });

  it('runs the program as the image says, in its own namespaces, with the layers\' whiteouts applied', async () => {
    const result = await profile();
    assert.match(result.output, /kept=yes new=fresh user=1000:1000 host=rootlock-sandbox pid=1 cwd=\/app greeting=hello/);
    assert.doesNotMatch(result.output, /still visible/);
  });

  it('unpacks each layer once into the cache', () => {
    const layers = readdirSync(join(work, 'cache', 'layers'));
    assert.equal(layers.length, 2);
    assert.ok(layers.every((name) => /^sha256-[0-9a-f]{64}$/.test(name)));
    const layerDirs = layers.map((name) => join(work, 'cache', 'layers', name));
    const top = layerDirs.filter((dir) => existsSync(join(dir, 'app', 'entrypoint.sh')));
    assert.equal(top.length, 1);
    const whiteout = lstatSync(join(top[0]!, 'etc', 'removed'));
    assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'the .wh. file became an overlay whiteout');
    const opaque = execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(top[0]!, 'etc', 'replaced')], { encoding: 'utf8' });
    assert.equal(opaque, 'y', 'the .wh..wh..opq marker became the opaque xattr');
    assert.ok(!existsSync(join(top[0]!, 'etc', 'replaced', '.wh..wh..opq')));
  });

  it('with --pod: runs the manifest\'s command, user and env, and leaves out what its volumes cover', async () => {
    writeFileSync(join(work, 'pod.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsUser: 1001, runAsGroup: 1002}
  containers:
    - name: sidecar
      image: busybox
    - name: app
      image: app
      env:
        - {name: GREETING, value: from-pod}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: s, key: k}}
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
        - {name: run, mountPath: /var/run}
  volumes:
    - name: tmp
      emptyDir: {medium: Memory, sizeLimit: 1Mi}
    - name: run
      emptyDir: {}
`);
    const result = await profile(['--pod', 'pod.yaml', '--container', 'app']);
    assert.equal(result.container, 'app');
    assert.deepEqual(result.user, { uid: 1001, gid: 1002 });
    assert.match(result.output, /user=1001:1002 .*greeting=from-pod/);
    assert.deepEqual(result.placeholderEnv, ['TOKEN']);
    assert.deepEqual(result.changes.map((c) => c.path).sort(), ['/var/cache/app', '/var/cache/app/data'], 'writes to the mounted volumes stay out of the overlay; /var/run is mounted where the image links it, /run');
    assert.deepEqual(result.proposals.map((p) => p.path), ['/var/cache/app']);
  });

  it('reports a program that exits early, with its exit code and output', async () => {
    writeFileSync(join(work, 'exits.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: exits}
spec:
  containers:
    - name: app
      image: app
      command: [/bin/sh, -c]
      args: ['echo bye > /tmp/last; echo leaving; exit 3']
`);
    const result = await profile(['--pod', 'exits.yaml']);
    assert.deepEqual(result.exited, { code: 3 });
    assert.deepEqual(result.argv, ['/bin/sh', '-c', 'echo bye > /tmp/last; echo leaving; exit 3']);
    assert.match(result.output, /leaving/);
    assert.deepEqual(result.proposals.map((p) => p.path), ['/tmp']);
  });

  it('fix --profile mounts what the profile saw written, ahead of the knowledge base', async () => {
    const profiled = await runCli(['profile', image, '--duration', '1s', '--image-name', 'registry.example/app:1.0', '--format', 'json', '-o', 'result.json'], { cwd: work });
    assert.equal(profiled.code, 0, profiled.stderr);
    writeFileSync(join(work, 'deploy.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
`);
    const fixed = await runCli(['fix', '--profile', 'result.json', '--rules', 'read-only-root-filesystem,writable-paths-mounted', 'deploy.yaml'], { cwd: work });
    assert.equal(fixed.code, 0, fixed.stderr);
    const mounts = [...fixed.stdout.matchAll(/^\+ +mountPath: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(mounts, ['/run', '/tmp', '/var/cache/app']);
    assert.match(fixed.stdout + fixed.stderr, /\/var\/cache\/app \(rootlock profile saw 1 path written, 4096 bytes\)/);
    const unprofiled = await runCli(['fix', '--profile', 'deploy.yaml', 'deploy.yaml'], { cwd: work });
    assert.equal(unprofiled.code, 2);
  });

  it('fix --profile does not drop ALL capabilities of an image the profile saw run as root: a person decides', async () => {
    // The result of the test above, as a profile of a root image: a profile sees writes, not the capabilities used.
    const result = JSON.parse(readFileSync(join(work, 'result.json'), 'utf8')) as ProfileResult;
    writeFileSync(join(work, 'root.json'), JSON.stringify({ ...result, user: { ...result.user, uid: 0 } }));
    const asRoot = await runCli(['fix', '--no-config', '--profile', 'root.json', 'deploy.yaml'], { cwd: work });
    assert.equal(asRoot.code, 0, asRoot.stderr);
    assert.doesNotMatch(asRoot.stdout, /drop:\n\+? *- ALL/);
    assert.match(asRoot.stdout + asRoot.stderr, /human +drop-all-capabilities \[app\]: .*\n +why: image registry.example\/app:1.0 runs as root and its knowledge entry \(profile:registry.example\/app:1.0\) does not say which capabilities it needs/);
    writeFileSync(join(work, 'nonroot.json'), JSON.stringify({ ...result, user: { ...result.user, uid: 1000 } }));
    const asUser = await runCli(['fix', '--no-config', '--profile', 'nonroot.json', 'deploy.yaml'], { cwd: work });
    assert.equal(asUser.code, 0, asUser.stderr);
    assert.match(asUser.stdout + asUser.stderr, /fixed +drop-all-capabilities \[app\]/);
  });

  const verifyPod = (mounts: string[]): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
          securityContext: {readOnlyRootFilesystem: true}
          volumeMounts:
${mounts.map((path, i) => `            - {name: v${i}, mountPath: ${path}}`).join('\n')}
      volumes:
${mounts.map((_, i) => `        - {name: v${i}, emptyDir: {}}`).join('\n')}
`;

  it('audit --format html --profile shows what the profile saw written and which of it the workload\'s volumes cover', async () => {
    // result.json is the real profile made by the fix --profile test; this Deployment mounts an emptyDir at /tmp only.
    writeFileSync(join(work, 'mounted.yaml'), verifyPod(['/tmp']));
    const run = await runCli(['audit', 'mounted.yaml', '--format', 'html', '--profile', 'result.json'], { cwd: work });
    assert.notEqual(run.code, 2, run.stderr);
    const section = /<section id="rl-profiles".*?<\/section>/s.exec(run.stdout)?.[0] ?? '';
    assert.match(section, /<h3>registry\.example\/app:1\.0<\/h3>/);
    const rows = [...section.matchAll(/<tr class="profile-use" data-status="([a-z-]+)">.*?<td class="mono">([^<]+)<\/td>/g)].map((m) => `${m[2]} ${m[1]}`);
    assert.deepEqual(rows, ['/run fails', '/tmp covered', '/var/cache/app fails']);
  });

  it('verify passes with the proposed volumes on a read-only root, and fails naming what is missing', async () => {
    writeFileSync(join(work, 'fixed.yaml'), verifyPod(['/tmp', '/var/run', '/var/cache/app']));
    const passed = await runCli(['verify', 'fixed.yaml', '--image-source', image, '--settle', '1s'], { cwd: work });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /^PASS Deployment\/app container app/);
    assert.deepEqual(processesInSandboxes(), []);
    writeFileSync(join(work, 'missing.yaml'), verifyPod(['/tmp', '/var/run']));
    const failed = await runCli(['verify', 'missing.yaml', '--image-source', image, '--settle', '1s', '--format', 'json'], { cwd: work });
    assert.equal(failed.code, 1, failed.stderr);
    const result = JSON.parse(failed.stdout) as { passed: boolean; readOnlyPaths: string[]; output: string };
    assert.equal(result.passed, false);
    assert.deepEqual(result.readOnlyPaths, ['/var/cache/app'], result.output);
    assert.match(result.output, /can't create directory '\/var\/cache\/app': Read-only file system/);
    assert.deepEqual(processesInSandboxes(), []);
  });

  it('refuses a bad duration and an unknown image source', async () => {
    const bad = await runCli(['profile', image, '--duration', 'soon'], { cwd: work });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--duration soon/);
    const missing = await runCli(['profile', join(work, 'nothing-here')], { cwd: work });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not an OCI image layout, an image archive or a root filesystem directory/);
  });
});
