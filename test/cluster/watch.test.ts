// `rootlock audit --cluster --watch --policy-reports` against a real API
// server: the CRDs in deploy/crds/ accept what it writes and reject a
// malformed report; its reports say what the one-shot audit says; a change
// reaches the report, a deleted report comes back, an API server restart
// loses and duplicates nothing; a ReplicaSet whose Deployment is deleted with
// its dependents orphaned is reported on its own; a missing CRD is one line
// and exit 2; the metrics and health endpoints answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { eventually, getReport, installReportCrds, startWatcher, type Report, type WatcherProcess } from '../helpers/watcher.js';
import { auditJson } from './run-cli.js';
import { createWorkloads, expectStatus } from './workloads.js';

/** One string per result, the way the one-shot audit's findings are compared with it. */
function resultKeys(report: Report): string[] {
  return report.results
    .filter((r) => r.rule !== undefined)
    .map((r) => [r.resources[0]?.kind, r.resources[0]?.name, r.rule, r.properties?.['container'] ?? '', r.properties?.['path'], r.properties?.['pods'] ?? '', r.result].join(' '))
    .sort();
}

describe('audit --cluster --watch --policy-reports (real API server)', () => {
  let cp: ControlPlane | undefined;
  let watcher: WatcherProcess | undefined;
  let metricsPort = 0;
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };
  before(async () => {
    cp = await startControlPlane();
    await createWorkloads(cp);
    expectStatus(await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rootlock-system' } }), 201, 'create rootlock-system');
  });
  after(async () => {
    await watcher?.stop();
    await cp?.stop();
  });

  it('refuses to start without the PolicyReport CRDs: one line, exit 2', async () => {
    const run = startWatcher(['--kubeconfig', cluster().kubeconfigPath, '--policy-reports']);
    const code = await run.exited;
    assert.equal(code, 2);
    const lines = run.stderr().trim().split('\n');
    assert.equal(lines.length, 1, run.stderr());
    assert.match(lines[0] ?? '', /^rootlock: the cluster does not serve wgpolicyk8s\.io\/v1alpha2: install the PolicyReport and ClusterPolicyReport CRDs/);
  });

  it('installs the CRDs, whose schema rejects a malformed report', async () => {
    const cp = cluster();
    await installReportCrds(cp);
    const bad = await cp.request('POST', '/apis/wgpolicyk8s.io/v1alpha2/namespaces/default/policyreports', {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: { name: 'bad' },
      results: [{ policy: 'p', result: 'maybe' }, { rule: 'no-policy' }],
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    const message = (bad.body as { message: string }).message;
    assert.match(message, /results\[0\]\.result: Unsupported value: "maybe"/);
    assert.match(message, /results\[1\]\.policy: Required value/);
  });

  it('writes a PolicyReport per namespace with what the one-shot audit finds', async () => {
    const cp = cluster();
    metricsPort = await freePort();
    watcher = startWatcher(['--kubeconfig', cp.kubeconfigPath, '--policy-reports', '--report-interval', '0.2', '--metrics-listen', `127.0.0.1:${metricsPort}`, '--lease-namespace', 'rootlock-system', '--leader-elect', '--lease-duration', '4']);
    const oneShot = await auditJson(cp.kubeconfigPath);
    for (const namespace of ['shop', 'batch']) {
      const expected = oneShot.report.findings
        .filter((f) => f.object.namespace === namespace && f.object.kind !== 'Namespace')
        .map((f) => [f.object.kind, f.object.name, f.rule, f.container ?? '', f.path, f.pods ?? '', f.exempted ? 'skip' : f.severity === 'error' ? 'fail' : 'warn'].join(' '))
        .sort();
      assert.ok(expected.length > 0);
      const report = await eventually(`PolicyReport ${namespace}/rootlock matching the one-shot audit`, async () => {
        const report = await getReport(cp, namespace);
        return report && JSON.stringify(resultKeys(report)) === JSON.stringify(expected) ? report : undefined;
      }, 60_000).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\nwatcher: ${watcher?.stderr()}`);
      });
      const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
      for (const r of report.results) counted[r.result as keyof typeof counted]++;
      assert.deepEqual(report.summary, counted);
      for (const r of report.results) {
        const resource = r.resources[0];
        assert.ok(resource && resource.uid && resource.namespace === namespace);
      }
    }
    const clusterReport = await eventually('the ClusterPolicyReport', () => getReport(cp));
    assert.ok(clusterReport.results.some((r) => r.rule === 'namespace-pod-security' && r.resources[0]?.kind === 'Namespace'));
    const owner = clusterReport.metadata.ownerReferences?.[0];
    assert.deepEqual([owner?.kind, owner?.name], ['Namespace', 'rootlock-system']);
  });

  it('serves /readyz, /healthz and /metrics', async () => {
    for (const path of ['/healthz', '/readyz']) assert.equal((await fetch(`http://127.0.0.1:${metricsPort}${path}`)).status, 200);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /^rootlock_findings\{namespace="shop",rule="read-only-root-filesystem",severity="error"\} \d+$/m);
    assert.match(text, /^rootlock_audited_objects [1-9]\d*$/m);
    assert.match(text, /^rootlock_leader 1$/m);
    assert.match(text, /^rootlock_audit_duration_seconds_count [1-9]\d*$/m);
  });

  it('updates the report in place when a workload changes', async () => {
    const cp = cluster();
    const before = await getReport(cp, 'shop');
    assert.ok(before);
    const privileged = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'late', namespace: 'shop' }, spec: { containers: [{ name: 'x', image: 'busybox', securityContext: { privileged: true } }] } };
    expectStatus(await cp.request('POST', '/api/v1/namespaces/shop/pods', privileged), 201, 'create Pod late');
    const after = await eventually('the new Pod in the report', async () => {
      const report = await getReport(cp, 'shop');
      return report?.results.some((r) => r.resources[0]?.name === 'late' && r.rule === 'no-privileged') ? report : undefined;
    });
    assert.notEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
    expectStatus(await cp.request('DELETE', '/api/v1/namespaces/shop/pods/late?gracePeriodSeconds=0'), 200, 'delete Pod late');
    await eventually('the deleted Pod gone from the report', async () => {
      const report = await getReport(cp, 'shop');
      return report && !report.results.some((r) => r.resources[0]?.name === 'late') ? report : undefined;
    });
  });

  it('writes a deleted report again', async () => {
    const cp = cluster();
    const before = await getReport(cp, 'batch');
    assert.ok(before);
    expectStatus(await cp.request('DELETE', '/apis/wgpolicyk8s.io/v1alpha2/namespaces/batch/policyreports/rootlock'), 200, 'delete the batch report');
    const again = await eventually('the batch report written again', () => getReport(cp, 'batch'));
    assert.deepEqual(resultKeys(again), resultKeys(before));
  });

  it('keeps working through an API server restart, without duplicate or lost entries', async () => {
    const cp = cluster();
    const before = await getReport(cp, 'shop');
    assert.ok(before);
    await cp.restartApiServer();
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-restart', namespace: 'shop' }, spec: { containers: [{ name: 'x', image: 'busybox', securityContext: { privileged: true } }] } };
    expectStatus(await cp.request('POST', '/api/v1/namespaces/shop/pods', pod), 201, 'create Pod after-restart');
    const after = await eventually('a change after the restart in the report', async () => {
      const report = await getReport(cp, 'shop');
      return report?.results.some((r) => r.resources[0]?.name === 'after-restart') ? report : undefined;
    }, 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nwatcher: ${watcher?.stderr()}`);
    });
    const keys = resultKeys(after);
    assert.equal(new Set(keys).size, keys.length, 'duplicate entries');
    const withoutNew = keys.filter((key) => !key.includes(' after-restart '));
    assert.deepEqual(withoutNew, resultKeys(before));
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /^rootlock_watch_restarts_total\{resource="pods",reason="reconnect"\} [1-9]\d*$/m);
  });

  it('reports a ReplicaSet on its own once its Deployment is deleted with its dependents orphaned', async () => {
    const cp = cluster();
    expectStatus(await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'orphans' } }), 201, 'create orphans');
    const labels = { app: 'orphan-web' };
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orphan-web', namespace: 'orphans' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
    };
    // Pods are refused until the namespace's default ServiceAccount exists; the ReplicaSet controller retries.
    expectStatus(await cp.request('POST', '/apis/apps/v1/namespaces/orphans/deployments', deployment), 201, 'create Deployment orphan-web');
    const kinds = (report: Report | undefined) => new Set(report?.results.map((r) => r.resources[0]?.kind));
    await eventually('the Deployment and its Pod in the report', async () => {
      const report = await getReport(cp, 'orphans');
      const readOnly = report?.results.find((r) => r.resources[0]?.kind === 'Deployment' && r.rule === 'read-only-root-filesystem');
      return readOnly?.properties?.['pods'] === '1' && !kinds(report).has('ReplicaSet') ? true : undefined;
    }, 60_000);
    expectStatus(await cp.request('DELETE', '/apis/apps/v1/namespaces/orphans/deployments/orphan-web', { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan' }), 200, 'delete Deployment orphan-web, orphaning');
    const report = await eventually('the ReplicaSet reported on its own', async () => {
      const current = await getReport(cp, 'orphans');
      const readOnly = current?.results.find((r) => r.resources[0]?.kind === 'ReplicaSet' && r.rule === 'read-only-root-filesystem');
      return readOnly?.properties?.['pods'] === '1' && !kinds(current).has('Deployment') ? current : undefined;
    }, 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nwatcher: ${watcher?.stderr()}`);
    });
    assert.equal(report.results.find((r) => r.rule === 'read-only-root-filesystem')?.properties?.['path'], 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem');
  });

  it('stops on SIGTERM with exit 0', async () => {
    assert.equal(await watcher?.stop(), 0, watcher?.stderr());
    assert.doesNotMatch(watcher?.stderr() ?? '', /\n\s+at /);
  });
});
