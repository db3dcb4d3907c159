// End to end against a real registry: Debian's docker-registry (CNCF
// distribution 2.8) on 127.0.0.1, images built here as OCI layouts and pushed
// with skopeo, then resolved and pulled with rootlock's client. Four registries:
// open over plain HTTP, htpasswd (Basic challenge), token auth (Bearer
// challenge, with a small JWT token service), and TLS with a self-signed CA.
// Missing tools fail the suite (run scripts/install-test-deps.sh); nothing skips.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { dockerConfigCredentials } from '../../src/registry/docker-config.js';
import { nodeTransport } from '../../src/registry/transport.js';
import { RegistryError } from '../../src/registry/errors.js';
import { platformManifest } from '../../src/registry/platform.js';
import { pinImage } from '../../src/registry/pin.js';
import { readLockFile, resolveAll, writeLockFile, UnresolvedImagesError } from '../../src/registry/lockfile.js';
import { OCI_INDEX, OCI_MANIFEST, OciLayout, type BuiltImage, type BuiltIndex } from './oci-layout.js';
import {
  assertToolsInstalled,
  htpasswdFile,
  selfSignedCertificate,
  skopeoDigest,
  skopeoPush,
  skopeoRawManifest,
  startRegistry,
  type RunningRegistry,
} from './registry-server.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const USER = 'alice';
const PASSWORD = 's3cret: with a colon';

let root: string;
let layoutDir: string;
let v1: BuiltImage;
let v2: BuiltImage;
let victim: BuiltImage;
let multi: BuiltIndex;

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A fresh DOCKER_CONFIG folder holding `config` (or nothing), so the machine's own ~/.docker never leaks in. */
function dockerConfigDir(config?: unknown): string {
  const dir = mkdtempSync(join(root, 'docker-config-'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function clientWith(config: unknown | undefined, options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({ credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: dockerConfigDir(config) } }), timeoutMs: 10_000, ...options });
}

function basicAuth(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}

