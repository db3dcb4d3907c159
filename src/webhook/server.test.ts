// The HTTPS server in-process: operations endpoints, limits, certificate
// reload without dropped requests, graceful shutdown.
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startWebhookServer } from './server.js';
import type { WebhookServer } from './server.js';
import { Logger } from './log.js';
import { admissionReview, httpsCall, mutablePod, testCerts, testSettings } from '../../test/helpers/webhook.js';
import type { TestCerts } from '../../test/helpers/webhook.js';
import { createCertificates } from './certs.js';

const MAX_BODY = 64 * 1024;

describe('webhook HTTPS server', () => {
  let certs: TestCerts;
  let server: WebhookServer;
  const logs: string[] = [];
  before(async () => {
    certs = await testCerts();
    server = await startWebhookServer({
      host: '127.0.0.1',
      port: 0,
      cert: { certFile: certs.certFile, keyFile: certs.keyFile, cert: Buffer.from(certs.cert), key: Buffer.from(certs.key) },
      settings: () => testSettings(),
      mutate: true,
      maxBodyBytes: MAX_BODY,
      certReloadIntervalMs: 60_000,
      logger: new Logger((line) => logs.push(line), 'debug'),
    });
  });
  after(() => server?.shutdown());

  const post = (path: string, body: string, agent?: Agent) => httpsCall(server.port, certs.caCert, 'POST', path, body, agent ? { agent } : {});

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    assert.equal((await httpsCall(server.port, certs.caCert, 'GET', '/healthz')).status, 200);
    assert.equal((await httpsCall(server.port, certs.caCert, 'GET', '/readyz')).status, 200);
    await post('/validate', JSON.stringify(admissionReview(mutablePod())));
    await post('/mutate', JSON.stringify(admissionReview(mutablePod())));
    const metrics = await httpsCall(server.port, certs.caCert, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.text, /^rootlock_webhook_requests_total\{endpoint="validate",outcome="deny"\} [1-9]/m);
    assert.match(metrics.text, /^rootlock_webhook_requests_total\{endpoint="mutate",outcome="patch"\} [1-9]/m);
    assert.match(metrics.text, /^rootlock_webhook_denials_total\{rule="read-only-root-filesystem"\} [1-9]/m);
    assert.match(metrics.text, /^rootlock_webhook_request_duration_seconds_bucket\{endpoint="validate",le="\+Inf"\} [1-9]/m);
    assert.match(metrics.text, /^# TYPE rootlock_webhook_request_duration_seconds histogram$/m);
    // Every sample line is `name{labels} value`.
    for (const line of metrics.text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) \S+ .+|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$/, line);
  });

  it('logs request uids as JSON, without object contents', async () => {
    logs.length = 0;
    await post('/validate', JSON.stringify(admissionReview(mutablePod('secret-name-x'), { uid: 'log-uid-1' })));
    const entry = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['uid'] === 'log-uid-1');
    assert.ok(entry, logs.join(''));
    assert.equal(entry['outcome'], 'deny');
    assert.equal(entry['kind'], 'Pod');
    assert.ok(!JSON.stringify(entry).includes('nginx:1.25'), 'no object contents in logs');
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify(admissionReview({ ...mutablePod(), padding: 'x'.repeat(MAX_BODY) }));
    const declared = await post('/validate', big);
    assert.equal(declared.status, 413);
    assert.match(JSON.parse(declared.text).message as string, /exceeds the limit of 65536 bytes/);
    const streamed = await httpsCall(server.port, certs.caCert, 'POST', '/validate', big, { headers: { 'content-length': '10', 'transfer-encoding': '' } }).catch((e: Error) => e);
    // A lying Content-Length is a protocol error Node answers itself; the chunked case is the one that matters:
    assert.ok(streamed instanceof Error || streamed.status >= 400);
    const chunked = await new Promise<number>((resolve, reject) => {
      import('node:https').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/validate', ca: certs.caCert, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        for (let i = 0; i < 20; i++) req.write('y'.repeat(8192));
        req.end();
      }, reject);
    });
    assert.equal(chunked, 413);
  });

  it('answers 404 and 405 with a Status', async () => {
    const missing = await httpsCall(server.port, certs.caCert, 'GET', '/nope');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.text).kind, 'Status');
    assert.equal((await httpsCall(server.port, certs.caCert, 'GET', '/validate')).status, 405);
  });

  it('refuses TLS below 1.2', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: server.port, ca: certs.caCert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve('connected'));
      socket.on('error', (e) => resolve(e.message));
    });
    assert.notEqual(outcome, 'connected');
  });

  it('reloads certificate and key from disk without dropping a request', async () => {
    const oldCa = certs.caCert;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 2 });
    const body = JSON.stringify(admissionReview(mutablePod()));
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (!stop) {
        const answer = await httpsCall(server.port, oldCa, 'POST', '/validate', body, { agent: keepAlive }).catch((e: Error) => e);
        if (answer instanceof Error || answer.status !== 200) failures.push(answer instanceof Error ? answer.message : String(answer.status));
        else ok++;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    const next = await createCertificates({ service: 'rootlock-webhook', namespace: 'rootlock-system', ips: ['127.0.0.1'] });
    // cert-manager style: the key lands first, so for a moment the pair on disk does not match.
    await writeFile(`${certs.keyFile}.new`, next.key);
    await rename(`${certs.keyFile}.new`, certs.keyFile);
    await server.reloadCertificate();
    await writeFile(`${certs.certFile}.new`, next.cert);
    await rename(`${certs.certFile}.new`, certs.certFile);
    await server.reloadCertificate();
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await load;
    keepAlive.destroy();
    assert.deepEqual(failures, []);
    assert.ok(ok > 5, `only ${ok} requests during the reload`);
    // New connections are served with the new certificate: the new CA is trusted, the old one no longer.
    assert.equal((await httpsCall(server.port, next.caCert, 'GET', '/healthz')).status, 200);
    const stale = await httpsCall(server.port, oldCa, 'GET', '/healthz', undefined, { agent: new Agent({ keepAlive: false }) }).catch((e: Error) => e);
    assert.ok(stale instanceof Error, 'the old CA should no longer verify new connections');
    assert.match((await httpsCall(server.port, next.caCert, 'GET', '/metrics')).text, /^rootlock_webhook_certificate_reloads_total 1$/m);
    certs = { ...certs, ...next };
    await writeFile(join(certs.dir, 'ca.crt'), next.caCert);
  });
});

