import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createCertificates } from '../webhook/certs.js';
import { describeProbe, parseProbeOption, probeFromManifest, waitForProbe } from './probe.js';
import { retryPauseMs } from './retry.js';

describe('parseProbeOption', () => {
  it('reads http, https, tcp and exec probes; the host part is ignored (probes go to the sandbox\'s loopback)', () => {
    assert.deepEqual(parseProbeOption('http://:8080/healthz'), { kind: 'http', scheme: 'http', port: 8080, path: '/healthz', headers: {} });
    assert.deepEqual(parseProbeOption('https://localhost:8443'), { kind: 'http', scheme: 'https', port: 8443, path: '/', headers: {} });
    assert.deepEqual(parseProbeOption('tcp://:5432'), { kind: 'tcp', port: 5432 });
    assert.deepEqual(parseProbeOption('exec: cat /tmp/ready'), { kind: 'exec', command: ['cat', '/tmp/ready'] });
    assert.equal(describeProbe(parseProbeOption('http://:8080/healthz?x=1')), 'http://127.0.0.1:8080/healthz?x=1');
  });

  it('refuses what is not a probe', () => {
    assert.throws(() => parseProbeOption('http://example/healthz'), /expected http:\/\/:PORT\/PATH/);
    assert.throws(() => parseProbeOption('http://:99999/'), /port 99999/);
    assert.throws(() => parseProbeOption('ftp://:21'), /expected/);
    assert.throws(() => parseProbeOption('exec:'), /needs a command/);
  });
});

describe('probeFromManifest', () => {
  const ports = new Map([['http', 8080]]);
  it('turns httpGet (named or numbered port, scheme, headers), tcpSocket and exec into probes', () => {
    assert.deepEqual(probeFromManifest({ httpGet: { path: 'ready', port: 'http', scheme: 'HTTPS', httpHeaders: [{ name: 'X-A', value: 'b' }] } }, ports, 'p'),
      { kind: 'http', scheme: 'https', port: 8080, path: '/ready', headers: { 'X-A': 'b' } });
    assert.deepEqual(probeFromManifest({ httpGet: { port: 80 } }, ports, 'p'), { kind: 'http', scheme: 'http', port: 80, path: '/', headers: {} });
    assert.deepEqual(probeFromManifest({ tcpSocket: { port: '5432' } }, ports, 'p'), { kind: 'tcp', port: 5432 });
    assert.deepEqual(probeFromManifest({ exec: { command: ['cat', '/tmp/ready'] } }, ports, 'p'), { kind: 'exec', command: ['cat', '/tmp/ready'] });
  });

  it('has no probe for grpc or nothing, and names an unknown port', () => {
    assert.equal(probeFromManifest({ grpc: { port: 9090 } }, ports, 'p'), undefined);
    assert.equal(probeFromManifest(undefined, ports, 'p'), undefined);
    assert.throws(() => probeFromManifest({ httpGet: { port: 'metrics' } }, ports, 'Pod/x readinessProbe'), /Pod\/x readinessProbe\.httpGet: port metrics is neither/);
  });
});

describe('retryPauseMs', () => {
  it('retries after 1 ms at first, then after a tenth of the time waited, at most every 20 ms', () => {
    assert.equal(retryPauseMs(0), 1);
    assert.equal(retryPauseMs(50), 6);
    assert.equal(retryPauseMs(190), 20);
    assert.equal(retryPauseMs(60_000), 20);
  });
});

describe('waitForProbe (in this process\'s own network namespace, entered with nsenter as in a sandbox)', () => {
  const self = { pid: process.pid, uid: 0, gid: 0, env: [] };
  const seen: string[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    seen.push(`${request.url} ${request.headers['x-probe'] ?? ''}`);
    response.statusCode = request.url === '/broken' ? 500 : 200;
    response.end('ok');
  };
  const listen = async (server: ReturnType<typeof createServer>): Promise<number> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  it('passes on 2xx with the probe\'s headers, fails on 500 and on a closed port with the reason', async () => {
    const server = createServer(handler);
    const port = await listen(server);
    try {
      const ok = await waitForProbe(self, { kind: 'http', scheme: 'http', port, path: '/healthz?a=1', headers: { 'X-Probe': 'yes' } }, 2000);
      assert.equal(ok.ok, true, ok.error);
      assert.equal(ok.status, 200);
      assert.ok(seen.includes('/healthz?a=1 yes'), seen.join(', '));
      const broken = await waitForProbe(self, { kind: 'http', scheme: 'http', port, path: '/broken', headers: {} }, 300);
      assert.equal(broken.ok, false);
      assert.equal(broken.status, 500);
      assert.equal(broken.error, 'HTTP status 500');
      assert.ok(broken.attempts >= 2, 'retried until the wait was over');
      assert.equal((await waitForProbe(self, { kind: 'tcp', port }, 1000)).ok, true);
    } finally {
      server.close();
    }
    const closed = await waitForProbe(self, { kind: 'tcp', port }, 200);
    assert.equal(closed.ok, false);
    assert.equal(closed.error, 'ECONNREFUSED');
    // retryPauseMs's schedule gives about 30 attempts in 200 ms; a fixed 20 ms pause (or a prober
    // slowed by a startup file) no more than 11.
    assert.ok(closed.attempts >= 12, `${closed.attempts} attempts in 200 ms`);
  });

  it('makes HTTPS probes without checking the certificate, as the kubelet does', async () => {
    const certs = await createCertificates({ service: 'probe', namespace: 'test', ips: ['127.0.0.1'] });
    const server = createHttpsServer({ cert: certs.cert, key: certs.key }, handler);
    const port = await listen(server);
    try {
      const ok = await waitForProbe(self, { kind: 'http', scheme: 'https', port, path: '/secure', headers: {} }, 3000);
      assert.equal(ok.ok, true, ok.error);
      assert.equal(ok.status, 200);
    } finally {
      server.close();
    }
  });

  it('runs exec probes in the target\'s namespaces and reports their exit and output', async () => {
    assert.equal((await waitForProbe(self, { kind: 'exec', command: ['true'] }, 1000)).ok, true);
    const failed = await waitForProbe(self, { kind: 'exec', command: ['sh', '-c', 'echo not ready; exit 3'] }, 300);
    assert.equal(failed.ok, false);
    assert.equal(failed.error, 'exit 3: not ready');
  });
});
