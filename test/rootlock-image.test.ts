// rootlock's own image (deploy/image, `npm run image`), checked as what it is:
// an OCI archive that skopeo reads and pushes to a real registry, holding no
// shell, no package manager and no node beside rootlock's single executable,
// running as non-root; it runs in the project's sandbox and the drift
// DaemonSet passes `rootlock verify` from it; the drift copy carries exactly
// its two file capabilities once GNU tar unpacks the layer with its xattrs (as
// containerd does), and the kernel refuses to exec it where ALL capabilities
// are dropped, which is why the webhook and the audit run the plain copy; the
// same inputs give the same digest; and the manifests that run it pass
// rootlock's own audit.
//
// Needs root (CI runs as root), skopeo and docker-registry
// (scripts/install-test-deps.sh), GNU tar, getcap and setpriv.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildRootlockImage, sharedLibraries } from '../deploy/image/build.js';
import { openImage } from '../src/image/source.js';
import {
  DRIFT_FILE_CAPABILITIES, IMAGE_CLI, IMAGE_DRIFT_CLI, IMAGE_DRIFT_USER, IMAGE_USER, fileCapabilityText,
} from '../src/image/rootlock-image.js';
import { startSandbox } from '../src/sandbox/run.js';
import { runCli } from './helpers/cli.js';
import { imageContents, rootlockImage } from './helpers/rootlock-image.js';
import type { ImageContents, RootlockImage } from './helpers/rootlock-image.js';
import { assertToolsInstalled, run, skopeoDigest, startRegistry } from './registry/registry-server.js';
import type { RunningRegistry } from './registry/registry-server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const CAPPED = fileCapabilityText(DRIFT_FILE_CAPABILITIES);
const strip = (path: string): string => path.replace(/^\//, '');

interface AuditJson {
  findings: { rule: string; severity: string; object: { kind: string }; exemption?: { reason?: string } }[];
  summary: { errors: number };
}

describe('rootlock\'s image (npm run image)', () => {
  let work: string;
  let image: RootlockImage;
  let contents: ImageContents;
  let registry: RunningRegistry | undefined;

  before(async () => {
    assertToolsInstalled();
    work = mkdtempSync(join(tmpdir(), 'rootlock-image-test-'));
    image = await rootlockImage();
    contents = imageContents(image.archivePath);
  });
  after(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('is an OCI archive skopeo reads: one image, three gzip layers, the digest the build printed, named by the reference', async () => {
    assert.match(image.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(image.reference, `ghcr.io/rootlock/rootlock:${VERSION}`);
    const inspected = JSON.parse((await run('skopeo', ['inspect', `oci-archive:${image.archivePath}`])).stdout.toString()) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
    assert.equal(inspected.Digest, image.digest);
    assert.deepEqual(inspected.Layers, image.layers.map((l) => l.digest));
    assert.equal(inspected.Os, 'linux');
    const config = JSON.parse((await run('skopeo', ['inspect', '--config', `oci-archive:${image.archivePath}:${VERSION}`])).stdout.toString()) as ImageContents['config'];
    assert.deepEqual(config.rootfs.diff_ids, image.layers.map((l) => l.diffId));
    assert.deepEqual(contents.manifest.layers.map((l) => l.mediaType), Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    const index = JSON.parse(spawnSync('tar', ['-xOf', image.archivePath, 'index.json'], { encoding: 'utf8' }).stdout) as { manifests: { annotations: Record<string, string> }[] };
    assert.deepEqual(index.manifests[0]!.annotations, { 'io.containerd.image.name': image.reference, 'org.opencontainers.image.ref.name': VERSION });
  });

  it('runs as non-root, with the plain executable as entrypoint; holds rootlock twice and node\'s libraries, and no node, shell or package manager', () => {
    const run = contents.config.config;
    assert.equal(run['User'], `${IMAGE_USER.uid}:${IMAGE_USER.gid}`);
    assert.deepEqual(run['Entrypoint'], [IMAGE_CLI]);
    const entries = contents.layers.flatMap((layer) => layer.entries);
    const passwd = entries.find((e) => e.path === 'etc/passwd')!.data.toString();
    assert.match(passwd, new RegExp(`^${IMAGE_USER.name}:x:${IMAGE_USER.uid}:${IMAGE_USER.gid}:`, 'm'));
    assert.match(passwd, new RegExp(`^${IMAGE_DRIFT_USER.name}:x:${IMAGE_DRIFT_USER.uid}:${IMAGE_DRIFT_USER.gid}:`, 'm'));
    for (const tool of ['node', 'nodejs', 'sh', 'bash', 'dash', 'ash', 'busybox', 'env', 'apt', 'apt-get', 'dpkg', 'apk', 'rpm', 'microdnf', 'npm', 'npx', 'setcap']) {
      assert.deepEqual(entries.filter((e) => e.path.split('/').pop() === tool).map((e) => e.path), [], `no ${tool}`);
    }
    // The only executables are the two copies of rootlock and what ldd names for the node they are built from.
    const expected = [strip(IMAGE_CLI), strip(IMAGE_DRIFT_CLI), ...sharedLibraries(process.execPath).map(strip)].sort();
    const executables = entries.filter((e) => e.type === 'file' && (e.mode & 0o111) !== 0).map((e) => e.path).sort();
    assert.deepEqual(executables, expected);
    // Nothing else of rootlock: no dist/, node_modules or package.json beside the executable.
    assert.deepEqual(entries.filter((e) => e.type === 'file' && e.path.startsWith('opt/')).map((e) => e.path).sort(), [strip(IMAGE_CLI), strip(IMAGE_DRIFT_CLI)].sort());
    const [plain, capped] = [IMAGE_CLI, IMAGE_DRIFT_CLI].map((path) => entries.find((e) => e.path === strip(path))!.data);
    assert.ok(plain!.equals(capped!), 'the drift copy is the same executable');
    assert.ok(entries.every((e) => e.uid === 0 && e.gid === 0), 'every file belongs to root');
  });

  it('runs `rootlock --version` and prints the same manifests as this checkout, in the sandbox from the unpacked layers', async () => {
    const opened = openImage(image.archivePath, join(work, 'layer-cache'));
    assert.equal(opened.config.user, `${IMAGE_USER.uid}:${IMAGE_USER.gid}`);
    const runInImage = async (args: string[]): Promise<{ code: number | null; output: string }> => {
      const sandbox = startSandbox({
        lowerdirs: opened.lowerdirs, argv: [...opened.config.entrypoint, ...args], env: opened.config.env, workingDir: '/',
        uid: IMAGE_USER.uid, gid: IMAGE_USER.gid, volumes: [], readOnlyRoot: true,
      });
      try {
        return { code: await sandbox.exited, output: sandbox.output() };
      } finally {
        await sandbox.stop();
        sandbox.remove();
      }
    };
    assert.deepEqual(await runInImage(['--version']), { code: 0, output: `${VERSION}\n` });
    const inImage = await runInImage(['drift', 'manifests', '--image', 'registry.example/rootlock:1']);
    const here = await runCli(['drift', 'manifests', '--image', 'registry.example/rootlock:1'], { cwd: work });
    assert.deepEqual(inImage, { code: 0, output: here.stdout });
  });

  it('runs the drift DaemonSet as printed: `rootlock verify` with the image passes (read-only root, its probe answers)', async () => {
    writeFileSync(join(work, 'drift.yaml'), (await runCli(['drift', 'manifests'], { cwd: work })).stdout);
    const verified = await runCli(['verify', 'drift.yaml', '--image-source', image.archivePath, '--settle', '2s', '--format', 'json'], { cwd: work });
    const result = JSON.parse(verified.stdout) as { passed: boolean; readOnlyPaths: string[]; output: string; probe?: { ok: boolean; from: string } };
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.equal(result.passed, true, result.output);
    assert.deepEqual(result.readOnlyPaths, []);
    assert.deepEqual([result.probe?.ok, result.probe?.from], [true, 'readinessProbe']);
    assert.match(result.output, /rootlock drift watch: every 30s/);
  });

  it(`carries ${CAPPED} on the drift copy only, once unpacked with its xattrs; the kernel refuses it where ALL capabilities are dropped`, () => {
    for (const [i, name] of ['runtime', 'drift', 'rootlock'].entries()) writeFileSync(join(work, `${name}.tar`), contents.layers[i]!.tar);
    const root = join(work, 'root');
    const asUser = (user: { uid: number; gid: number }, bounding: string): string =>
      `setpriv --reuid=${user.uid} --regid=${user.gid} --clear-groups --inh-caps=-all --bounding-set=${bounding} --no-new-privs`;
    const added = ['-all', ...DRIFT_FILE_CAPABILITIES.map((c) => `+${c.toLowerCase()}`)].join(',');
    // A tmpfs of its own, in a private mount namespace: file capabilities are ignored on a nosuid mount.
    // The capped copy's effective set is read from /proc while it waits on a FIFO for standard input.
    const script = [
      'set -e',
      'mkdir -p "$1" && mount -t tmpfs -o mode=0755 tmpfs "$1"',
      'for layer in runtime drift rootlock; do tar --xattrs --xattrs-include=security.capability -xpf "$2/$layer.tar" -C "$1"; done',
      `echo "caps: $(getcap "$1${IMAGE_DRIFT_CLI}")"`,
      `echo "plain: $(getcap "$1${IMAGE_CLI}")"`,
      `${asUser(IMAGE_USER, '-all')} "$1${IMAGE_CLI}" --version`,
      `${asUser(IMAGE_USER, '-all')} "$1${IMAGE_DRIFT_CLI}" --version 2>&1 || echo "capped copy, ALL dropped: exit $?"`,
      'mkfifo "$2/stdin"',
      `${asUser(IMAGE_DRIFT_USER, added)} "$1${IMAGE_DRIFT_CLI}" audit - --no-config < "$2/stdin" > /dev/null 2>&1 &`,
      'pid=$!',
      'exec 3> "$2/stdin"',
      'i=0; while [ "$(readlink /proc/$pid/exe)" != "$1' + IMAGE_DRIFT_CLI + '" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done',
      'grep "^CapEff" /proc/$pid/status',
      'exec 3>&-',
      'wait $pid || true',
    ].join('\n');
    const result = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', root, work], {
      encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      `caps: ${root}${IMAGE_DRIFT_CLI} ${CAPPED}`,
      'plain: ',
      VERSION,
      `setpriv: failed to execute ${root}${IMAGE_DRIFT_CLI}: Operation not permitted`,
      'capped copy, ALL dropped: exit 126',
      // cap_dac_read_search (bit 2) and cap_sys_ptrace (bit 19), nothing else.
      'CapEff:\t0000000000080004',
    ]);
  });

  it('has the same digest, byte for byte, when built again from nothing (a fresh cache, the executable built again)', async () => {
    const again = await buildRootlockImage({ cacheDir: join(work, 'fresh-cache'), rebuild: true });
    assert.equal(again.built, true);
    assert.equal(again.digest, image.digest);
    const hash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
    assert.equal(hash(again.archivePath), hash(image.archivePath));
    // The cache answers for the same inputs without building.
    const cached = await buildRootlockImage({ cacheDir: join(work, 'fresh-cache') });
    assert.deepEqual([cached.built, cached.digest, cached.archivePath], [false, image.digest, again.archivePath]);
    // A different name is a different index.json, not a different image.
    const renamed = await buildRootlockImage({ cacheDir: join(work, 'fresh-cache'), reference: 'registry.example/team/rootlock:test', out: join(work, 'renamed.oci.tar') });
    assert.deepEqual([renamed.digest, renamed.archivePath], [image.digest, join(work, 'renamed.oci.tar')]);
  });

  it('pushes with `skopeo copy oci-archive:... docker://` to a registry, which serves it under the same digest', async () => {
    registry = await startRegistry({ dir: mkdtempSync(join(work, 'registry-')), auth: { kind: 'none' } });
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${image.archivePath}`, `docker://${registry.host}/rootlock:${VERSION}`]);
    assert.equal(await skopeoDigest(registry.host, `rootlock:${VERSION}`), image.digest);
  });

  it('runs from manifests that pass rootlock\'s own audit: nothing but the findings waived with a reason', async () => {
    const pinned = `${registry?.host ?? '127.0.0.1:5000'}/rootlock:${VERSION}@${image.digest}`;
    const certs = await runCli(['webhook', 'certs', '--service', 'rootlock-webhook', '-n', 'rootlock-system', '-o', 'certs'], { cwd: work });
    assert.equal(certs.code, 0, certs.stderr);
    const webhook = await runCli(['webhook', 'manifests', '--certs', 'certs', '--image', pinned, '--mutate'], { cwd: work });
    const drift = await runCli(['drift', 'manifests', '--image', pinned], { cwd: work });
    assert.equal(webhook.code + drift.code, 0, webhook.stderr + drift.stderr);
    writeFileSync(join(work, 'install.yaml'), `${webhook.stdout}---\n${drift.stdout}`);
    const audit = await runCli(['audit', 'install.yaml', '--format', 'json', '--no-config'], { cwd: work, allRules: true });
    const report = JSON.parse(audit.stdout) as AuditJson;
    assert.equal(audit.code, 0, audit.stdout);
    assert.equal(report.summary.errors, 0);
    assert.deepEqual(report.findings.filter((f) => !f.exemption).map((f) => `${f.severity} ${f.rule} ${f.object.kind}`), []);
    assert.deepEqual(report.findings.filter((f) => f.exemption).map((f) => `${f.rule} ${f.object.kind}`).sort(), [
      'configmap-secret-immutable ConfigMap', 'configmap-secret-immutable Secret',
      // The drift namespace is Pod Security `privileged` (hostPath mounts need it), waived with that reason.
      'namespace-pod-security Namespace', 'no-added-capabilities DaemonSet', 'no-added-capabilities DaemonSet', 'no-writable-host-path DaemonSet',
    ]);
    assert.ok(report.findings.filter((f) => f.exemption).every((f) => (f.exemption?.reason ?? '').length > 20));
    // Each runs the copy it can exec: the webhook the image's entrypoint (the plain one), drift the capped one.
    const objects = parseAllDocuments(readFileSync(join(work, 'install.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>); // `any`: the test walks manifest fields
    const container = (kind: string): Record<string, any> => objects.find((o) => o?.['kind'] === kind)!['spec']['template']['spec']['containers'][0]; // `any`: as above
    assert.equal(container('Deployment')['command'], undefined);
    assert.deepEqual(container('Deployment')['securityContext']['capabilities'], { drop: ['ALL'] });
    assert.deepEqual(container('DaemonSet')['command'], [IMAGE_DRIFT_CLI]);
  });
});
