// The HTTPS server: routes, body limit, certificate reload, graceful shutdown.
// Admission answers come from handler.ts; this file only speaks HTTP.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmission } from './handler.js';
import type { Endpoint } from './handler.js';
import { errorStatus } from './response.js';
import { WebhookMetrics } from './metrics.js';
import { Logger, silentLogger } from './log.js';
import { watchFiles } from './file-watch.js';
import type { FileWatch } from './file-watch.js';
import type { WebhookSettings } from './settings.js';

/** The API server sends at most 3 MiB objects (etcd's default request limit is 1.5 MiB); a review adds little. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ServerOptions {
  host: string;
  port: number;
  cert: { certFile: string; keyFile: string; cert: Buffer; key: Buffer };
  settings: () => WebhookSettings;
  /** Serve POST /mutate (--mutate); without it /mutate answers 404. */
  mutate?: boolean;
  logger?: Logger;
  metrics?: WebhookMetrics;
  maxBodyBytes?: number;
  /** How often the certificate files are compared with what is served, in ms. */
  certReloadIntervalMs?: number;
  /** Longest time shutdown waits for in-flight requests before closing connections. */
  shutdownTimeoutMs?: number;
  /** Log each admission at info level (default: denials and errors at info, the rest at debug). */
  logAllRequests?: boolean;
}

export interface WebhookServer {
  server: Server;
  port: number;
  metrics: WebhookMetrics;
  /** Reads the certificate and key again now (the timer does it too). */
  reloadCertificate(): Promise<void>;
  /** Stops accepting, finishes in-flight requests, then closes. */
  shutdown(): Promise<void>;
  inFlight(): number;
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json', closing = false): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Headers as one flat list: Node reads it as is, where an object is walked key by key on every answer.
  const headers = ['content-type', contentType, 'content-length', String(Buffer.byteLength(text))];
  if (closing) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/**
 * Reads the body up to `limit` bytes and calls `done` with it, or with
 * undefined when it is larger; `failed` on a stream error. Callbacks rather
 * than a promise: this runs for every admission, and the body is usually one chunk.
 */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void, failed: (error: Error) => void): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      first = undefined;
      more = undefined;
      done(undefined);
      return;
    }
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (!over) done(more ? Buffer.concat(more) : first ?? Buffer.alloc(0));
  });
  req.on('error', failed);
}

export async function startWebhookServer(options: ServerOptions): Promise<WebhookServer> {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? new WebhookMetrics();
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  // One listener for every response, not a closure per request.
  function onResponseClosed(): void {
    inFlight--;
    if (shuttingDown && inFlight === 0) drained?.();
  }
  function failed(res: ServerResponse, error: unknown): void {
    logger.error('request failed', { error: (error as Error).message });
    if (!res.headersSent) send(res, 500, errorStatus(500, 'internal error'), 'application/json', true);
    else res.destroy();
  }

  const server = createServer({ cert: options.cert.cert, key: options.cert.key, minVersion: 'TLSv1.2', keepAliveTimeout: 30_000 }, (req, res) => {
    inFlight++;
    res.on('close', onResponseClosed);
    try {
      route(req, res);
    } catch (error) {
      failed(res, error);
    }
  });
  server.on('tlsClientError', (error) => logger.debug('TLS handshake failed', { error: error.message }));
  server.on('clientError', (error, socket) => {
    logger.debug('malformed HTTP request', { error: error.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/healthz') return send(res, 200, 'ok\n', 'text/plain');
      if (path === '/readyz') return shuttingDown ? send(res, 503, 'shutting down\n', 'text/plain') : send(res, 200, 'ok\n', 'text/plain');
      if (path === '/metrics') return send(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    }
    const endpoint: Endpoint | undefined = path === '/validate' ? 'validate' : path === '/mutate' ? 'mutate' : undefined;
    if (!endpoint) return send(res, 404, errorStatus(404, `no route ${req.method ?? ''} ${path}; the webhook serves POST /validate and POST /mutate`));
    if (endpoint === 'mutate' && !options.mutate) return send(res, 404, errorStatus(404, 'mutation is off: start rootlock webhook serve with --mutate'));
    if (req.method !== 'POST') return send(res, 405, errorStatus(405, `${endpoint} takes POST`));
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      metrics.record(endpoint, 'error', 0, 0, []);
      // Closing the connection means the unread body is never read.
      return send(res, 413, errorStatus(413, `request body of ${declared} bytes exceeds the limit of ${maxBody} bytes`), 'application/json', true);
    }
    const started = performance.now();
    readBody(req, maxBody, (body) => {
      try {
        answer(endpoint, body, started, res);
      } catch (error) {
        failed(res, error);
      }
    }, (error) => failed(res, error));
  }

  function answer(endpoint: Endpoint, body: Buffer | undefined, started: number, res: ServerResponse): void {
    if (body === undefined) {
      metrics.record(endpoint, 'error', 0, 0, []);
      return send(res, 413, errorStatus(413, `request body exceeds the limit of ${maxBody} bytes`), 'application/json', true);
    }
    const result = handleAdmission(endpoint, body.toString('utf8'), options.settings());
    send(res, result.status, result.body, 'application/json', shuttingDown);
    const seconds = (performance.now() - started) / 1000;
    metrics.record(endpoint, result.outcome, seconds, result.engineMs / 1000, result.rules);
    const loud = options.logAllRequests || result.outcome === 'deny' || result.outcome === 'error';
    const level = loud ? 'info' : 'debug';
    // The fields are only built when the line is written: most servers log at info and allow most requests.
    if (!logger.enabled(level)) return;
    const request = result.request;
    const fields = {
      uid: result.uid,
      endpoint,
      status: result.status,
      outcome: result.outcome,
      ...(request ? { kind: request.kind.kind, namespace: request.namespace, name: request.name ?? (request.object?.['metadata'] as { name?: string } | undefined)?.name, operation: request.operation, dryRun: request.dryRun, subResource: request.subResource } : {}),
      ...(result.rules.length ? { rules: result.rules } : {}),
      ...(result.error ? { error: result.error } : {}),
      ms: Math.round(seconds * 100_000) / 100,
    };
    logger.log(level, 'admission', fields);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const applyCertificate = (contents: Buffer[]): void => {
    const [cert, key] = contents;
    try {
      // New connections get the new pair; open connections keep theirs, so nothing in flight is dropped.
      server.setSecureContext({ cert: cert as Buffer, key: key as Buffer, minVersion: 'TLSv1.2' });
      metrics.certificateReloads++;
      logger.info('serving certificate reloaded', { cert: options.cert.certFile });
    } catch (error) {
      // Typically a certificate written before its key: the next check picks up the matching pair.
      logger.warn('certificate and key on disk do not load; still serving the previous pair', { error: (error as Error).message });
    }
  };
  const watch: FileWatch = watchFiles([options.cert.certFile, options.cert.keyFile], options.certReloadIntervalMs ?? 2000, applyCertificate, [options.cert.cert, options.cert.key]);

  return {
    server,
    port,
    metrics,
    reloadCertificate: () => watch.check(),
    inFlight: () => inFlight,
    shutdown: async () => {
      if (shuttingDown) return;
      shuttingDown = true;
      watch.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const timeout = options.shutdownTimeoutMs ?? 10_000;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, timeout).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
