// The only code here that opens connections: one request, one response, on
// node:http / node:https. The client talks to a `Transport`, so unit tests can
// replace the network with a function, and so a CA bundle or a timeout is set
// in one place.
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'HEAD';
  url: URL;
  headers: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", " (set-cookie is never needed here). */
  headers: Record<string, string>;
  /** Empty for HEAD. The caller must consume or destroy it. */
  body: Readable;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export interface NodeTransportOptions {
  /** Idle time allowed while connecting, waiting for headers or between body chunks. */
  timeoutMs?: number;
  /** PEM certificates trusted in addition to Node's built-in roots (a private registry's CA). */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Raised by the transport when a connection sits idle longer than the timeout. */
export class TransportTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs / 1000}s`);
  }
}

export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  const httpsAgent = new HttpsAgent({ keepAlive: true, ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}) });
  const httpAgent = new HttpAgent({ keepAlive: true });
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const req = send(request.url, { method: request.method, headers: request.headers, agent: secure ? httpsAgent : httpAgent });
      req.setTimeout(timeoutMs, () => req.destroy(new TransportTimeoutError(timeoutMs)));
      req.on('error', reject);
      req.on('response', (response: IncomingMessage) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        // An idle socket after the headers is still a timeout; surface it on the body stream.
        req.removeAllListeners('error');
        req.on('error', (error) => response.destroy(error));
        resolve({ status: response.statusCode ?? 0, headers, body: response });
      });
      req.end();
    });
}

/** Reads a whole body, refusing more than `maxBytes` so a hostile server cannot exhaust memory. */
export async function readBody(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    length += bytes.length;
    if (length > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** Drops a body we do not need, so the connection can be reused or closed. */
export function discardBody(body: Readable): void {
  body.resume();
}
