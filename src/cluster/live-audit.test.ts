import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../core/engine.js';
import { emptyConfig, readConfig } from '../core/config.js';
import type { RootlockConfig } from '../core/config.js';
import type { Finding, JsonObject } from '../core/types.js';
import { RULES, RULE_IDS } from '../rules/index.js';
import { auditLiveObjects, controllerAsPod } from './live-audit.js';
import type { LiveObjects } from './live-audit.js';
import { groupByOwner } from './owners.js';

const WEB_SPEC = { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { readOnlyRootFilesystem: false } }] };

function deployment(spec: JsonObject = WEB_SPEC, annotations: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'd', annotations },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec } },
  };
}
function pod(name: string, spec: JsonObject = WEB_SPEC): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd', controller: true }] },
    spec,
  };
}

function audit(objects: Partial<LiveObjects> & { controllers?: JsonObject[]; pods?: JsonObject[] }, config: RootlockConfig = emptyConfig()): Finding[] {
  const engine = new Engine({ rules: RULES, config, today: '2026-01-01' });
  const result = auditLiveObjects(engine, {
    standalone: objects.standalone ?? [],
    groups: groupByOwner(objects.controllers ?? [], objects.pods ?? []),
    podsListed: objects.podsListed ?? (() => true),
  });
  assert.deepEqual(result.errors, []);
  return result.findings;
}
const byRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);

describe('auditLiveObjects', () => {
  it('reports a workload once with the number of Pods that share each finding', () => {
    const findings = audit({ controllers: [deployment()], pods: [pod('a'), pod('b'), pod('c')] });
    const readOnly = byRule(findings, 'read-only-root-filesystem');
    assert.equal(readOnly.length, 1);
    assert.deepEqual([readOnly[0]?.file, readOnly[0]?.pods, readOnly[0]?.path], ['apps/v1/namespaces/shop/deployments/web', 3, 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem']);
    assert.ok(findings.every((f) => f.pods === 3 && f.object.kind === 'Deployment'));
  });

  it('counts only the Pods that still have a finding the template has, and keeps the template wording', () => {
    const fixed = { containers: [{ ...WEB_SPEC.containers[0], securityContext: { readOnlyRootFilesystem: true } }] };
    const findings = audit({ controllers: [deployment()], pods: [pod('old'), pod('new-1', fixed), pod('new-2', fixed)] });
    const readOnly = byRule(findings, 'read-only-root-filesystem');
    assert.deepEqual(readOnly.map((f) => [f.pods, f.message]), [[1, 'container "app" sets readOnlyRootFilesystem: false, so its root filesystem is writable']]);
    const none = audit({ controllers: [deployment()], pods: [] });
    assert.ok(none.length > 0 && none.every((f) => f.pods === 0), 'a template finding with no Pods running it');
  });

  it('reports what only Pods have on their workload, with its exemptions', () => {
    const debugged = { ...WEB_SPEC, ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] };
    const exempt = deployment(WEB_SPEC, { 'rootlock.dev/ignore.debugger': 'read-only-root-filesystem', 'rootlock.dev/ignore-reason': 'break-glass debugging' });
    const findings = audit({ controllers: [exempt], pods: [pod('a'), pod('b', debugged)] });
    const debugger_ = findings.filter((f) => f.container === 'debugger');
    assert.ok(debugger_.length > 0);
    assert.ok(debugger_.every((f) => f.pods === 1 && f.containerType === 'ephemeralContainer' && f.object.kind === 'Deployment'));
    assert.deepEqual(byRule(debugger_, 'read-only-root-filesystem').map((f) => [f.exempted, f.exemption?.reason]), [[true, 'break-glass debugging']]);
  });

  it('applies config exemptions that name the workload to findings from its Pods', () => {
    const { config } = readConfig({ exemptions: [{ rules: ['image-pinned-by-digest'], kinds: ['Deployment'], names: ['web'], reason: 'tags pinned by policy' }] }, RULE_IDS);
    const findings = audit({ controllers: [deployment()], pods: [pod('a', { ...WEB_SPEC, ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] })] }, config);
    const images = byRule(findings, 'image-pinned-by-digest');
    assert.equal(images.length, 2);
    assert.ok(images.every((f) => f.exempted && f.exemption?.source === 'config'));
  });

  it('leaves the count out where Pods could not be listed, and reports standalone objects as themselves', () => {
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const findings = audit({ standalone: [namespace], controllers: [deployment()], pods: [], podsListed: () => false });
    assert.ok(findings.filter((f) => f.object.kind === 'Deployment').every((f) => !('pods' in f)));
    assert.deepEqual(byRule(findings, 'namespace-pod-security').map((f) => [f.file, 'pods' in f]), [['v1/namespaces/shop', false]]);
  });

  it('reads automountServiceAccountToken from the ServiceAccounts it was given', () => {
    const account = (automount: boolean) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'shop' }, automountServiceAccountToken: automount });
    const token = (automount: boolean) => byRule(audit({ standalone: [account(automount)], controllers: [deployment()], pods: [pod('a')] }), 'no-service-account-token-automount');
    assert.deepEqual(token(false), []);
    assert.deepEqual(token(true).map((f) => [f.file, f.pods]), [['apps/v1/namespaces/shop/deployments/web', 1]]);
  });

  it('puts a Pod spec where each kind keeps its template', () => {
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'r' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { a: 'b' } }, spec: {} } } } } };
    const running = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'r-1-x', labels: { a: 'b', 'job-name': 'r-1' }, annotations: { note: 'x' } }, spec: { containers: [] } };
    assert.deepEqual(controllerAsPod(cronJob, running), {
      ...cronJob,
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { a: 'b', 'job-name': 'r-1' }, annotations: { note: 'x' } }, spec: { containers: [] } } } } },
    });
    assert.equal(controllerAsPod({ apiVersion: 'v1', kind: 'Service', metadata: {} }, running), undefined);
  });
});
