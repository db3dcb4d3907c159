// Connects to a cluster the way kubectl does: --kubeconfig, then $KUBECONFIG,
// then ~/.kube/config, then the in-cluster service account. @kubernetes/client-node
// does the kubeconfig parsing, context selection and authentication (client
// certificates, tokens, token files, exec plugins, OIDC, proxies); rootlock
// sends the GET requests itself and keeps the JSON exactly as the API server
// sent it. The generated typed clients would turn it into model classes that
// drop every field their model does not know (a newer API server's fields
// would vanish before the rules saw them) and turn timestamps into Dates.
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const IN_CLUSTER_CONTEXT = 'in-cluster';
const DEFAULT_TIMEOUT_MS = 60_000;

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
  /** The body as text, for error messages when it is not JSON. */
  text: string;
}

/** A way to GET from one API server as one user. */
export interface ClusterConnection {
  /** The kubeconfig context used, or `in-cluster`. */
  context: string;
  server: string;
  /** GET a path such as /api/v1/pods with query parameters; rejects only when no HTTP response arrives. */
  get(path: string, query?: Record<string, string | undefined>): Promise<ApiResponse>;
  /** Any other method (POST, DELETE) with an optional JSON body; `verify --cluster` creates and deletes with it. */
  send(method: string, path: string, query?: Record<string, string | undefined>, body?: unknown): Promise<ApiResponse>;
  /** A long-lived GET (a watch), read line by line; `audit --cluster --watch` follows changes with it. */
  stream?(path: string, query?: Record<string, string | undefined>): Promise<StreamResponse>;
}

/** A streamed response: the status once the headers arrive, then the body's lines. */
export interface StreamResponse {
  status: number;
  /** Newline-separated lines of the body (a watch sends one JSON event per line); ends when the server closes it. */
  lines: AsyncIterable<string>;
  /** The whole body, for a response that is not a stream (an error Status). */
  text(): Promise<string>;
  /** Ends the request; `lines` then ends too. */
  abort(): void;
}

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  /** The environment to read KUBECONFIG and KUBERNETES_SERVICE_HOST/PORT from. */
  env: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
  /** Where a pod's service account token, CA and namespace are mounted. */
  serviceAccountDir?: string;
  userAgent?: string;
  timeoutMs?: number;
}

export type ConnectResult = { connection: ClusterConnection } | { problem: string };

function inClusterAvailable(env: ConnectOptions['env'], dir: string): boolean {
  return Boolean(env['KUBERNETES_SERVICE_HOST'] && env['KUBERNETES_SERVICE_PORT'] && existsSync(join(dir, 'token')));
}

function inClusterServer(host: string, port: string): string {
  // An IPv6 service address needs brackets in a URL.
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `https://${hostPart}:${port}`;
}

/** Loads the kubeconfig the way kubectl's loading rules do and picks the context. */
async function loadKubeConfig(options: ConnectOptions): Promise<{ kc: KubeConfig; source: string } | { problem: string }> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const fromFiles = (files: readonly string[], source: string) => {
    const [first, ...rest] = files;
    if (first === undefined) return { problem: `${source} names no file` };
    try {
      kc.loadFromFile(first);
      for (const file of rest) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        // As kubectl: the first file that names a current context decides it.
        kc.mergeConfig(more, Boolean(kc.getCurrentContext()));
      }
    } catch (error) {
      return { problem: `cannot read kubeconfig ${source}: ${(error as Error).message}` };
    }
    return { kc, source };
  };

  if (options.kubeconfig !== undefined) return fromFiles([options.kubeconfig], options.kubeconfig);
  const fromEnv = options.env['KUBECONFIG'];
  if (fromEnv) {
    const files = fromEnv.split(delimiter).filter((file) => file !== '' && existsSync(file));
    if (files.length) return fromFiles(files, `$KUBECONFIG (${files.join(delimiter)})`);
  }
  const home = options.homeDir ?? options.env['HOME'];
  const homeConfig = home ? join(home, '.kube', 'config') : undefined;
  if (homeConfig && existsSync(homeConfig)) return fromFiles([homeConfig], homeConfig);
  const host = options.env['KUBERNETES_SERVICE_HOST'];
  const port = options.env['KUBERNETES_SERVICE_PORT'];
  if (host && port && inClusterAvailable(options.env, serviceAccountDir)) {
    kc.loadFromOptions({
      clusters: [{ name: IN_CLUSTER_CONTEXT, server: inClusterServer(host, port), caFile: join(serviceAccountDir, 'ca.crt'), skipTLSVerify: false }],
      // The token file is read again when it is older than a minute: the kubelet rotates projected tokens.
      users: [{ name: IN_CLUSTER_CONTEXT, authProvider: { name: 'tokenFile', config: { tokenFile: join(serviceAccountDir, 'token') } } }],
      contexts: [{ name: IN_CLUSTER_CONTEXT, cluster: IN_CLUSTER_CONTEXT, user: IN_CLUSTER_CONTEXT }],
      currentContext: IN_CLUSTER_CONTEXT,
    });
    return { kc, source: `the in-cluster service account (${serviceAccountDir})` };
  }
  return {
    problem:
      'no cluster configuration found: pass --kubeconfig, set $KUBECONFIG, create ~/.kube/config, ' +
      `or run in a pod (KUBERNETES_SERVICE_HOST and ${join(serviceAccountDir, 'token')})`,
  };
}