async function rejects(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

before(() => {
  assertToolsInstalled();
  root = mkdtempSync(join(tmpdir(), 'rootlock-registry-e2e-'));
  layoutDir = join(root, 'layout');
  const layout = new OciLayout(layoutDir);
  v1 = layout.image('hello from 1.0');
  v2 = layout.image('hello from 2.0');
  victim = layout.image('this layer will be corrupted on the registry disk');
  multi = layout.index([
    layout.image('hello from amd64', { os: 'linux', architecture: 'amd64' }),
    layout.image('hello from arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
  ]);
  layout.tag('1.0', v1.manifest);
  layout.tag('2.0', v2.manifest);
  layout.tag('victim', victim.manifest);
  layout.tag('multi', multi.index);
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('open registry over plain HTTP', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;

  before(async () => {
    registry = await startRegistry({ dir: mkdtempSync(join(root, 'open-')), auth: { kind: 'none' } });
    await skopeoPush(layoutDir, '1.0', registry.host, 'demo/app:1.0');
    await skopeoPush(layoutDir, 'multi', registry.host, 'demo/app:multi', {}, true);
    await skopeoPush(layoutDir, 'victim', registry.host, 'demo/victim:1');
    client = clientWith(undefined);
  });
  after(async () => registry?.stop());

  it('resolves a tag to the digest of the manifest that was pushed, the digest skopeo reports', async () => {
    const sent: string[] = [];
    const network = nodeTransport({ timeoutMs: 10_000 });
    const recording = new RegistryClient({
      credentials: async () => undefined,
      transport: (request) => {
        sent.push(`${request.method} ${request.url.href}`);
        return network(request);
      },
    });
    const resolved = await recording.resolveDigest(`${registry.host}/demo/app:1.0`);
    assert.deepEqual(resolved, { digest: v1.manifest.digest, mediaType: OCI_MANIFEST });
    // HTTPS is tried first and the registry speaks plain HTTP; one HEAD, no manifest download (Docker Hub's rate limit counts GETs).
    assert.deepEqual(sent, [`HEAD https://${registry.host}/v2/demo/app/manifests/1.0`, `HEAD http://${registry.host}/v2/demo/app/manifests/1.0`]);
    assert.equal(resolved.digest, sha256(await skopeoRawManifest(registry.host, 'demo/app:1.0')));
    assert.equal(resolved.digest, await skopeoDigest(registry.host, 'demo/app:1.0'));
  });

  it('keeps the digest of a multi-platform index instead of picking a platform', async () => {
    const resolved = await client.resolveDigest(`${registry.host}/demo/app:multi`);
    assert.deepEqual(resolved, { digest: multi.index.digest, mediaType: OCI_INDEX });
    assert.equal(resolved.digest, sha256(await skopeoRawManifest(registry.host, 'demo/app:multi')));
    assert.ok(!multi.images.some((image) => image.manifest.digest === resolved.digest));
  });

  it('resolves the tag of an image pinned to a wrong digest, and pinImage replaces the pin', async () => {
    const stale = `${registry.host}/demo/app:1.0@sha256:${'0'.repeat(64)}`;
    const resolved = await client.resolveDigest(stale);
    assert.equal(resolved.digest, v1.manifest.digest);
    assert.equal(pinImage(stale, resolved.digest), `${registry.host}/demo/app:1.0@${v1.manifest.digest}`);
  });

  it('reports an unknown tag with the registry, repository, tag and HTTP status', async () => {
    const error = await rejects(client.resolveDigest(`${registry.host}/demo/app:9.9`));
    assert.equal(error.code, 'MANIFEST_UNKNOWN');
    assert.equal(error.status, 404);
    assert.equal(error.message, `registry ${registry.host}: manifest unknown for demo/app:9.9 (HTTP 404)`);
  });

  it('reports an unknown repository', async () => {
    const error = await rejects(client.resolveDigest(`${registry.host}/demo/nothing-here:1.0`));
    assert.equal(error.status, 404);
    // distribution 2.8 says MANIFEST_UNKNOWN here; other registries say NAME_UNKNOWN ("repository unknown").
    assert.equal(error.message, `registry ${registry.host}: manifest unknown for demo/nothing-here:1.0 (HTTP 404)`);
  });

  it('pulls the index, picks a platform, and fetches its manifest, config and layer verified by digest', async () => {
    const index = await client.getManifest(`${registry.host}/demo/app:multi`);
    assert.equal(index.digest, multi.index.digest);
    assert.deepEqual(index.bytes, multi.index.bytes);
    const arm = multi.images[1]!;
    const descriptor = platformManifest(index.manifest, { os: 'linux', architecture: 'aarch64' });
    assert.equal(descriptor?.digest, arm.manifest.digest);
    const manifest = await client.getManifest(`${registry.host}/demo/app@${descriptor!.digest}`);
    assert.equal(manifest.mediaType, OCI_MANIFEST);
    assert.deepEqual(manifest.bytes, arm.manifest.bytes);
    const config = await client.getBlob(`${registry.host}/demo/app`, arm.config.digest);
    assert.deepEqual(config, arm.config.bytes);
    const layer = await client.getBlob(`${registry.host}/demo/app`, arm.layer.digest);
    assert.match(gunzipSync(layer).toString('utf8'), /hello from arm64/);
    const streamed: Buffer[] = [];
    for await (const chunk of await client.openBlob(`${registry.host}/demo/app`, arm.layer.digest)) streamed.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(streamed), arm.layer.bytes);
  });

  it('reports an unknown blob', async () => {
    const error = await rejects(client.getBlob(`${registry.host}/demo/app`, sha256(Buffer.from('never pushed'))));
    assert.equal(error.code, 'BLOB_UNKNOWN');
    assert.equal(error.status, 404);
  });

  it('refuses a blob whose bytes on the registry no longer match its digest', async () => {
    // Flip the stored layer on the registry's disk; distribution serves it without checking.
    const hex = victim.layer.digest.slice('sha256:'.length);
    const data = join(registry.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const corrupted = Buffer.from(readFileSync(data));
    corrupted.writeUInt8(corrupted.readUInt8(corrupted.length - 1) ^ 0xff, corrupted.length - 1);
    writeFileSync(data, corrupted);
    assert.equal(statSync(data).size, victim.layer.bytes.length);
    const error = await rejects(client.getBlob(`${registry.host}/demo/victim`, victim.layer.digest));
    assert.equal(error.code, 'DIGEST_MISMATCH');
    assert.match(error.message, new RegExp(`blob ${victim.layer.digest} of demo/victim: content has digest ${sha256(corrupted)}`));
  });

  it('records resolutions in a lock file, reuses them offline, and keeps a moved tag locked until refreshed', async () => {
    await skopeoPush(layoutDir, '1.0', registry.host, 'demo/moving:stable');
    const lockPath = join(mkdtempSync(join(root, 'lock-')), 'rootlock.lock.json');
    const images = [`${registry.host}/demo/moving:stable`, `${registry.host}/demo/app:multi`, `${registry.host}/demo/app:missing`];
    const first = await resolveAll(images, { client: { credentials: async () => undefined }, now: () => new Date('2026-05-01T12:00:00Z') });
    assert.deepEqual(first.failures.map((failure) => [failure.image, failure.error.code]), [[`${registry.host}/demo/app:missing`, 'MANIFEST_UNKNOWN']]);
    assert.deepEqual([...first.pins.keys()], images.slice(0, 2));
    assert.equal(first.pins.get(images[0]!)?.digest, v1.manifest.digest);
    assert.equal(first.pins.get(images[1]!)?.digest, multi.index.digest);
    await writeLockFile(lockPath, first.lock);
    const text = readFileSync(lockPath, 'utf8');
    assert.deepEqual(JSON.parse(text), {
      version: 1,
      images: {
        [images[1]!]: { digest: multi.index.digest, mediaType: OCI_INDEX, resolvedAt: '2026-05-01T12:00:00.000Z' },
        [images[0]!]: { digest: v1.manifest.digest, mediaType: OCI_MANIFEST, resolvedAt: '2026-05-01T12:00:00.000Z' },
      },
    });
    assert.deepEqual(await readLockFile(lockPath), first.lock);

    // The tag moves on the registry.
    await skopeoPush(layoutDir, '2.0', registry.host, 'demo/moving:stable');
    assert.equal((await client.resolveDigest(images[0]!)).digest, v2.manifest.digest);

    const lock = await readLockFile(lockPath);
    const offline = await resolveAll(images.slice(0, 2), { lock, offline: true, resolve: () => assert.fail('offline must not ask the registry') });
    assert.deepEqual([...offline.pins.values()].map((pin) => [pin.digest, pin.source]), [[v1.manifest.digest, 'lock'], [multi.index.digest, 'lock']]);

    const missing = await resolveAll(images, { lock, offline: true, lockPath }).then(
      () => assert.fail('expected offline resolution to fail'),
      (error: unknown) => error,
    );
    assert.ok(missing instanceof UnresolvedImagesError);
    assert.deepEqual(missing.images, [images[2]]);
    assert.match(missing.message, new RegExp(`not in the lock file ${lockPath}.*\\n  ${images[2]!.replace(/[.]/g, '\\.')}\\n`, 's'));

    const online = await resolveAll(images.slice(0, 1), { lock, client: { credentials: async () => undefined } });
    assert.equal(online.pins.get(images[0]!)?.digest, v1.manifest.digest, 'the lock wins over the registry');
    const refreshed = await resolveAll(images.slice(0, 1), { lock, refresh: true, client: { credentials: async () => undefined } });
    assert.equal(refreshed.pins.get(images[0]!)?.digest, v2.manifest.digest);
    assert.equal(refreshed.pins.get(images[0]!)?.source, 'registry');
    assert.equal(refreshed.lock.images[images[1]!]?.digest, multi.index.digest, 'entries for other images are kept');
  });
});

describe('registry with htpasswd basic auth', () => {
  let registry: RunningRegistry;

  before(async () => {
    const dir = mkdtempSync(join(root, 'htpasswd-'));
    await htpasswdFile(join(dir, 'htpasswd'), USER, PASSWORD);
    registry = await startRegistry({ dir, auth: { kind: 'htpasswd', file: join(dir, 'htpasswd') } });
    await skopeoPush(layoutDir, '1.0', registry.host, 'team/app:1.0', { creds: `${USER}:${PASSWORD}` });
  });
  after(async () => registry?.stop());

  it('answers 401 without credentials, and says where credentials come from', async () => {
    const error = await rejects(clientWith(undefined).resolveDigest(`${registry.host}/team/app:1.0`));
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal(error.status, 401);
    assert.match(error.message, new RegExp(`^registry ${registry.host}: authentication required for team/app:1\\.0 \\(HTTP 401\\) and no credentials for ${registry.host}`));
  });

  it('resolves with an "auth" entry from the Docker config file', async () => {
    const client = clientWith({ auths: { [registry.host]: { auth: basicAuth(USER, PASSWORD) } } });
    const resolved = await client.resolveDigest(`${registry.host}/team/app:1.0`);
    assert.equal(resolved.digest, v1.manifest.digest);
    assert.equal(resolved.digest, await skopeoDigest(registry.host, 'team/app:1.0', { creds: `${USER}:${PASSWORD}` }));
    assert.deepEqual(await client.getBlob(`${registry.host}/team/app`, v1.config.digest), v1.config.bytes);
  });

  it('resolves with username/password fields under an http:// key', async () => {
    const client = clientWith({ auths: { [`http://${registry.host}`]: { username: USER, password: PASSWORD } } });
    assert.equal((await client.resolveDigest(`${registry.host}/team/app:1.0`)).digest, v1.manifest.digest);
  });

  it('says the credentials were rejected when the password is wrong', async () => {
    const client = clientWith({ auths: { [registry.host]: { auth: basicAuth(USER, 'wrong') } } });
    const error = await rejects(client.resolveDigest(`${registry.host}/team/app:1.0`));
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.message, /credentials for .* were rejected/);
  });
});

describe('registry with token auth (Bearer challenge)', () => {
  let registry: RunningRegistry;
  let tokens: TokenServer;

  before(async () => {
    const dir = mkdtempSync(join(root, 'token-'));
    const signer = await selfSignedCertificate(dir, 'token-signer');
    tokens = await startTokenServer({ ...signer, users: { [USER]: PASSWORD } });
    registry = await startRegistry({
      dir,
      auth: { kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: signer.certificate },
    });
    await skopeoPush(layoutDir, '1.0', registry.host, 'public/app:1.0', { creds: `${USER}:${PASSWORD}` });
    await skopeoPush(layoutDir, 'multi', registry.host, 'public/app:multi', { creds: `${USER}:${PASSWORD}` }, true);
    await skopeoPush(layoutDir, '2.0', registry.host, 'private/app:2.0', { creds: `${USER}:${PASSWORD}` });
  });
  after(async () => {
    await registry?.stop();
    await tokens?.close();
  });

  it('fetches an anonymous token for a public repository and reuses it for the next tag', async () => {
    tokens.requests.length = 0;
    const client = clientWith(undefined);
    assert.equal((await client.resolveDigest(`${registry.host}/public/app:1.0`)).digest, v1.manifest.digest);
    assert.equal((await client.resolveDigest(`${registry.host}/public/app:multi`)).digest, multi.index.digest);
    assert.deepEqual(tokens.requests, [{ service: tokens.service, scopes: ['repository:public/app:pull'], user: undefined }]);
  });

  it('is refused a private repository anonymously', async () => {
    const error = await rejects(clientWith(undefined).resolveDigest(`${registry.host}/private/app:2.0`));
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.message, /authentication required for private\/app:2\.0 \(HTTP 401\)/);
  });

  it('fetches a token with the Docker config credentials for a private repository', async () => {
    tokens.requests.length = 0;
    const client = clientWith({ auths: { [registry.host]: { auth: basicAuth(USER, PASSWORD) } } });
    const resolved = await client.resolveDigest(`${registry.host}/private/app:2.0`);
    assert.equal(resolved.digest, v2.manifest.digest);
    assert.deepEqual(tokens.requests, [{ service: tokens.service, scopes: ['repository:private/app:pull'], user: USER }]);
    assert.equal(resolved.digest, await skopeoDigest(registry.host, 'private/app:2.0', { creds: `${USER}:${PASSWORD}` }));
  });

  it('reports credentials the token service rejects', async () => {
    const client = clientWith({ auths: { [registry.host]: { auth: basicAuth(USER, 'wrong') } } });
    const error = await rejects(client.resolveDigest(`${registry.host}/private/app:2.0`));
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.message, new RegExp(`token service 127\\.0\\.0\\.1:\\d+ rejected the credentials for ${registry.host} \\(HTTP 401\\)`));
  });
});

