// The install manifests pass rootlock's own audit and configure the webhook
// the way the issue asks.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../core/engine.js';
import { emptyConfig } from '../core/config.js';
import { RULES } from '../rules/index.js';
import { installManifests, NOT_EXEMPTED_CONDITION } from './manifests.js';
import type { ManifestOptions } from './manifests.js';
import { main } from '../cli/main.js';
import type { Finding, JsonObject } from '../core/types.js';

const PINNED = `registry.example/rootlock/rootlock:0.1.0@sha256:${'0123456789abcdef'.repeat(4)}`;

function options(overrides: Partial<ManifestOptions> = {}): ManifestOptions {
  return { namespace: 'rootlock-system', name: 'rootlock-webhook', image: PINNED, mode: 'enforce', mutate: true, validateFailurePolicy: 'Fail', mutateFailurePolicy: 'Ignore', caBundlePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', tls: { cert: 'CERT', key: 'KEY' }, ...overrides };
}

function audit(objects: readonly JsonObject[]): Finding[] {
  const engine = new Engine({ rules: RULES, config: emptyConfig(), today: '2026-01-01' });
  const findings = objects.flatMap((value, i) => engine.audit({ file: 'manifests.yaml', value, documentIndex: i }).findings);
  findings.push(...engine.finish().findings);
  return findings;
}

function byKind(objects: readonly JsonObject[], kind: string): JsonObject {
  const found = objects.find((o) => o['kind'] === kind);
  assert.ok(found, `no ${kind}`);
  return found;
}

describe('rootlock webhook manifests', () => {
  for (const [label, variant] of [['static caBundle', {}], ['cert-manager', { certManager: true, tls: undefined, caBundlePem: undefined }]] as const) {
    it(`pass rootlock's own audit with no finding at all (${label}; the ConfigMap and Secret immutability findings are exempted with reasons)`, () => {
      const findings = audit(installManifests(options(variant)));
      const active = findings.filter((f) => !f.exempted);
      assert.deepEqual(active.map((f) => `${f.severity} ${f.rule} ${f.object.kind}: ${f.message}`), []);
      for (const f of findings) {
        assert.equal(f.rule, 'configmap-secret-immutable');
        assert.ok((f.exemption?.reason ?? '').length > 10);
      }
    });
  }

  it('have no error-level finding with the default, tag-only image (only the digest warning)', () => {
    const findings = audit(installManifests(options({ image: 'ghcr.io/rootlock/rootlock:0.1.0' }))).filter((f) => !f.exempted);
    assert.deepEqual(findings.map((f) => `${f.severity} ${f.rule}`), ['warning image-pinned-by-digest']);
  });

  it('run two replicas spread across nodes, behind a PodDisruptionBudget and a Service', () => {
    const objects = installManifests(options());
    assert.deepEqual(objects.map((o) => o['kind']), ['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'Deployment', 'PodDisruptionBudget', 'Service', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    const deployment = byKind(objects, 'Deployment') as { spec: { replicas: number; template: { spec: { topologySpreadConstraints: Array<{ topologyKey: string }>; containers: Array<{ args: string[] }> } } } };
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.spec.template.spec.topologySpreadConstraints[0]?.topologyKey, 'kubernetes.io/hostname');
    assert.deepEqual(deployment.spec.template.spec.containers[0]?.args.slice(0, 2), ['webhook', 'serve']);
    assert.ok(deployment.spec.template.spec.containers[0]?.args.includes('--mutate'));
    assert.deepEqual((byKind(objects, 'PodDisruptionBudget')['spec'] as { minAvailable: number }).minAvailable, 1);
  });

  it('configure the webhooks: caBundle, sideEffects None, timeout 5, failure policies, namespace and exemption filters', () => {
    const objects = installManifests(options());
    const validating = (byKind(objects, 'ValidatingWebhookConfiguration')['webhooks'] as JsonObject[])[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads nested fields
    const mutating = (byKind(objects, 'MutatingWebhookConfiguration')['webhooks'] as JsonObject[])[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads nested fields
    for (const webhook of [validating, mutating]) {
      assert.equal(webhook['sideEffects'], 'None');
      assert.equal(webhook['timeoutSeconds'], 5);
      assert.deepEqual(webhook['admissionReviewVersions'], ['v1']);
      assert.match(Buffer.from(webhook['clientConfig'].caBundle, 'base64').toString(), /BEGIN CERTIFICATE/);
      assert.deepEqual(webhook['namespaceSelector'].matchExpressions[0].values, ['kube-system', 'rootlock-system']);
      assert.equal(webhook['matchConditions'][0].expression, NOT_EXEMPTED_CONDITION);
      assert.ok(webhook['rules'].some((r: { resources: string[] }) => r.resources.includes('pods/ephemeralcontainers')));
    }
    assert.equal(validating['failurePolicy'], 'Fail');
    assert.equal(mutating['failurePolicy'], 'Ignore');
    assert.equal(mutating['reinvocationPolicy'], 'IfNeeded');
    const ignoring = installManifests(options({ validateFailurePolicy: 'Ignore' }));
    assert.equal(((byKind(ignoring, 'ValidatingWebhookConfiguration')['webhooks'] as JsonObject[])[0] as JsonObject)['failurePolicy'], 'Ignore');
  });

  it('use cert-manager annotations instead of a static caBundle when asked', () => {
    const objects = installManifests(options({ certManager: true, tls: undefined, caBundlePem: undefined }));
    const validating = byKind(objects, 'ValidatingWebhookConfiguration') as { metadata: { annotations: Record<string, string> }; webhooks: Array<{ clientConfig: JsonObject }> };
    assert.equal(validating.metadata.annotations['cert-manager.io/inject-ca-from'], 'rootlock-system/rootlock-webhook');
    assert.equal(validating.webhooks[0]?.clientConfig['caBundle'], undefined);
    assert.ok(objects.some((o) => o['kind'] === 'Certificate'));
  });

  it('are printed by the CLI as YAML documents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rootlock-manifests-'));
    for (const file of ['ca.crt', 'tls.crt', 'tls.key']) await writeFile(join(dir, file), `${file}\n`);
    let out = '';
    const code = await main(['webhook', 'manifests', '--certs', dir, '--image', PINNED, '--validate-failure-policy', 'Ignore'], { stdout: (t) => (out += t), stderr: () => undefined });
    assert.equal(code, 0);
    const documents = parseAllDocuments(out).map((d) => d.toJS() as JsonObject);
    assert.equal(documents.length, 8);
    assert.deepEqual(audit(documents).filter((f) => !f.exempted), []);
    let err = '';
    assert.equal(await main(['webhook', 'manifests'], { stdout: () => undefined, stderr: (t) => (err += t) }), 2);
    assert.match(err, /--certs DIR .* or --cert-manager/);
  });
});
