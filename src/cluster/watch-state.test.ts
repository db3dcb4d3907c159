import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyConfig } from '../core/config.js';
import type { JsonObject } from '../core/types.js';
import { RULES } from '../rules/index.js';
import { WORKLOAD_CONTROLLERS } from './resources.js';
import { reportBody, resultOf } from './policy-report.js';
import { CLUSTER_SCOPE, WatchState } from './watch-state.js';
import { WatchMetrics } from './metrics.js';

const REPLICA_SETS = WORKLOAD_CONTROLLERS.find((type) => type.kind === 'ReplicaSet');
const container = { name: 'app', image: 'nginx:1.27' };

function deployment(uid: string, annotations: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid, annotations, resourceVersion: '1' },
    spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } } },
  };
}
function replicaSet(uid: string, owner: string): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web-1', namespace: 'shop', uid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner, controller: true }] },
    spec: { template: { spec: { containers: [container] } } },
  };
}
function pod(uid: string, owner: string, spec: JsonObject = { containers: [container] }): JsonObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `web-1-${uid}`, namespace: 'shop', uid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: owner, controller: true }] },
    spec, status: { phase: 'Pending' },
  };
}

const state = () => new WatchState({ rules: RULES, config: emptyConfig(), today: '2026-06-01' });

