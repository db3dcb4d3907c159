// Shared pieces of the webhook tests: settings, AdmissionReview bodies, a
// throwaway certificate and an HTTPS client that trusts it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest, Agent } from 'node:https';
import { emptyConfig } from '../../src/core/config.js';
import { RULES } from '../../src/rules/index.js';
import { defaultDenyRules } from '../../src/webhook/settings.js';
import type { WebhookSettings } from '../../src/webhook/settings.js';
import { createCertificates } from '../../src/webhook/certs.js';
import type { CertBundle } from '../../src/webhook/certs.js';

export function testSettings(overrides: Partial<WebhookSettings> = {}): WebhookSettings {
  return { rules: RULES, config: emptyConfig(), mode: 'enforce', failOn: 'error', denyRules: new Set(defaultDenyRules(RULES)), today: () => '2026-01-01', ...overrides };
}

export interface ReviewOptions {
  uid?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  subResource?: string;
  dryRun?: boolean;
  namespace?: string;
  kind?: { group: string; version: string; kind: string };
}

export function admissionReview(object: Record<string, unknown> | null, options: ReviewOptions = {}): Record<string, unknown> {
  const apiVersion = typeof object?.['apiVersion'] === 'string' ? object['apiVersion'] : 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: options.kind ?? { group, version, kind: String(object?.['kind'] ?? 'Pod') },
      resource: { group, version, resource: `${String(object?.['kind'] ?? 'pod').toLowerCase()}s` },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      namespace: options.namespace ?? 'default',
      operation: options.operation ?? 'CREATE',
      userInfo: { username: 'admin' },
      object,
      oldObject: null,
      dryRun: options.dryRun ?? false,
      options: null,
    },
  };
}

export function mutablePod(name = 'web'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } };
}

export function mutableDeployment(name = 'web'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } },
  };
}

export interface TestCerts extends CertBundle {
  dir: string;
  certFile: string;
  keyFile: string;
}

export async function testCerts(): Promise<TestCerts> {
  const bundle = await createCertificates({ service: 'rootlock-webhook', namespace: 'rootlock-system', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
  const dir = await mkdtemp(join(tmpdir(), 'rootlock-webhook-test-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  await writeFile(certFile, bundle.cert);
  await writeFile(keyFile, bundle.key);
  await writeFile(join(dir, 'ca.crt'), bundle.caCert);
  return { ...bundle, dir, certFile, keyFile };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function httpsCall(port: number, ca: string, method: string, path: string, body?: string | Buffer, options: { agent?: Agent; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method, path, ca, ...(options.agent ? { agent: options.agent } : {}), headers: { 'content-type': 'application/json', ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}), ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
