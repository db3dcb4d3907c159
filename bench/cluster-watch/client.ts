// A JSON client for filling the benchmark's cluster: one keep-alive agent, so
// tens of thousands of creates do not each pay a TLS handshake (the test
// helper's request() opens a connection per call).
import { Agent, request } from 'node:https';

export interface BenchClient {
  send(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): void;
}

export function benchClient(server: string, tls: { ca: string; cert: string; key: string }, sockets = 32): BenchClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, ca: tls.ca, cert: tls.cert, key: tls.key });
  const send = (method: string, path: string, body?: unknown) => new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(new URL(path, server), {
      method, agent,
      headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      timeout: 60_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the caller shows the text.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
  return { send, close: () => agent.destroy() };
}

/** Runs `work` over `items`, `size` at a time. */
export async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}
