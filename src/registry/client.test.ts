// The client's protocol logic against scripted registries (an injected
// transport): auth flows, HEAD/GET fallbacks, scheme choice, redirects and
// error wording. test/registry/registry.test.ts runs the same client against a
// real registry; the timeout and refused-connection cases use real sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { RegistryClient, isLoopbackRegistry } from './client.js';
import { RegistryError } from './errors.js';
import { DOCKER_MANIFEST_LIST, OCI_MANIFEST } from './media-types.js';
import type { HttpRequest, HttpResponse, Transport } from './transport.js';

const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }));
const MANIFEST_DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

type Route = (request: HttpRequest) => Reply | Error | undefined;

/** A scripted registry: routes answer in order of registration; every request is recorded. */
function scripted(...routes: Route[]): { transport: Transport; requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const transport: Transport = async (request) => {
    requests.push(request);
    for (const route of routes) {
      const reply = route(request);
      if (reply instanceof Error) throw reply;
      if (reply) {
        const body = request.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(reply.body ?? '');
        const response: HttpResponse = { status: reply.status, headers: reply.headers ?? {}, body: Readable.from([body]) };
        return response;
      }
    }
    throw new Error(`unscripted request ${request.method} ${request.url.href}`);
  };
  return { transport, requests };
}

const manifestReply = (headers: Record<string, string> = {}): Reply => ({
  status: 200,
  headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': MANIFEST_DIGEST, ...headers },
  body: MANIFEST,
});

function codeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
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

const anonymous = async () => undefined;
const alice = async (registry: string) => (registry === 'registry.example.com' || registry === 'docker.io' ? { username: 'alice', password: 'pw' } : undefined);