describe('WatchState', () => {
  it('reports Pods under their top-level controller, merged and counted, and keeps no objects', () => {
    const s = state();
    s.upsert(deployment('d'), 100);
    s.upsert(replicaSet('r', 'd'), 100);
    s.upsert(pod('p1', 'r'), 100);
    s.upsert(pod('p2', 'r'), 100);
    const view = s.view('shop');
    assert.deepEqual(view.map((entry) => `${entry.resource.kind}/${entry.resource.name}`), ['Deployment/web']);
    const readOnly = view[0]?.findings.find((item) => item.finding.rule === 'read-only-root-filesystem');
    assert.equal(readOnly?.pods, 2);
    assert.equal(readOnly?.finding.path, 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem');
    assert.equal(readOnly?.since, 100);
  });

  it('waits for a Pod\'s controller when the Pod arrives first, and audits it alone when none comes', () => {
    const s = state();
    s.upsert(pod('p1', 'r'), 100);
    assert.equal(s.pendingPods, 1);
    assert.deepEqual(s.view('shop'), []);
    s.upsert(deployment('d'), 101);
    s.upsert(replicaSet('r', 'd'), 101);
    assert.equal(s.pendingPods, 0);
    assert.equal(s.view('shop')[0]?.findings.find((item) => item.finding.rule === 'read-only-root-filesystem')?.pods, 1);

    const lonely = state();
    lonely.upsert(pod('p9', 'never'), 100);
    assert.equal(lonely.expirePending(105, 10).scopes.size, 0);
    assert.deepEqual([...lonely.expirePending(111, 10).scopes], ['shop']);
    assert.equal(lonely.view('shop')[0]?.resource.kind, 'Pod');
  });

  it('re-audits only what changed, drops deleted objects, and forgets what a re-list no longer has', () => {
    const s = state();
    s.upsert(deployment('d'), 100);
    const statusOnly = { ...deployment('d'), status: { replicas: 2 }, metadata: { ...(deployment('d')['metadata'] as JsonObject), resourceVersion: '2' } };
    assert.equal(s.upsert(statusOnly, 200).scopes.size, 0, 'a status change is not a change');
    s.upsert(replicaSet('r', 'd'), 100);
    s.upsert(pod('p1', 'r'), 100);
    const hardened = { containers: [{ ...container, securityContext: { readOnlyRootFilesystem: true } }] };
    s.upsert(pod('p1', 'r', hardened), 150);
    assert.equal(s.view('shop')[0]?.findings.find((item) => item.finding.rule === 'read-only-root-filesystem')?.pods, 0);
    s.remove(pod('p1', 'r'));
    assert.ok(REPLICA_SETS);
    s.retainOnly(REPLICA_SETS, new Set());
    s.remove(deployment('d'));
    assert.deepEqual(s.view('shop'), []);
    assert.equal(s.size, 0);
  });

  it('asks for its Pods again when a controller\'s annotations (exemptions) change', () => {
    const s = state();
    s.upsert(deployment('d'), 100);
    s.upsert(replicaSet('r', 'd'), 100);
    s.upsert(pod('p1', 'r'), 100);
    const effect = s.upsert(deployment('d', { 'rootlock.dev/ignore': 'resource-limits' }), 200);
    assert.deepEqual(effect.refetch.map((ref) => ref.uid), ['p1']);
  });

  it('gives the Pods of one controller that run the same spec one verdict, and audits no owned ReplicaSet', () => {
    const s = state();
    s.upsert(deployment('d'), 100);
    s.upsert(replicaSet('r', 'd'), 100);
    const withToken = (suffix: string, node: string): JsonObject => ({
      nodeName: node,
      containers: [{ ...container, volumeMounts: [{ name: `kube-api-access-${suffix}`, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] }],
      volumes: [{ name: `kube-api-access-${suffix}`, projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    });
    s.upsert(pod('p1', 'r', withToken('abcde', 'node-1')), 100);
    s.upsert(pod('p2', 'r', withToken('x7k2q', 'node-2')), 100);
    assert.equal(s.sharedVerdicts, 1);
    s.upsert(pod('p3', 'r', { containers: [{ ...container, securityContext: { privileged: true } }] }), 100);
    assert.equal(s.sharedVerdicts, 2);
    const findings = s.view('shop')[0]?.findings ?? [];
    assert.equal(findings.find((item) => item.finding.rule === 'read-only-root-filesystem')?.pods, 3);
    assert.equal(findings.find((item) => item.finding.rule === 'no-privileged')?.pods, 1);
    s.remove(pod('p3', 'r'));
    assert.equal(s.sharedVerdicts, 1);
    s.remove(pod('p1', 'r'));
    s.remove(pod('p2', 'r'));
    assert.equal(s.sharedVerdicts, 0);
  });

  it('judges a ReplicaSet that arrived before its Deployment only until the Deployment comes, and again when it is orphaned', () => {
    const s = state();
    s.upsert(replicaSet('r', 'd'), 100);
    assert.equal(s.view('shop')[0]?.resource.kind, 'ReplicaSet');
    assert.ok((s.view('shop')[0]?.findings.length ?? 0) > 0);
    s.upsert(deployment('d'), 100);
    assert.deepEqual(s.view('shop').map((entry) => entry.resource.kind), ['Deployment']);
    const orphaned = s.remove(deployment('d'));
    assert.deepEqual(orphaned.refetch.map((ref) => ref.uid), ['r']);
    const { ownerReferences: _owners, ...metadata } = replicaSet('r', 'd')['metadata'] as JsonObject;
    s.upsert({ ...replicaSet('r', 'd'), metadata }, 200);
    assert.equal(s.view('shop')[0]?.resource.kind, 'ReplicaSet');
    assert.ok(s.view('shop')[0]?.findings.some((item) => item.finding.rule === 'read-only-root-filesystem'));
  });

  it('judges held-back findings again when a ServiceAccount changes', () => {
    const s = state();
    s.upsert(deployment('d'), 100);
    const automount = () => s.view('shop').flatMap((entry) => entry.findings).some((item) => item.finding.rule === 'no-service-account-token-automount');
    assert.ok(automount());
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'shop', uid: 'sa' }, automountServiceAccountToken: false };
    assert.deepEqual([...s.upsert(sa, 100).scopes], ['shop']);
    assert.ok(!automount());
    s.remove(sa);
    assert.ok(automount());
  });

  it('puts Namespaces in the cluster scope', () => {
    const s = state();
    s.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns' } }, 100);
    assert.deepEqual(s.scopes(), [CLUSTER_SCOPE]);
    assert.ok(s.view(CLUSTER_SCOPE)[0]?.findings.some((item) => item.finding.rule === 'namespace-pod-security'));
  });
});

describe('reportBody', () => {
  it('maps severities to results, counts them in the summary, and orders results stably', () => {
    assert.deepEqual([resultOf({ severity: 'error', exempted: false }), resultOf({ severity: 'warning', exempted: false }), resultOf({ severity: 'info', exempted: false }), resultOf({ severity: 'error', exempted: true })], ['fail', 'warn', 'warn', 'skip']);
    const s = state();
    s.upsert(deployment('d'), 100);
    const hardenedPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'clean', namespace: 'shop', uid: 'c' }, spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'a', image: 'x@sha256:4c2a6f0b8e5d1c3a7f9e2b4d6c8a0e1f3b5d7c9a2e4f6b8d0c1e3a5f7b9d2c4e', securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }, resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    } };
    s.upsert(hardenedPod, 100);
    const body = reportBody(s.view('shop'), 300);
    const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const result of body.results) counted[result.result]++;
    assert.deepEqual(body.summary, counted);
    assert.ok(body.summary.fail > 0);
    const pass = body.results.filter((r) => r.result === 'pass');
    assert.deepEqual(pass.map((r) => [r.resources[0]?.name, r.rule]), [['clean', undefined]]);
    const fail = body.results.find((r) => r.rule === 'read-only-root-filesystem');
    assert.deepEqual([fail?.result, fail?.severity, fail?.source, fail?.policy, fail?.properties?.['container'], fail?.timestamp], ['fail', 'high', 'rootlock', 'rootlock', 'app', { seconds: 100, nanos: 0 }]);
    assert.deepEqual(fail?.resources, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop', uid: 'd' }]);
    assert.equal(JSON.stringify(reportBody(s.view('shop'), 300)), JSON.stringify(body));
  });
});

describe('WatchMetrics', () => {
  it('renders the Prometheus text format', () => {
    const metrics = new WatchMetrics();
    metrics.setFindings('shop', new Map([['no-privileged\0error', 2]]));
    metrics.watchRestarted('pods', false);
    metrics.observeAudit(0.002);
    const text = metrics.render();
    assert.match(text, /^rootlock_findings\{namespace="shop",rule="no-privileged",severity="error"\} 2$/m);
    assert.match(text, /^rootlock_watch_restarts_total\{resource="pods",reason="reconnect"\} 1$/m);
    assert.match(text, /^rootlock_audit_duration_seconds_bucket\{le="0\.0025"\} 1$/m);
    assert.match(text, /^rootlock_audit_duration_seconds_bucket\{le="0\.001"\} 0$/m);
  });
});
