// `profile` and `verify` of an image pulled from a real registry: Debian's
// docker-registry on 127.0.0.1 (token auth with an anonymous and a
// credentialed flow, and htpasswd basic auth), the busybox test image pushed
// with skopeo, alone and in a multi-platform index whose first entry is for
// another architecture. Layers land in the content-addressed cache, verified
// by digest, and are not downloaded twice.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pullImage } from '../../src/image/pull.js';
import { layerCacheDir } from '../../src/image/unpack.js';
import type { ProfileResult } from '../../src/profile/profile.js';
import { dockerConfigCredentials } from '../../src/registry/docker-config.js';
import { RegistryError } from '../../src/registry/errors.js';
import { hostPlatform } from '../../src/registry/platform.js';
import { nodeTransport } from '../../src/registry/transport.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { runCli } from '../helpers/cli.js';
import { processesInSandboxes, sandboxDirs, withOwnTmpdir } from '../helpers/sandbox-leftovers.js';
import { assertToolsInstalled, htpasswdFile, selfSignedCertificate, skopeoPush, startRegistry, type RunningRegistry } from './registry-server.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const USER = 'bob';
const PASSWORD = 'pull: me';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface IndexEntry { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }

function readIndex(layout: string): IndexEntry[] {
  return (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: IndexEntry[] }).manifests;
}

/**
 * Adds tag `multi` to `layout`: an index whose first entry is another image for
 * another architecture (from `other`, a second layout), then the layout's own
 * image for this machine's platform.
 */
function addMultiPlatformIndex(layout: string, other: string): void {
  for (const name of readdirSync(join(other, 'blobs', 'sha256'))) copyFileSync(join(other, 'blobs', 'sha256', name), join(layout, 'blobs', 'sha256', name));
  const host = hostPlatform();
  const foreign = host.architecture === 'amd64' ? { os: 'linux', architecture: 'arm64', variant: 'v8' } : { os: 'linux', architecture: 'amd64' };
  const own = readIndex(layout)[0]!;
  const theirs = readIndex(other)[0]!;
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [
      { mediaType: theirs.mediaType, digest: theirs.digest, size: theirs.size, platform: foreign },
      { mediaType: own.mediaType, digest: own.digest, size: own.size, platform: host },
    ],
  }));
  const digest = sha256(index);
  writeFileSync(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), index);
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [own, { mediaType: OCI_INDEX, digest, size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }],
  }));
}

function dockerConfig(dir: string, auths: Record<string, { auth: string }>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}

const basic = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