describe('registry over TLS with a self-signed certificate and basic auth', () => {
  let registry: RunningRegistry;
  let ca: string;
  let certDir: string;

  before(async () => {
    const dir = mkdtempSync(join(root, 'tls-'));
    const tls = await selfSignedCertificate(dir, 'registry', '127.0.0.1');
    ca = readFileSync(tls.certificate, 'utf8');
    certDir = join(dir, 'skopeo-certs');
    mkdirSync(certDir);
    copyFileSync(tls.certificate, join(certDir, 'ca.crt'));
    await htpasswdFile(join(dir, 'htpasswd'), USER, PASSWORD);
    registry = await startRegistry({ dir, auth: { kind: 'htpasswd', file: join(dir, 'htpasswd') }, tls });
    await skopeoPush(layoutDir, 'multi', registry.host, 'secure/app:multi', { creds: `${USER}:${PASSWORD}`, certDir }, true);
  });
  after(async () => registry?.stop());

  const config = () => ({ auths: { [`https://${registry.host}`]: { auth: basicAuth(USER, PASSWORD) } } });

  it('refuses a certificate it was not told to trust, without falling back to plain HTTP', async () => {
    const error = await rejects(clientWith(config()).resolveDigest(`${registry.host}/secure/app:multi`));
    assert.equal(error.code, 'TLS');
    assert.match(error.message, new RegExp(`^registry ${registry.host}: TLS certificate not trusted`));
  });

  it('resolves over HTTPS when given the CA', async () => {
    const resolved = await clientWith(config(), { ca }).resolveDigest(`${registry.host}/secure/app:multi`);
    assert.deepEqual(resolved, { digest: multi.index.digest, mediaType: OCI_INDEX });
    assert.equal(resolved.digest, await skopeoDigest(registry.host, 'secure/app:multi', { creds: `${USER}:${PASSWORD}`, certDir }));
  });
});