export async function connect(options: ConnectOptions): Promise<ConnectResult> {
  const loaded = await loadKubeConfig(options);
  if ('problem' in loaded) return loaded;
  const { kc, source } = loaded;
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      return { problem: `context "${options.context}" is not in ${source}${known.length ? ` (it has: ${known.join(', ')})` : ''}` };
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) return { problem: `${source} has no current context; pass --context` };
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) return { problem: `context "${context}" in ${source} names no cluster with a server` };
  const server = cluster.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.userAgent ?? 'rootlock';

  const send = async (method: string, path: string, query: Record<string, string | undefined> = {}, body?: unknown): Promise<ApiResponse> => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, value);
    // Appended, not resolved: a server URL may carry a path prefix (a proxy such as Rancher's).
    const url = new URL(`${server}${path}${search.size ? `?${search}` : ''}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': userAgent };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const requestOptions: RequestOptions = { method, headers };
    await kc.applyToHTTPSOptions(requestOptions);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = send(url, requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${server} within ${timeoutMs / 1000} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
  const get = (path: string, query: Record<string, string | undefined> = {}) => send('GET', path, query);
  const stream = async (path: string, query: Record<string, string | undefined> = {}): Promise<StreamResponse> => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, value);
    const url = new URL(`${server}${path}${search.size ? `?${search}` : ''}`);
    const requestOptions: RequestOptions = { method: 'GET', headers: { Accept: 'application/json', 'User-Agent': userAgent } };
    await kc.applyToHTTPSOptions(requestOptions);
    const open = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<StreamResponse>((resolve, reject) => {
      const req = open(url, requestOptions, (res) => {
        res.setEncoding('utf8');
        const lines = async function* (): AsyncGenerator<string> {
          let rest = '';
          try {
            for await (const chunk of res as AsyncIterable<string>) {
              rest += chunk;
              let newline: number;
              while ((newline = rest.indexOf('\n')) >= 0) {
                const line = rest.slice(0, newline);
                rest = rest.slice(newline + 1);
                if (line.trim() !== '') yield line;
              }
            }
          } catch {
            // An aborted or dropped connection ends the stream; the watcher decides what to do next.
          }
          if (rest.trim() !== '') yield rest;
        };
        const text = async (): Promise<string> => {
          let all = '';
          for await (const line of lines()) all += `${line}\n`;
          return all;
        };
        resolve({ status: res.statusCode ?? 0, lines: lines(), text, abort: () => req.destroy() });
      });
      // A watch is quiet for long stretches (bookmarks come about once a minute): only the connection needs a timeout.
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${server} within ${timeoutMs / 1000} s`)));
      req.on('response', () => req.setTimeout(0));
      req.on('error', reject);
      req.end();
    });
  };
  return { connection: { context, server, get, send, stream } };
}
