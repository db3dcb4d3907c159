// A small OCI distribution client: resolve a tag to its digest, fetch
// manifests and blobs (verified against their digests), with the registry
// auth flows real registries use (anonymous or credentialed bearer tokens,
// basic auth). Used by `rootlock fix --pin-digests` and by image pulls.
import { Transform, type Readable } from 'node:stream';
import { parseImageReference } from '../knowledge/image-ref.js';
import { parseWwwAuthenticate, type Challenge } from './challenge.js';
import { dockerConfigCredentials, type CredentialSource, type Credentials } from './docker-config.js';
import { digestOf, hasherFor, isDigest, sha256Digest } from './digest.js';
import { RegistryError, type RegistryErrorCode } from './errors.js';
import { MANIFEST_MEDIA_TYPES, OCI_INDEX, OCI_MANIFEST, isManifestMediaType } from './media-types.js';
import { discardBody, nodeTransport, readBody, type HttpRequest, type HttpResponse, type Transport } from './transport.js';

export interface RegistryClientOptions {
  /** Replaces the network (tests); when set, `ca` and `timeoutMs` are ignored. */
  transport?: Transport;
  /** Where credentials come from; defaults to the Docker config file. */
  credentials?: CredentialSource;
  /**
   * Registries (`host` or `host:port`) that may be reached over plain HTTP when
   * they do not speak HTTPS. Loopback registries always may. TLS certificates
   * are verified whenever HTTPS is used.
   */
  insecureRegistries?: readonly string[];
  /** Extra trusted CA certificates (PEM), e.g. a private registry's. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  timeoutMs?: number;
  userAgent?: string;
}

export interface ResolvedDigest {
  digest: string;
  mediaType: string;
}

export interface FetchedManifest extends ResolvedDigest {
  /** The exact bytes the digest covers. */
  bytes: Buffer;
  /** The parsed manifest or index. */
  manifest: Record<string, unknown>;
}

export interface BlobOptions {
  /** getBlob refuses larger blobs (default 64 MiB); stream big layers with openBlob instead. */
  maxBytes?: number;
}

/** The distribution spec's limit; larger "manifests" are not manifests. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 5;

/** One image reference, split into what the API needs. */
interface Target {
  /** As written in references and keyed in the Docker config: docker.io, ghcr.io, 127.0.0.1:5000. */
  registry: string;
  /** The host the API lives on: registry-1.docker.io for docker.io. */
  apiHost: string;
  repository: string;
  tag?: string;
  digest?: string;
}

type HostAuth = { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service?: string };

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^\w[\w.-]{0,127}$/;