describe('webhook graceful shutdown', () => {
  it('finishes an in-flight request, reports not ready, and refuses new connections', async () => {
    const certs = await testCerts();
    const server = await startWebhookServer({ host: '127.0.0.1', port: 0, cert: { certFile: certs.certFile, keyFile: certs.keyFile, cert: Buffer.from(certs.cert), key: Buffer.from(certs.key) }, settings: () => testSettings() });
    const body = Buffer.from(JSON.stringify(admissionReview(mutablePod(), { uid: 'in-flight' })));
    const { request } = await import('node:https');
    let send: (() => void) | undefined;
    const answer = new Promise<{ status: number; text: string; connection: string | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/validate', ca: certs.caCert, headers: { 'content-length': body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 100));
      send = () => req.end(body.subarray(100));
    });
    while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    const shutdown = server.shutdown();
    let finished = false;
    void shutdown.then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(finished, false, 'shutdown waits for the request in flight');
    const refused = await httpsCall(server.port, certs.caCert, 'GET', '/readyz').catch((e: Error) => e);
    assert.ok(refused instanceof Error, 'no new connections once shutting down');
    send?.();
    const result = await answer;
    assert.equal(result.status, 200);
    assert.equal(JSON.parse(result.text).response.uid, 'in-flight');
    assert.equal(result.connection, 'close');
    await shutdown;
    assert.equal(finished, true);
  });
});