describe('images pulled from a registry', () => {
  let work: string;
  let layout: string;
  let manifestDigest: string;
  let layerDigests: string[];
  let tokens: TokenServer;
  let tokenRegistry: RunningRegistry;
  let basicRegistry: RunningRegistry;
  let restoreTmpdir: () => void;
  const previous = { cache: process.env['ROOTLOCK_CACHE'], dockerConfig: process.env['DOCKER_CONFIG'] };

  before(async () => {
    assertToolsInstalled();
    work = mkdtempSync(join(tmpdir(), 'rootlock-pull-test-'));
    // This run's sandboxes only: other runs on the machine make theirs elsewhere.
    restoreTmpdir = withOwnTmpdir(join(work, 'tmp'));
    process.env['ROOTLOCK_CACHE'] = join(work, 'cache');
    // No credentials unless a test writes some: the machine's own ~/.docker never leaks in.
    process.env['DOCKER_CONFIG'] = dockerConfig(join(work, 'no-credentials'), {});
    layout = join(work, 'layout');
    layerDigests = writeBusyboxImage(layout);
    manifestDigest = readIndex(layout)[0]!.digest;
    writeBusyboxImage(join(work, 'other'), { Entrypoint: ['/bin/sh', '-c', 'echo wrong-platform; exec sleep 1000'] });
    addMultiPlatformIndex(layout, join(work, 'other'));
    // The victim differs from busybox in its top layer only, so corrupting that blob leaves busybox intact.
    writeBusyboxImage(join(work, 'victim'), {}, '#!/bin/sh\necho victim\nexec sleep 1000\n');

    const tokenDir = mkdtempSync(join(work, 'token-'));
    const signer = await selfSignedCertificate(tokenDir, 'token-signer');
    tokens = await startTokenServer({ ...signer, users: { [USER]: PASSWORD } });
    tokenRegistry = await startRegistry({
      dir: tokenDir,
      auth: { kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: signer.certificate },
    });
    const creds = { creds: `${USER}:${PASSWORD}` };
    await skopeoPush(layout, 'latest', tokenRegistry.host, 'public/busybox:1', creds);
    await skopeoPush(layout, 'multi', tokenRegistry.host, 'public/busybox:multi', creds, true);
    await skopeoPush(layout, 'latest', tokenRegistry.host, 'private/busybox:1', creds);
    await skopeoPush(join(work, 'victim'), 'latest', tokenRegistry.host, 'public/victim:1', creds);

    const basicDir = mkdtempSync(join(work, 'basic-'));
    await htpasswdFile(join(basicDir, 'htpasswd'), USER, PASSWORD);
    basicRegistry = await startRegistry({ dir: basicDir, auth: { kind: 'htpasswd', file: join(basicDir, 'htpasswd') } });
    await skopeoPush(layout, 'latest', basicRegistry.host, 'busybox:1', creds);
  });

  after(async () => {
    await tokenRegistry?.stop();
    await basicRegistry?.stop();
    await tokens?.close();
    for (const [key, value] of [['ROOTLOCK_CACHE', previous.cache], ['DOCKER_CONFIG', previous.dockerConfig]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    restoreTmpdir?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('profile HOST/public/busybox:1 pulls with an anonymous token and runs the image', async () => {
    tokens.requests.length = 0;
    const reference = `${tokenRegistry.host}/public/busybox:1`;
    const run = await runCli(['profile', reference, '--duration', '1500ms', '--format', 'json'], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as ProfileResult;
    assert.equal(result.exited, undefined, result.output);
    assert.match(result.output, /kept=yes new=fresh user=1000:1000/);
    assert.doesNotMatch(result.output, /still visible/);
    assert.deepEqual(result.proposals.map((p) => p.path), ['/run', '/tmp', '/var/cache/app']);
    assert.equal(result.imageName, reference, 'a pulled image is named by its reference, for fix --profile');
    assert.deepEqual(tokens.requests.map((r) => [r.scopes, r.user]), [[['repository:public/busybox:pull'], undefined]]);
    for (const digest of layerDigests) assert.ok(existsSync(layerCacheDir(join(work, 'cache'), digest)), `layer ${digest} is in the cache`);
    assert.deepEqual(readdirSync(join(work, 'cache', 'downloads')), [], 'no download is left behind');
    assert.deepEqual({ processes: processesInSandboxes(), dirs: sandboxDirs() }, { processes: [], dirs: [] }, 'nothing of the sandbox outlives the run');
  });

  it('picks this machine\'s platform from a multi-platform index', async () => {
    const run = await runCli(['profile', `${tokenRegistry.host}/public/busybox:multi`, '--duration', '1500ms', '--format', 'json'], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as ProfileResult;
    assert.doesNotMatch(result.output, /wrong-platform/);
    assert.match(result.output, /kept=yes/);
  });

  it('pulls by digest, and a second pull downloads no layer again', async () => {
    const cache = join(work, 'digest-cache');
    const requests: string[] = [];
    const network = nodeTransport({ timeoutMs: 10_000 });
    const client = { transport: (request: Parameters<typeof network>[0]) => (requests.push(`${request.method} ${request.url.pathname}`), network(request)) };
    const reference = `${tokenRegistry.host}/public/busybox@${manifestDigest}`;
    const first = await pullImage(reference, { cache, client });
    assert.equal(first.kind, 'registry');
    assert.deepEqual(first.layers, layerDigests);
    assert.deepEqual(first.lowerdirs, [...layerDigests].reverse().map((digest) => layerCacheDir(cache, digest)));
    assert.deepEqual(first.config.entrypoint, ['/app/entrypoint.sh']);
    assert.equal(requests.filter((r) => r.includes('/blobs/') && layerDigests.some((d) => r.endsWith(d))).length, 2);
    requests.length = 0;
    const second = await pullImage(reference, { cache, client });
    assert.deepEqual(second.lowerdirs, first.lowerdirs);
    assert.deepEqual(requests.filter((r) => layerDigests.some((d) => r.endsWith(d))), [], 'cached layers are not fetched');
  });

  it('uses the Docker config\'s credentials for a private repository, and fails without them', async () => {
    const reference = `${tokenRegistry.host}/private/busybox:1`;
    const denied = await pullImage(reference, { cache: join(work, 'private-cache') }).then(() => undefined, (error: unknown) => error);
    assert.ok(denied instanceof RegistryError && denied.code === 'UNAUTHORIZED', String(denied));
    tokens.requests.length = 0;
    const credentials = dockerConfig(join(work, 'token-credentials'), { [tokenRegistry.host]: { auth: basic(USER, PASSWORD) } });
    const pulled = await pullImage(reference, { cache: join(work, 'private-cache'), client: { credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: credentials } }) } });
    assert.deepEqual(pulled.layers, layerDigests);
    assert.deepEqual(tokens.requests.map((r) => r.user), [USER]);
  });

  it('refuses a layer whose bytes on the registry do not match its digest, and caches nothing of it', async () => {
    const victim = join(work, 'victim');
    const victimManifest = JSON.parse(readFileSync(join(victim, 'blobs', 'sha256', readIndex(victim)[0]!.digest.slice('sha256:'.length)), 'utf8')) as { layers: Array<{ digest: string }> };
    const top = victimManifest.layers[victimManifest.layers.length - 1]!.digest;
    assert.ok(!layerDigests.includes(top));
    const hex = top.slice('sha256:'.length);
    const data = join(tokenRegistry.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const corrupted = Buffer.from(readFileSync(data));
    corrupted.writeUInt8(corrupted.readUInt8(corrupted.length - 1) ^ 0xff, corrupted.length - 1);
    writeFileSync(data, corrupted);
    const cache = join(work, 'victim-cache');
    const error = await pullImage(`${tokenRegistry.host}/public/victim:1`, { cache }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof RegistryError && error.code === 'DIGEST_MISMATCH', String(error));
    assert.ok(!existsSync(layerCacheDir(cache, top)), 'the bad layer is not cached');
    assert.deepEqual(readdirSync(join(cache, 'downloads')), [], 'its download is removed');
  });

  it('verify --image-source pulls with basic auth from the Docker config', async () => {
    process.env['DOCKER_CONFIG'] = dockerConfig(join(work, 'basic-credentials'), { [basicRegistry.host]: { auth: basic(USER, PASSWORD) } });
    writeFileSync(join(work, 'pod.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
    - name: app
      image: ${basicRegistry.host}/busybox:1
      securityContext: {readOnlyRootFilesystem: true}
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
        - {name: run, mountPath: /run}
        - {name: cache, mountPath: /var/cache/app}
  volumes:
    - {name: tmp, emptyDir: {}}
    - {name: run, emptyDir: {}}
    - {name: cache, emptyDir: {}}
`);
    const passed = await runCli(['verify', 'pod.yaml', '--image-source', `${basicRegistry.host}/busybox:1`, '--settle', '1s'], { cwd: work });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /^PASS Pod\/app container app/);
    process.env['DOCKER_CONFIG'] = join(work, 'no-credentials');
    const refused = await runCli(['verify', 'pod.yaml', '--image-source', `${basicRegistry.host}/busybox:1`, '--settle', '1s'], { cwd: work });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /no such local image, and pulling it failed: .*HTTP 401/);
  });
});