export function apiHostFor(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** localhost, 127.0.0.0/8 and ::1, with or without a port. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parseTarget(image: string): Target {
  const reference = parseImageReference(image);
  if (!reference) throw new RegistryError('INVALID_REFERENCE', `${JSON.stringify(image)} is not a valid image reference`);
  if (!REPOSITORY.test(reference.repository)) {
    throw new RegistryError('INVALID_REFERENCE', `${JSON.stringify(image)}: invalid repository name "${reference.repository}"`);
  }
  if (reference.tag !== undefined && !TAG.test(reference.tag)) throw new RegistryError('INVALID_REFERENCE', `${JSON.stringify(image)}: invalid tag "${reference.tag}"`);
  if (reference.digest !== undefined && !isDigest(reference.digest)) {
    throw new RegistryError('INVALID_REFERENCE', `${JSON.stringify(image)}: "${reference.digest}" is not a sha256 or sha512 digest`);
  }
  const target: Target = { registry: reference.registry, apiHost: apiHostFor(reference.registry), repository: reference.repository };
  if (reference.tag !== undefined) target.tag = reference.tag;
  if (reference.digest !== undefined) target.digest = reference.digest;
  return target;
}

function describeTarget(target: Target, reference: string): string {
  return `${target.repository}${reference.includes(':') ? '@' : ':'}${reference}`;
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

function sameHost(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/** The server answered a TLS handshake with something else: it speaks plain HTTP. */
function isNotTls(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EPROTO' || code.startsWith('ERR_SSL_') || /wrong version number|packet length too long/i.test(String((error as Error)?.message));
}

export class RegistryClient {
  private readonly transport: Transport;
  private readonly credentials: CredentialSource;
  private readonly insecure: ReadonlySet<string>;
  private readonly userAgent: string;
  /** Scheme that worked per API host, so the HTTPS probe happens once. */
  private readonly schemes = new Map<string, 'https:' | 'http:'>();
  private readonly hostAuth = new Map<string, HostAuth>();
  private readonly tokens = new Map<string, Promise<{ token: string; expiresAt: number }>>();
  private readonly credentialCache = new Map<string, Promise<Credentials | undefined>>();

  constructor(options: RegistryClientOptions = {}) {
    const transportOptions = { ...(options.ca !== undefined ? { ca: options.ca } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
    this.transport = options.transport ?? nodeTransport(transportOptions);
    this.credentials = options.credentials ?? dockerConfigCredentials();
    this.insecure = new Set((options.insecureRegistries ?? []).map((host) => host.toLowerCase()));
    this.userAgent = options.userAgent ?? 'rootlock';
  }

  /**
   * The digest a tag points to now: `repo:tag` (or `repo:tag@old` — the tag is
   * resolved, so a stale pin can be replaced; `repo@digest` alone is checked to
   * exist; no tag means `latest`). An index or manifest list keeps its own
   * digest, so a pin stays valid on every platform.
   */
  async resolveDigest(image: string): Promise<ResolvedDigest> {
    const target = parseTarget(image);
    const reference = target.tag ?? target.digest ?? 'latest';
    const path = `/v2/${target.repository}/manifests/${reference}`;
    const accept = { Accept: MANIFEST_MEDIA_TYPES.join(', ') };
    const head = await this.send(target, 'HEAD', path, accept, reference);
    discardBody(head.body);
    if (head.status >= 200 && head.status < 300) {
      const digest = head.headers['docker-content-digest'];
      const mediaType = mediaTypeOf(head.headers['content-type']);
      if (digest !== undefined && isDigest(digest) && mediaType !== undefined && isManifestMediaType(mediaType)) return { digest, mediaType };
    }
    // No digest header, an unhelpful content type, or HEAD unsupported: the body settles it.
    const fetched = await this.fetchManifest(target, reference);
    return { digest: fetched.digest, mediaType: fetched.mediaType };
  }

  /** The manifest or index an image reference names (by digest when it has one), verified against its digest. */
  async getManifest(image: string): Promise<FetchedManifest> {
    const target = parseTarget(image);
    return this.fetchManifest(target, target.digest ?? target.tag ?? 'latest');
  }

  /** A blob of the image's repository, verified against `digest`; for configs and small layers. */
  async getBlob(image: string, digest: string, options: BlobOptions = {}): Promise<Buffer> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
    const target = parseTarget(image);
    const { stream, length } = await this.blobStream(target, digest);
    const tooLarge = () => new RegistryError('TOO_LARGE', `registry ${target.registry}: blob ${digest} of ${target.repository} is larger than ${maxBytes} bytes`);
    if (length !== undefined && length > maxBytes) {
      stream.destroy();
      throw tooLarge();
    }
    let bytes: Buffer | undefined;
    try {
      bytes = await readBody(stream, maxBytes);
    } catch (error) {
      throw this.wrapStreamError(target, error);
    }
    if (bytes === undefined) throw tooLarge();
    return bytes;
  }

  /**
   * A blob as a stream, for layers too big to hold in memory. The stream errors
   * with DIGEST_MISMATCH at its end if the content does not match `digest`, so
   * write it somewhere temporary and keep it only once the stream has ended.
   */
  async openBlob(image: string, digest: string): Promise<Readable> {
    return (await this.blobStream(parseTarget(image), digest)).stream;
  }

  private async blobStream(target: Target, digest: string): Promise<{ stream: Readable; length?: number }> {
    if (!isDigest(digest)) throw new RegistryError('INVALID_REFERENCE', `"${digest}" is not a sha256 or sha512 digest`);
    const response = await this.send(target, 'GET', `/v2/${target.repository}/blobs/${digest}`, {}, digest);
    if (response.status < 200 || response.status >= 300) throw await this.responseError(target, digest, response, 'BLOB_UNKNOWN');
    const hash = hasherFor(digest);
    const algorithm = digest.slice(0, digest.indexOf(':'));
    const where = `registry ${target.registry}: blob ${digest} of ${target.repository}`;
    const verifier = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
      flush(callback) {
        const actual = `${algorithm}:${hash.digest('hex')}`;
        callback(actual === digest ? null : new RegistryError('DIGEST_MISMATCH', `${where}: content has digest ${actual}`));
      },
    });
    response.body.on('error', (error) => verifier.destroy(this.wrapStreamError(target, error)));
    const length = Number(response.headers['content-length']);
    return { stream: response.body.pipe(verifier), ...(Number.isSafeInteger(length) && length >= 0 ? { length } : {}) };
  }

  private wrapStreamError(target: Target, error: unknown): RegistryError {
    if (error instanceof RegistryError) return error;
    return this.networkError(target, error);
  }

  private async fetchManifest(target: Target, reference: string): Promise<FetchedManifest> {
    const response = await this.send(target, 'GET', `/v2/${target.repository}/manifests/${reference}`, { Accept: MANIFEST_MEDIA_TYPES.join(', ') }, reference);
    const what = describeTarget(target, reference);
    if (response.status < 200 || response.status >= 300) throw await this.responseError(target, reference, response, 'MANIFEST_UNKNOWN');
    let bytes: Buffer | undefined;
    try {
      bytes = await readBody(response.body, MAX_MANIFEST_BYTES);
    } catch (error) {
      throw this.networkError(target, error);
    }
    if (bytes === undefined) throw new RegistryError('TOO_LARGE', `registry ${target.registry}: manifest for ${what} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    const header = response.headers['docker-content-digest'];
    const expected = isDigest(reference) ? reference : header !== undefined && isDigest(header) ? header : undefined;
    const digest = expected === undefined ? sha256Digest(bytes) : digestOf(bytes, expected);
    if (expected !== undefined && digest !== expected) {
      throw new RegistryError('DIGEST_MISMATCH', `registry ${target.registry}: manifest for ${what} has digest ${digest}, expected ${expected}`);
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new RegistryError('PROTOCOL', `registry ${target.registry}: manifest for ${what} is not JSON`);
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new RegistryError('PROTOCOL', `registry ${target.registry}: manifest for ${what} is not a JSON object`);
    }
    const record = manifest as Record<string, unknown>;
    const declared = typeof record['mediaType'] === 'string' ? record['mediaType'] : undefined;
    const contentType = mediaTypeOf(response.headers['content-type']);
    // OCI made the mediaType field optional; an index is what has `manifests`.
    const mediaType =
      (contentType !== undefined && isManifestMediaType(contentType) ? contentType : undefined) ??
      declared ??
      (Array.isArray(record['manifests']) ? OCI_INDEX : OCI_MANIFEST);
    return { digest, mediaType, bytes, manifest: record };
  }

  /** One API request with scheme choice, auth and redirects; answers a 401 challenge once. */
  private async send(target: Target, method: HttpRequest['method'], path: string, headers: Record<string, string>, reference: string): Promise<HttpResponse> {
    let authorization = await this.authorizationFor(target);
    let response = await this.sendOnce(target, method, path, headers, authorization);
    if (response.status !== 401) return this.checkDenied(target, reference, response);
    const challenge = response.headers['www-authenticate'];
    discardBody(response.body);
    const answer = await this.answerChallenge(target, reference, challenge);
    authorization = answer.authorization;
    response = await this.sendOnce(target, method, path, headers, authorization);
    if (response.status === 401) {
      discardBody(response.body);
      throw this.unauthorized(target, reference, answer.credentials !== undefined);
    }
    return this.checkDenied(target, reference, response);
  }

  private async checkDenied(target: Target, reference: string, response: HttpResponse): Promise<HttpResponse> {
    if (response.status === 403 || response.status === 429) throw await this.responseError(target, reference, response, response.status === 403 ? 'DENIED' : 'TOO_MANY_REQUESTS');
    return response;
  }

  private unauthorized(target: Target, reference: string, sentCredentials: boolean): RegistryError {
    const what = describeTarget(target, reference);
    return new RegistryError(
      'UNAUTHORIZED',
      sentCredentials
        ? `registry ${target.registry}: the credentials for ${target.registry} were rejected for ${what} (HTTP 401)`
        : `registry ${target.registry}: authentication required for ${what} (HTTP 401) and no credentials for ${target.registry} were found (docker login, or an "auths" entry in the Docker config file)`,
      401,
    );
  }

  private async sendOnce(target: Target, method: HttpRequest['method'], path: string, headers: Record<string, string>, authorization: string | undefined): Promise<HttpResponse> {
    const known = this.schemes.get(target.apiHost);
    const candidates: Array<'https:' | 'http:'> = known ? [known] : this.plainHttpAllowed(target.registry) ? ['https:', 'http:'] : ['https:'];
    let lastError: unknown;
    for (const scheme of candidates) {
      const url = new URL(`${scheme}//${target.apiHost}${path}`);
      try {
        const response = await this.followRedirects(target, { method, url, headers: { 'User-Agent': this.userAgent, ...headers, ...(authorization ? { Authorization: authorization } : {}) } });
        this.schemes.set(target.apiHost, scheme);
        return response;
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        lastError = error;
        if (!(scheme === 'https:' && isNotTls(error))) break;
        if (candidates.length === 1) {
          throw new RegistryError('INSECURE', `registry ${target.registry}: does not speak HTTPS; allow plain HTTP with --insecure-registry ${target.registry} if you trust the network`);
        }
      }
    }
    throw this.networkError(target, lastError);
  }

  private plainHttpAllowed(registry: string): boolean {
    const lower = registry.toLowerCase();
    return isLoopbackRegistry(lower) || this.insecure.has(lower) || this.insecure.has(lower.replace(/:\d+$/, ''));
  }

  private async followRedirects(target: Target, request: HttpRequest): Promise<HttpResponse> {
    let current = request;
    for (let hop = 0; ; hop++) {
      const response = await this.transport(current);
      const location = response.headers['location'];
      if (![301, 302, 303, 307, 308].includes(response.status) || location === undefined) return response;
      discardBody(response.body);
      if (hop === MAX_REDIRECTS) throw new RegistryError('PROTOCOL', `registry ${target.registry}: more than ${MAX_REDIRECTS} redirects for ${request.url.pathname}`);
      const next = new URL(location, current.url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError('PROTOCOL', `registry ${target.registry}: redirect to unsupported URL ${next.protocol}`);
      if (current.url.protocol === 'https:' && next.protocol === 'http:' && !this.plainHttpAllowed(next.host)) {
        throw new RegistryError('INSECURE', `registry ${target.registry}: refusing a redirect from HTTPS to plain HTTP (${next.host})`);
      }
      const headers = { ...current.headers };
      // Blob storage behind a redirect (S3, a CDN) must not see the registry's credentials.
      if (!sameHost(next, current.url)) delete headers['Authorization'];
      current = { method: current.method, url: next, headers };
    }
  }

  private credentialsFor(registry: string): Promise<Credentials | undefined> {
    let cached = this.credentialCache.get(registry);
    if (!cached) {
      cached = this.credentials(registry);
      this.credentialCache.set(registry, cached);
    }
    return cached;
  }

  /** Authorization for a request whose host already told us how it authenticates. */
  private async authorizationFor(target: Target): Promise<string | undefined> {
    const auth = this.hostAuth.get(target.apiHost);
    if (!auth) return undefined;
    if (auth.scheme === 'basic') {
      const credentials = await this.credentialsFor(target.registry);
      return credentials ? basicAuthorization(credentials) : undefined;
    }
    const token = await this.token(target, auth, `repository:${target.repository}:pull`, false);
    return `Bearer ${token}`;
  }

  private async answerChallenge(target: Target, reference: string, header: string | undefined): Promise<{ authorization: string; credentials?: Credentials }> {
    const challenges: Challenge[] = header ? parseWwwAuthenticate(header) : [];
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params['realm']);
    const basic = challenges.find((challenge) => challenge.scheme === 'basic');
    if (bearer) {
      const auth: HostAuth = { scheme: 'bearer', realm: bearer.params['realm']!, ...(bearer.params['service'] !== undefined ? { service: bearer.params['service'] } : {}) };
      this.hostAuth.set(target.apiHost, auth);
      const scope = bearer.params['scope'] ?? `repository:${target.repository}:pull`;
      const credentials = await this.credentialsFor(target.registry);
      // A token we already held was refused: ask for a fresh one.
      const token = await this.token(target, auth, scope, true);
      return { authorization: `Bearer ${token}`, ...(credentials ? { credentials } : {}) };
    }
    if (basic) {
      this.hostAuth.set(target.apiHost, { scheme: 'basic' });
      const credentials = await this.credentialsFor(target.registry);
      if (!credentials) throw this.unauthorized(target, reference, false);
      return { authorization: basicAuthorization(credentials), credentials };
    }
    throw new RegistryError('UNAUTHORIZED', `registry ${target.registry}: HTTP 401 for ${describeTarget(target, reference)} without a Bearer or Basic challenge (${header ?? 'no WWW-Authenticate header'})`, 401);
  }

  /** A bearer token from the realm for `scope`, anonymous or with the registry's credentials; cached until it expires. */
  private token(target: Target, auth: Extract<HostAuth, { scheme: 'bearer' }>, scope: string, refresh: boolean): Promise<string> {
    const key = `${auth.realm} ${auth.service ?? ''} ${scope}`;
    const cached = this.tokens.get(key);
    if (!refresh && cached) {
      return cached.then(
        (entry) => (entry.expiresAt > Date.now() ? entry.token : this.token(target, auth, scope, true)),
        () => this.token(target, auth, scope, true),
      );
    }
    const pending = this.fetchToken(target, auth, scope);
    this.tokens.set(key, pending);
    pending.catch(() => this.tokens.delete(key));
    return pending.then((entry) => entry.token);
  }

  private async fetchToken(target: Target, auth: Extract<HostAuth, { scheme: 'bearer' }>, scope: string): Promise<{ token: string; expiresAt: number }> {
    let url: URL;
    try {
      url = new URL(auth.realm);
    } catch {
      throw new RegistryError('PROTOCOL', `registry ${target.registry}: token realm ${JSON.stringify(auth.realm)} is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.plainHttpAllowed(url.host))) {
      throw new RegistryError('INSECURE', `registry ${target.registry}: refusing token realm ${url.origin}, which is not HTTPS`);
    }
    if (auth.service !== undefined) url.searchParams.set('service', auth.service);
    for (const part of scope.split(' ').filter((s) => s !== '')) url.searchParams.append('scope', part);
    const credentials = await this.credentialsFor(target.registry);
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, Accept: 'application/json' };
    if (credentials) headers['Authorization'] = basicAuthorization(credentials);
    let response: HttpResponse;
    try {
      response = await this.followRedirects(target, { method: 'GET', url, headers });
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw this.networkError(target, error, `token service ${url.host}`);
    }
    const body = await readBody(response.body, MAX_ERROR_BODY_BYTES).catch(() => undefined);
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(
        response.status === 401 ? 'UNAUTHORIZED' : 'DENIED',
        credentials
          ? `registry ${target.registry}: token service ${url.host} rejected the credentials for ${target.registry} (HTTP ${response.status})`
          : `registry ${target.registry}: token service ${url.host} refused anonymous access to ${scope} (HTTP ${response.status}); log in to ${target.registry}`,
        response.status,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new RegistryError('HTTP_ERROR', `registry ${target.registry}: token service ${url.host} answered HTTP ${response.status}`, response.status);
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body?.toString('utf8') ?? '') as typeof parsed;
    } catch {
      throw new RegistryError('PROTOCOL', `registry ${target.registry}: token service ${url.host} did not answer JSON`);
    }
    const token = typeof parsed.token === 'string' && parsed.token !== '' ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') throw new RegistryError('PROTOCOL', `registry ${target.registry}: token service ${url.host} answered without a token`);
    // The token spec's default lifetime is 60 seconds; renew a little early.
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
    return { token, expiresAt: Date.now() + Math.max(lifetime - 10, 1) * 1000 };
  }

  /** A clear error from a failed response, using the registry's error code when its JSON body has one. */
  private async responseError(target: Target, reference: string, response: HttpResponse, notFound: RegistryErrorCode): Promise<RegistryError> {
    const what = describeTarget(target, reference);
    const body = await readBody(response.body, MAX_ERROR_BODY_BYTES).catch(() => undefined);
    let registryCode: string | undefined;
    let registryMessage: string | undefined;
    try {
      const parsed = JSON.parse(body?.toString('utf8') ?? '') as { errors?: Array<{ code?: unknown; message?: unknown }> };
      const first = parsed.errors?.[0];
      if (typeof first?.code === 'string') registryCode = first.code;
      if (typeof first?.message === 'string') registryMessage = first.message;
    } catch {
      // Not the distribution error format (a proxy's HTML page, an empty HEAD body): the status says enough.
    }
    const status = response.status;
    const known: Record<string, [RegistryErrorCode, string]> = {
      MANIFEST_UNKNOWN: ['MANIFEST_UNKNOWN', 'manifest unknown'],
      NAME_UNKNOWN: ['NAME_UNKNOWN', 'repository unknown'],
      BLOB_UNKNOWN: ['BLOB_UNKNOWN', 'blob unknown'],
      DENIED: ['DENIED', 'access denied'],
      UNAUTHORIZED: ['UNAUTHORIZED', 'authentication required'],
      TOOMANYREQUESTS: ['TOO_MANY_REQUESTS', 'too many requests (rate limited)'],
    };
    let code: RegistryErrorCode;
    let phrase: string;
    const mapped = registryCode !== undefined ? known[registryCode] : undefined;
    if (mapped) [code, phrase] = mapped;
    else if (status === 404) [code, phrase] = [notFound, notFound === 'BLOB_UNKNOWN' ? 'blob unknown' : 'manifest unknown'];
    else if (status === 403) [code, phrase] = ['DENIED', 'access denied'];
    else if (status === 429) [code, phrase] = ['TOO_MANY_REQUESTS', 'too many requests (rate limited)'];
    else [code, phrase] = ['HTTP_ERROR', registryMessage ?? 'request failed'];
    return new RegistryError(code, `registry ${target.registry}: ${phrase} for ${what} (HTTP ${status})`, status);
  }

  private networkError(target: Target, error: unknown, what = `registry ${target.registry}`): RegistryError {
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    const prefix = what === `registry ${target.registry}` ? what : `registry ${target.registry}: ${what}`;
    if (code === 'ETIMEDOUT') return new RegistryError('TIMEOUT', `${prefix}: ${message}`);
    if (UNTRUSTED_CERTIFICATE.has(code)) {
      return new RegistryError('TLS', `${prefix}: TLS certificate not trusted (${code}); add its CA to NODE_EXTRA_CA_CERTS or the client's ca option`);
    }
    if (code === 'ECONNREFUSED') return new RegistryError('NETWORK', `${prefix}: connection refused`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RegistryError('NETWORK', `${prefix}: host not found`);
    if (code === 'ECONNRESET') return new RegistryError('NETWORK', `${prefix}: connection reset`);
    return new RegistryError('NETWORK', `${prefix}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`);
  }
}

function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Resolves one image with a fresh client; for many images, share one RegistryClient (it caches tokens). */
export function resolveDigest(image: string, options: RegistryClientOptions = {}): Promise<ResolvedDigest> {
  return new RegistryClient(options).resolveDigest(image);
}
