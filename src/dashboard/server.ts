// The read-only server of `rootlock dashboard`: serves the HTML report's page
// as it was last rendered, with a strict Content-Security-Policy in the
// response too, and nothing else. No request changes anything: GET and HEAD
// of `/` and `/healthz`, 405 for every other method.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_SECURITY_POLICY } from './html.js';

export interface DashboardServer {
  port: number;
  close(): Promise<void>;
}

/** The header form of the page's policy, which can also forbid framing (a <meta> policy cannot). */
export const DASHBOARD_CSP = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

function send(request: IncomingMessage, response: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** `page()` is the latest page, or undefined until the first audit has finished. */
export async function startDashboardServer(options: { host: string; port: number; page: () => string | undefined }): Promise<DashboardServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(request, response, 405, 'text/plain; charset=utf-8', 'rootlock dashboard is read-only: GET or HEAD only\n', { allow: 'GET, HEAD' });
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      send(request, response, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    if (path !== '/') {
      send(request, response, 404, 'text/plain; charset=utf-8', 'not found: the dashboard is at /\n');
      return;
    }
    const page = options.page();
    if (page === undefined) send(request, response, 503, 'text/plain; charset=utf-8', 'the first audit of the cluster has not finished yet; try again in a moment\n', { 'retry-after': '5' });
    else send(request, response, 200, 'text/html; charset=utf-8', page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
