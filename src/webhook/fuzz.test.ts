// 10,000+ malformed, truncated and oversized bodies against the real HTTPS
// server in-process: the server never crashes and every answer is
// well-formed (an AdmissionReview for the uid asked about, or a Status whose
// code is the HTTP status).
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startWebhookServer } from './server.js';
import type { WebhookServer } from './server.js';
import { MAX_WARNING_LENGTH } from './response.js';
import { admissionReview, httpsCall, mutableDeployment, mutablePod, testCerts, testSettings } from '../../test/helpers/webhook.js';
import type { TestCerts } from '../../test/helpers/webhook.js';
import { mulberry32 } from '../../test/helpers/seeded-random.js';

const BODIES = 10_000;
const MAX_BODY = 16 * 1024;
const CONCURRENCY = 8;


const ODD_VALUES: unknown[] = [null, true, 0, -1, 1e308, '', 'x', '\u0000', '\ud800', [], {}, [[[]]], { '': null }, 'A'.repeat(300), Number.MAX_SAFE_INTEGER];

function mutateTree(value: unknown, rnd: () => number, depth = 0): unknown {
  if (depth > 12) return value;
  if (Array.isArray(value)) {
    if (rnd() < 0.1) return ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)];
    return value.map((v) => (rnd() < 0.3 ? mutateTree(v, rnd, depth + 1) : v));
  }
  if (value !== null && typeof value === 'object') {
    if (rnd() < 0.05) return ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const roll = rnd();
      if (roll < 0.05) continue;
      out[roll < 0.08 ? `${k}x` : k] = roll < 0.4 ? mutateTree(v, rnd, depth + 1) : v;
    }
    return out;
  }
  return rnd() < 0.2 ? ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)] : value;
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function body(i: number, rnd: () => number): string | Buffer {
  const base = JSON.stringify(admissionReview(i % 2 ? mutablePod(`p${i}`) : mutableDeployment(`d${i}`), { uid: `uid-${i}` }));
  switch (i % 10) {
    case 0: return base.slice(0, Math.floor(rnd() * base.length)); // truncated
    case 1: { // bytes flipped
      const bytes = Buffer.from(base);
      for (let n = 0; n < 1 + rnd() * 8; n++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      return bytes;
    }
    case 2: case 3: case 4: return JSON.stringify(mutateTree(JSON.parse(base), rnd)); // structurally wrong
    case 5: return JSON.stringify(ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)]) ?? '';
    case 6: return i % 100 === 6 ? base + ' '.repeat(MAX_BODY) : base.replace('"AdmissionReview"', rnd() < 0.5 ? '"AdmissionReviewX"' : '"Status"'); // oversized or wrong kind
    case 7: return i % 50 === 7 ? nested(5000) : `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":${nested(Math.floor(rnd() * 200))}}`;
    case 8: return Buffer.from(Array.from({ length: Math.floor(rnd() * 512) }, () => Math.floor(rnd() * 256)));
    default: return base; // well-formed: checks the happy path under the same load
  }
}

function checkAnswer(status: number, text: string, sentUid: string | undefined): void {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    assert.fail(`HTTP ${status}: body is not JSON: ${text.slice(0, 200)}`);
  }
  if (status === 200) {
    assert.equal(parsed['apiVersion'], 'admission.k8s.io/v1');
    assert.equal(parsed['kind'], 'AdmissionReview');
    const response = parsed['response'] as Record<string, unknown>;
    assert.equal(typeof response['uid'], 'string');
    if (sentUid !== undefined) assert.equal(response['uid'], sentUid);
    assert.equal(typeof response['allowed'], 'boolean');
    for (const w of (response['warnings'] as string[] | undefined) ?? []) assert.ok(w.length <= MAX_WARNING_LENGTH);
    if (response['allowed'] === false) assert.match(String((response['status'] as { message?: string }).message), /^rootlock denied /);
    if (response['patch'] !== undefined) {
      assert.equal(response['patchType'], 'JSONPatch');
      assert.ok(Array.isArray(JSON.parse(Buffer.from(String(response['patch']), 'base64').toString('utf8'))));
    }
  } else {
    assert.ok(status === 400 || status === 413, `unexpected HTTP ${status}: ${text.slice(0, 300)}`);
    assert.equal(parsed['kind'], 'Status');
    assert.equal(parsed['code'], status);
    assert.ok(typeof parsed['message'] === 'string' && parsed['message'].length > 0);
  }
}

describe('webhook fuzz', () => {
  let certs: TestCerts;
  let server: WebhookServer;
  before(async () => {
    certs = await testCerts();
    server = await startWebhookServer({
      host: '127.0.0.1', port: 0,
      cert: { certFile: certs.certFile, keyFile: certs.keyFile, cert: Buffer.from(certs.cert), key: Buffer.from(certs.key) },
      settings: () => testSettings(), mutate: true, maxBodyBytes: MAX_BODY,
    });
  });
  after(() => server?.shutdown());

  it(`answers ${BODIES} malformed, truncated and oversized bodies, each well-formed`, async () => {
    const rnd = mulberry32(0x5eed);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const counts = new Map<number, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < BODIES) {
        const i = next++;
        const payload = body(i, rnd);
        const path = i % 3 === 0 ? '/mutate' : '/validate';
        const answer = await httpsCall(server.port, certs.caCert, 'POST', path, payload, { agent });
        counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
        const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
        const uidMatch = /^\{"apiVersion":"admission\.k8s\.io\/v1","kind":"AdmissionReview","request":\{"uid":"(uid-\d+)"/.exec(text);
        try {
          checkAnswer(answer.status, answer.text, answer.status === 200 && uidMatch && i % 10 === 9 ? uidMatch[1] : undefined);
        } catch (error) {
          throw new Error(`body ${i} (${path}): ${(error as Error).message}\nsent: ${text.slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, BODIES);
    // Every kind of answer occurred, and the server is still healthy.
    for (const status of [200, 400, 413]) assert.ok((counts.get(status) ?? 0) > 0, `no HTTP ${status} in ${JSON.stringify([...counts])}`);
    assert.equal((await httpsCall(server.port, certs.caCert, 'GET', '/healthz')).status, 200);
  });
});