describe('RegistryClient.resolveDigest: bearer token flow', () => {
  const challenge = 'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"';
  const registry = (request: HttpRequest): Reply | undefined => {
    if (request.url.host !== 'registry.example.com') return undefined;
    if (request.headers['Authorization'] !== 'Bearer t0ken') return { status: 401, headers: { 'www-authenticate': challenge } };
    return manifestReply();
  };

  it('fetches a token anonymously with service and scope, then retries with it', async () => {
    const { transport, requests } = scripted(registry, (request) => (request.url.host === 'auth.example.com' ? { status: 200, body: '{"token":"t0ken"}' } : undefined));
    const client = new RegistryClient({ transport, credentials: anonymous });
    assert.deepEqual(await client.resolveDigest('registry.example.com/team/app:1.0'), { digest: MANIFEST_DIGEST, mediaType: OCI_MANIFEST });
    const tokenRequest = requests[1]!;
    assert.equal(tokenRequest.url.href, 'https://auth.example.com/token?service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull');
    assert.equal(tokenRequest.headers['Authorization'], undefined);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.url.host}`), ['HEAD registry.example.com', 'GET auth.example.com', 'HEAD registry.example.com']);
    assert.equal(requests[0]!.headers['Accept'], `application/vnd.oci.image.index.v1+json, ${OCI_MANIFEST}, ${DOCKER_MANIFEST_LIST}, application/vnd.docker.distribution.manifest.v2+json`);
  });

  it('sends the credentials to the token service as basic auth and reuses the token (access_token field)', async () => {
    const { transport, requests } = scripted(registry, (request) => (request.url.host === 'auth.example.com' ? { status: 200, body: '{"access_token":"t0ken","expires_in":300}' } : undefined));
    const client = new RegistryClient({ transport, credentials: alice });
    await client.resolveDigest('registry.example.com/team/app:1.0');
    await client.resolveDigest('registry.example.com/team/app:2.0');
    assert.equal(requests[1]!.headers['Authorization'], `Basic ${Buffer.from('alice:pw').toString('base64')}`);
    // The second tag goes straight to the registry with the cached token.
    assert.deepEqual(requests.map((r) => `${r.method} ${r.url.host}`), ['HEAD registry.example.com', 'GET auth.example.com', 'HEAD registry.example.com', 'HEAD registry.example.com']);
  });

  it('explains a refused anonymous token and rejected credentials', async () => {
    const refusing = (request: HttpRequest): Reply | undefined => (request.url.host === 'auth.example.com' ? { status: 401, body: '{}' } : undefined);
    let error = await rejects(new RegistryClient({ transport: scripted(registry, refusing).transport, credentials: anonymous }).resolveDigest('registry.example.com/team/app:1.0'));
    assert.equal(error.message, 'registry registry.example.com: token service auth.example.com refused anonymous access to repository:team/app:pull (HTTP 401); log in to registry.example.com');
    error = await rejects(new RegistryClient({ transport: scripted(registry, refusing).transport, credentials: alice }).resolveDigest('registry.example.com/team/app:1.0'));
    assert.equal(error.message, 'registry registry.example.com: token service auth.example.com rejected the credentials for registry.example.com (HTTP 401)');
    assert.equal(error.code, 'UNAUTHORIZED');
  });

  it('refuses a token realm on plain HTTP for a remote registry (credentials would travel in clear)', async () => {
    const plainRealm = (): Reply => ({ status: 401, headers: { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="x"' } });
    const error = await rejects(new RegistryClient({ transport: scripted(plainRealm).transport, credentials: alice }).resolveDigest('registry.example.com/team/app:1.0'));
    assert.equal(error.code, 'INSECURE');
  });

  it('maps docker.io to registry-1.docker.io, adds library/, and asks credentials for docker.io', async () => {
    const asked: string[] = [];
    const { transport, requests } = scripted(
      (request) => (request.url.host === 'registry-1.docker.io' ? (request.headers['Authorization'] ? manifestReply() : { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' } }) : undefined),
      (request) => (request.url.host === 'auth.docker.io' ? { status: 200, body: '{"token":"hub"}' } : undefined),
    );
    const client = new RegistryClient({ transport, credentials: async (registry) => (asked.push(registry), undefined) });
    await client.resolveDigest('nginx:1.25');
    assert.equal(requests[0]!.url.href, 'https://registry-1.docker.io/v2/library/nginx/manifests/1.25');
    // No scope in the challenge: the client asks for pull on the repository.
    assert.equal(requests[1]!.url.searchParams.get('scope'), 'repository:library/nginx:pull');
    assert.deepEqual([...new Set(asked)], ['docker.io']);
  });
});

describe('RegistryClient.resolveDigest: basic auth', () => {
  const basicRegistry = (request: HttpRequest): Reply =>
    request.headers['Authorization'] === `Basic ${Buffer.from('alice:pw').toString('base64')}` ? manifestReply() : { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } };

  it('answers a Basic challenge with the credentials, and sends them up front afterwards', async () => {
    const { transport, requests } = scripted(basicRegistry);
    const client = new RegistryClient({ transport, credentials: alice });
    await client.resolveDigest('registry.example.com/a:1');
    await client.resolveDigest('registry.example.com/b:1');
    assert.equal(requests.length, 3);
    assert.ok(requests[2]!.headers['Authorization']?.startsWith('Basic '));
  });

  it('says no credentials were found when the registry wants some', async () => {
    const error = await rejects(new RegistryClient({ transport: scripted(basicRegistry).transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1'));
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal(error.status, 401);
    assert.match(error.message, /^registry registry\.example\.com: authentication required for a:1 \(HTTP 401\) and no credentials for registry\.example\.com were found/);
  });

  it('reports a 401 without a usable challenge', async () => {
    const error = await rejects(new RegistryClient({ transport: scripted(() => ({ status: 401 })).transport, credentials: alice }).resolveDigest('registry.example.com/a:1'));
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.message, /without a Bearer or Basic challenge/);
  });
});

describe('RegistryClient.resolveDigest: finding the digest', () => {
  it('uses GET and hashes the body when HEAD has no Docker-Content-Digest', async () => {
    const { transport, requests } = scripted((request) => (request.method === 'HEAD' ? { status: 200, headers: { 'content-type': OCI_MANIFEST } } : { status: 200, headers: { 'content-type': OCI_MANIFEST }, body: MANIFEST }));
    const resolved = await new RegistryClient({ transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1');
    assert.deepEqual(resolved, { digest: MANIFEST_DIGEST, mediaType: OCI_MANIFEST });
    assert.deepEqual(requests.map((r) => r.method), ['HEAD', 'GET']);
  });

  it('falls back to GET when HEAD is not allowed, and reads the media type from the body', async () => {
    const { transport } = scripted((request) => (request.method === 'HEAD' ? { status: 405 } : { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: MANIFEST }));
    assert.deepEqual(await new RegistryClient({ transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1'), { digest: MANIFEST_DIGEST, mediaType: OCI_MANIFEST });
  });

  it('refuses a body that does not match the Docker-Content-Digest header', async () => {
    const wrong = `sha256:${'a'.repeat(64)}`;
    const { transport } = scripted((request) => (request.method === 'HEAD' ? { status: 405 } : manifestReply({ 'docker-content-digest': wrong })));
    const error = await rejects(new RegistryClient({ transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1'));
    assert.equal(error.code, 'DIGEST_MISMATCH');
    assert.equal(error.message, `registry registry.example.com: manifest for a:1 has digest ${MANIFEST_DIGEST}, expected ${wrong}`);
  });

  it('resolves `latest` when the image has no tag, and the digest when it has only a digest', async () => {
    const { transport, requests } = scripted(() => manifestReply());
    const client = new RegistryClient({ transport, credentials: anonymous });
    await client.resolveDigest('registry.example.com/a');
    await client.resolveDigest(`registry.example.com/a@${MANIFEST_DIGEST}`);
    assert.deepEqual(requests.map((r) => r.url.pathname), ['/v2/a/manifests/latest', `/v2/a/manifests/${MANIFEST_DIGEST}`]);
  });

  it('uses the registry error code and names the registry, reference and status', async () => {
    const body = JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    const { transport } = scripted(() => ({ status: 404, body }));
    const error = await rejects(new RegistryClient({ transport, credentials: anonymous }).resolveDigest('registry.example.com/team/app:1.0'));
    assert.equal(error.code, 'NAME_UNKNOWN');
    assert.equal(error.message, 'registry registry.example.com: repository unknown for team/app:1.0 (HTTP 404)');
  });

  it('reports rate limiting and server errors with their status', async () => {
    let error = await rejects(new RegistryClient({ transport: scripted(() => ({ status: 429 })).transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1'));
    assert.deepEqual([error.code, error.status], ['TOO_MANY_REQUESTS', 429]);
    error = await rejects(new RegistryClient({ transport: scripted(() => ({ status: 503, body: 'down' })).transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1'));
    assert.equal(error.message, 'registry registry.example.com: request failed for a:1 (HTTP 503)');
  });

  it('rejects invalid references before any request', async () => {
    const { transport, requests } = scripted(() => manifestReply());
    const client = new RegistryClient({ transport, credentials: anonymous });
    for (const image of ['', 'UPPER CASE', 'registry.example.com/a:bad tag', 'registry.example.com/a@sha256:abc', 'registry.example.com/-a:1']) {
      assert.equal((await rejects(client.resolveDigest(image))).code, 'INVALID_REFERENCE', image);
    }
    assert.equal(requests.length, 0);
  });
});

describe('RegistryClient: HTTPS and plain HTTP', () => {
  const plainHttpOnly = (request: HttpRequest): Reply | Error => (request.url.protocol === 'https:' ? codeError('EPROTO', 'wrong version number') : manifestReply());

  it('uses only HTTPS for remote registries, and says how to allow plain HTTP', async () => {
    const { transport, requests } = scripted(plainHttpOnly);
    const error = await rejects(new RegistryClient({ transport, credentials: anonymous }).resolveDigest('registry.example.com/a:1'));
    assert.equal(error.code, 'INSECURE');
    assert.match(error.message, /--insecure-registry registry\.example\.com/);
    assert.ok(requests.every((r) => r.url.protocol === 'https:'));
  });

  it('falls back to plain HTTP for --insecure-registry hosts and loopback, once per host', async () => {
    const { transport, requests } = scripted(plainHttpOnly);
    const client = new RegistryClient({ transport, credentials: anonymous, insecureRegistries: ['registry.example.com'] });
    await client.resolveDigest('registry.example.com:5000/a:1');
    await client.resolveDigest('registry.example.com:5000/a:2');
    await client.resolveDigest('localhost:5000/a:1');
    assert.deepEqual(requests.map((r) => r.url.protocol + r.url.host), ['https:registry.example.com:5000', 'http:registry.example.com:5000', 'http:registry.example.com:5000', 'https:localhost:5000', 'http:localhost:5000']);
  });

  it('does not fall back to plain HTTP when a certificate is untrusted', async () => {
    const { transport, requests } = scripted(() => codeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'));
    const error = await rejects(new RegistryClient({ transport, credentials: anonymous }).resolveDigest('127.0.0.1:5000/a:1'));
    assert.equal(error.code, 'TLS');
    assert.equal(requests.length, 1);
  });

  it('knows loopback registries', () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000']) assert.ok(isLoopbackRegistry(host), host);
    for (const host of ['example.com', '127.0.0.1.nip.io:5000', 'localhost.example.com', '10.0.0.1:5000']) assert.ok(!isLoopbackRegistry(host), host);
  });
});

describe('RegistryClient: blobs and redirects', () => {
  const layer = Buffer.from('layer bytes');
  const layerDigest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;

  it('follows a blob redirect to storage without sending the registry credentials there', async () => {
    const { transport, requests } = scripted(
      (request) => (request.url.host === 'registry.example.com' && !request.headers['Authorization'] ? { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } } : undefined),
      (request) => (request.url.host === 'registry.example.com' ? { status: 307, headers: { location: 'https://storage.example.net/blob?sig=1' } } : undefined),
      (request) => (request.url.host === 'storage.example.net' ? { status: 200, body: layer } : undefined),
    );
    const bytes = await new RegistryClient({ transport, credentials: alice }).getBlob('registry.example.com/a', layerDigest);
    assert.deepEqual(bytes, layer);
    const storage = requests.find((r) => r.url.host === 'storage.example.net')!;
    assert.equal(storage.headers['Authorization'], undefined);
    assert.equal(storage.url.href, 'https://storage.example.net/blob?sig=1');
  });

  it('refuses a blob whose content does not match its digest', async () => {
    const { transport } = scripted(() => ({ status: 200, body: 'something else' }));
    const error = await rejects(new RegistryClient({ transport, credentials: anonymous }).getBlob('registry.example.com/a', layerDigest));
    assert.equal(error.code, 'DIGEST_MISMATCH');
    assert.equal(error.message, `registry registry.example.com: blob ${layerDigest} of a: content has digest sha256:${createHash('sha256').update('something else').digest('hex')}`);
  });

  it('refuses a blob larger than the limit, by its Content-Length or while reading', async () => {
    const declared = scripted(() => ({ status: 200, headers: { 'content-length': String(layer.length) }, body: layer }));
    assert.equal((await rejects(new RegistryClient({ transport: declared.transport, credentials: anonymous }).getBlob('registry.example.com/a', layerDigest, { maxBytes: 4 }))).code, 'TOO_LARGE');
    const undeclared = scripted(() => ({ status: 200, body: layer }));
    const error = await rejects(new RegistryClient({ transport: undeclared.transport, credentials: anonymous }).getBlob('registry.example.com/a', layerDigest, { maxBytes: 4 }));
    assert.equal(error.message, `registry registry.example.com: blob ${layerDigest} of a is larger than 4 bytes`);
  });

  it('verifies a manifest fetched by digest', async () => {
    const other = `sha256:${'b'.repeat(64)}`;
    const { transport } = scripted(() => ({ status: 200, headers: { 'content-type': OCI_MANIFEST }, body: MANIFEST }));
    const client = new RegistryClient({ transport, credentials: anonymous });
    const fetched = await client.getManifest(`registry.example.com/a@${MANIFEST_DIGEST}`);
    assert.deepEqual([fetched.digest, fetched.mediaType, fetched.manifest['schemaVersion']], [MANIFEST_DIGEST, OCI_MANIFEST, 2]);
    assert.equal((await rejects(client.getManifest(`registry.example.com/a@${other}`))).code, 'DIGEST_MISMATCH');
  });

  it('stops after too many redirects', async () => {
    const { transport } = scripted((request) => ({ status: 302, headers: { location: `${request.url.pathname}x` } }));
    const error = await rejects(new RegistryClient({ transport, credentials: anonymous }).getBlob('registry.example.com/a', layerDigest));
    assert.equal(error.code, 'PROTOCOL');
  });
});

describe('RegistryClient: real sockets', () => {
  it('times out on a registry that accepts the connection and never answers', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const started = Date.now();
      const error = await rejects(new RegistryClient({ credentials: anonymous, timeoutMs: 200 }).resolveDigest(`127.0.0.1:${port}/a:1`));
      assert.equal(error.code, 'TIMEOUT');
      assert.equal(error.message, `registry 127.0.0.1:${port}: no response within 0.2s`);
      assert.ok(Date.now() - started < 5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('reports a refused connection', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const error = await rejects(new RegistryClient({ credentials: anonymous }).resolveDigest(`127.0.0.1:${port}/a:1`));
    assert.deepEqual([error.code, error.message], ['NETWORK', `registry 127.0.0.1:${port}: connection refused`]);
  });
});
