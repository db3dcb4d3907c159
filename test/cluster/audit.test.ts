// `rootlock audit --cluster` against a real API server and controller manager:
// grouping of Pods under their workloads, namespaces, selectors, report
// formats, paging and exit codes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { connect } from '../../src/cluster/connection.js';
import { listAll } from '../../src/cluster/list.js';
import { PODS } from '../../src/cluster/resources.js';
import type { Finding } from '../../src/core/types.js';
import type { AuditReport } from '../../src/report/model.js';
import { RULES } from '../../src/rules/index.js';
import { runRules } from '../helpers/rule-tester.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { auditJson, runCli } from './run-cli.js';
import { createWorkloads, type Workloads } from './workloads.js';

const API_REFERENCE = /^(?:[a-z0-9.-]+\/)?v1\/(?:namespaces\/[a-z0-9-]+(?:\/[a-z]+\/[a-z0-9.-]+)?)$/;

const on = (report: AuditReport, kind: string, name: string): Finding[] => report.findings.filter((f) => f.object.kind === kind && f.object.name === name);
const keyOf = (f: Finding) => `${f.rule} ${f.containerType ?? '-'} ${f.container ?? '-'} ${f.path}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('rootlock audit --cluster (real API server)', () => {
  let cp: ControlPlane | undefined;
  let workloads: Workloads;
  let all: AuditReport;
  let allCode: number;
  let dir: string;
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };

  before(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'rootlock-cluster-'));
    workloads = await createWorkloads(cp);
    ({ report: all, code: allCode } = await auditJson(cp.kubeconfigPath));
  });
  // In the describe body, so it runs after the last test even when one fails.
  after(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports a Deployment once, on the Deployment, with the number of its Pods', () => {
    assert.equal(workloads.webPods.length, 3);
    const web = on(all, 'Deployment', 'web');
    assert.ok(web.length > 0, 'the web Deployment has findings');
    assert.equal(new Set(web.map(keyOf)).size, web.length, 'one finding per rule, container and field');
    for (const finding of web) {
      assert.equal(finding.file, 'apps/v1/namespaces/shop/deployments/web');
      assert.deepEqual(finding.object, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
      assert.equal(finding.line, undefined);
      assert.equal(finding.column, undefined);
      if (finding.containerType !== 'ephemeralContainer') assert.equal(finding.pods, 3, `${keyOf(finding)} is in all 3 Pods`);
    }
    const readOnly = web.filter((f) => f.rule === 'read-only-root-filesystem' && f.containerType === 'container');
    assert.deepEqual(readOnly.map((f) => f.container), ['app'], 'the hardened sidecar is not reported');
    assert.equal(readOnly[0]?.path, 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem');
    // Nothing is reported on the ReplicaSet or on the Pods themselves.
    assert.deepEqual(all.findings.filter((f) => f.object.kind === 'ReplicaSet' || f.object.name.startsWith('web-')), []);
  });

  it('finds what only a Pod has: an ephemeral debug container, counted in the one Pod that runs it', () => {
    const debuggers = on(all, 'Deployment', 'web').filter((f) => f.containerType === 'ephemeralContainer');
    assert.ok(debuggers.some((f) => f.rule === 'read-only-root-filesystem'));
    for (const finding of debuggers) {
      assert.equal(finding.container, 'debugger');
      assert.equal(finding.pods, 1);
      assert.match(finding.path, /^spec\.template\.spec\.ephemeralContainers\[0\]\./);
    }
  });

  it('applies the same rules as a manifest audit of the same Deployment', () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations: {rootlock.dev/ignore: resource-limits, rootlock.dev/ignore-reason: sized by the vertical pod autoscaler}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "nginx:1.27"}
      - name: sidecar
        image: ghcr.io/example/envoy@sha256:4c2a6f0b8e5d1c3a7f9e2b4d6c8a0e1f3b5d7c9a2e4f6b8d0c1e3a5f7b9d2c4e
        securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
        resources: {limits: {cpu: 200m, memory: 128Mi}}
        volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes: [{name: tmp, emptyDir: {medium: Memory, sizeLimit: 32Mi}}]
`;
    const fromFile = runRules(RULES, manifest).findings.map((f) => `${keyOf(f)} ${f.exempted}`).sort();
    const live = on(all, 'Deployment', 'web').filter((f) => f.containerType !== 'ephemeralContainer').map((f) => `${keyOf(f)} ${f.exempted}`).sort();
    assert.deepEqual(live, fromFile);
  });

  it('honours exemption annotations on the live object', () => {
    const limits = on(all, 'Deployment', 'web').filter((f) => f.rule === 'resource-limits');
    assert.ok(limits.length > 0);
    for (const finding of limits) assert.deepEqual([finding.exempted, finding.exemption], [true, { source: 'annotation', reason: 'sized by the vertical pod autoscaler' }]);
  });

  it('reports a bare Pod as itself, and a Pod whose owner is not a workload as itself with its owner named', () => {
    const shell = on(all, 'Pod', 'debug-shell');
    assert.ok(shell.some((f) => f.rule === 'no-privileged' && f.container === 'shell'));
    for (const finding of shell) {
      assert.equal(finding.file, 'v1/namespaces/shop/pods/debug-shell');
      assert.equal(finding.pods, undefined);
      assert.equal(finding.owner, undefined);
    }
    const orphan = on(all, 'Pod', 'orphan');
    assert.ok(orphan.length > 0);
    for (const finding of orphan) assert.deepEqual(finding.owner, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'owner-cm' });
  });

  it('follows Pod -> Job -> CronJob, and counts no Pods for a DaemonSet on a cluster without nodes', () => {
    assert.equal(workloads.jobPods.length, 1);
    const report = on(all, 'CronJob', 'report');
    assert.ok(report.some((f) => f.rule === 'read-only-root-filesystem' && f.container === 'report'));
    for (const finding of report) {
      assert.equal(finding.file, 'batch/v1/namespaces/batch/cronjobs/report');
      assert.equal(finding.pods, 1);
      assert.match(finding.path, /^spec\.jobTemplate\.spec\.template\.spec/);
    }
    assert.deepEqual(all.findings.filter((f) => f.object.kind === 'Job' || f.object.name.startsWith('report-')), []);
    const agent = on(all, 'DaemonSet', 'log-agent');
    assert.ok(agent.some((f) => f.rule === 'no-writable-host-path'));
    for (const finding of agent) assert.equal(finding.pods, 0);
  });

  it('audits Pod Security labels of namespaces', () => {
    const psa = (name: string) => on(all, 'Namespace', name).filter((f) => f.rule === 'namespace-pod-security');
    assert.deepEqual(psa('shop').map((f) => [f.severity, f.file]), [['warning', 'v1/namespaces/shop']]);
    assert.deepEqual(psa('batch').map((f) => f.severity), ['info']);
    assert.deepEqual(psa('hardened'), []);
    assert.deepEqual(on(all, 'Deployment', 'api'), [], 'the hardened Deployment passes every rule');
  });

  it('writes the documented JSON shape, with the cluster it read and API references for files', () => {
    assert.equal(allCode, 1, 'errors among the findings: exit 1');
    assert.deepEqual(Object.keys(all), ['version', 'tool', 'cluster', 'summary', 'findings', 'errors', 'notices']);
    const cp = cluster();
    assert.deepEqual(all.cluster, { context: 'rootlock-test', server: cp.server, pods: 7 });
    assert.deepEqual(all.errors, []);
    assert.deepEqual(all.notices.map((n) => n.code), ['rule-not-run'], 'ConfigMaps and Secrets are not read, and the report says so');
    assert.equal(all.summary.files, 0);
    assert.equal(all.summary.findings, all.findings.length);
    // web, debug-shell, log-agent, orphan, report, api: the ReplicaSets and the Job are part of their owners.
    assert.equal(all.summary.workloads, 6);
    for (const finding of all.findings) {
      assert.match(finding.file, API_REFERENCE);
      for (const key of ['line', 'column', 'endLine', 'endColumn', 'documentIndex', 'helmSource', 'edits']) assert.ok(!(key in finding), `${key} in ${finding.file}`);
    }
    assert.ok(all.findings.some((f) => f.object.kind === 'Namespace' && f.object.name === 'kube-system'), 'all namespaces by default');
  });

  it('audits only the namespaces named with -n, and exits 0 when they are clean', async () => {
    const hardened = await auditJson(cluster().kubeconfigPath, ['-n', 'hardened']);
    assert.equal(hardened.code, 0);
    assert.deepEqual(hardened.report.findings, []);
    assert.deepEqual(hardened.report.cluster?.namespaces, ['hardened']);
    assert.ok(hardened.report.summary.objects >= 4, 'the namespace, its ServiceAccount, the Deployment, ReplicaSet and Pod were read');

    const two = await auditJson(cluster().kubeconfigPath, ['-n', 'shop', '--namespace', 'batch']);
    assert.equal(two.code, 1);
    assert.deepEqual([...new Set(two.report.findings.map((f) => f.object.namespace ?? f.object.name))].sort(), ['batch', 'shop']);
    const inShop = (report: AuditReport) => report.findings.filter((f) => f.object.namespace === 'shop' || f.object.name === 'shop').map((f) => JSON.stringify(f));
    assert.deepEqual(inShop(two.report), inShop(all), 'the same findings as in the all-namespaces audit');
  });

  it('narrows Pods and workloads with a label selector, and namespaces to those holding one', async () => {
    const { code, report } = await auditJson(cluster().kubeconfigPath, ['-l', 'app=web']);
    assert.equal(code, 1);
    assert.deepEqual([...new Set(report.findings.map((f) => `${f.object.kind}/${f.object.name}`))].sort(), ['Deployment/web', 'Namespace/shop']);
    assert.equal(report.cluster?.selector, 'app=web');
    assert.equal(report.cluster?.pods, 3);
    for (const finding of on(report, 'Deployment', 'web')) if (finding.containerType === 'container') assert.equal(finding.pods, 3);

    const none = await auditJson(cluster().kubeconfigPath, ['-l', 'app=nothing-has-this']);
    assert.deepEqual([none.code, none.report.findings, none.report.errors], [0, [], []]);
  });

  it('pages through lists with limit and continue', async () => {
    const connected = await connect({ kubeconfig: cluster().kubeconfigPath, env: {} });
    assert.ok('connection' in connected);
    const paged = await listAll(connected.connection, PODS, { chunkSize: 1 });
    assert.ok('items' in paged);
    assert.equal(paged.items.length, 7);
    assert.equal(paged.pages, 7, 'one Pod per page');
    assert.ok(paged.items.every((pod) => pod['kind'] === 'Pod' && pod['apiVersion'] === 'v1' && !('status' in pod)));
    const small = await auditJson(cluster().kubeconfigPath, ['--chunk-size', '1']);
    assert.deepEqual(small.report.findings, all.findings, 'the same report one object per request');
  });

  it('writes text with pod counts and the cluster in the summary', async () => {
    const run = await runCli(['audit', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--no-config', '-n', 'shop']);
    assert.equal(run.code, 1);
    assert.ok(run.stdout.includes('apps/v1/namespaces/shop/deployments/web\n  Deployment shop/web\n'), run.stdout);
    assert.ok(run.stdout.includes('    error   read-only-root-filesystem  [3 pods] container "app" does not set readOnlyRootFilesystem'));
    assert.ok(run.stdout.includes('    error   read-only-root-filesystem  [1 pod] ephemeral container "debugger"'));
    assert.ok(run.stdout.includes('    error   no-writable-host-path  [0 pods] '), 'the DaemonSet runs on no node');
    assert.ok(run.stdout.includes('  Pod shop/orphan (owned by ConfigMap owner-cm)\n'));
    assert.ok(run.stdout.includes(`cluster rootlock-test (${cluster().server}), namespace(s) shop, `));
    assert.ok(!run.stdout.includes(':0:0') && !/deployments\/web:\d/.test(run.stdout), 'no made-up positions');
  });

  it('writes SARIF, JUnit and Markdown for findings without positions', async () => {
    const base = ['audit', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--no-config', '-n', 'shop', '--format'];
    const sarif = JSON.parse((await runCli([...base, 'sarif'])).stdout) as {
      runs: Array<{ originalUriBaseIds: Record<string, unknown>; results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: unknown } }>; properties: Record<string, unknown> }> }>;
    };
    const run = sarif.runs[0];
    assert.ok(run && run.results.length > 0 && 'CLUSTER' in run.originalUriBaseIds);
    for (const result of run.results) {
      const location = result.locations[0]?.physicalLocation;
      assert.equal(location?.artifactLocation.uriBaseId, 'CLUSTER');
      assert.equal(location?.region, undefined);
    }
    assert.ok(run.results.some((r) => r.locations[0]?.physicalLocation.artifactLocation.uri === 'apps/v1/namespaces/shop/deployments/web' && r.properties['pods'] === 3));

    const junit = (await runCli([...base, 'junit'])).stdout;
    assert.equal(XMLValidator.validate(junit), true);
    const suites = (new XMLParser({ ignoreAttributes: false }).parse(junit) as { testsuites: { testsuite: Array<{ '@_name': string }> } }).testsuites.testsuite;
    assert.ok(suites.some((s) => s['@_name'] === 'apps/v1/namespaces/shop/deployments/web'));
    assert.ok(junit.includes('\n  pods: 3'));

    const markdown = (await runCli([...base, 'markdown'])).stdout;
    assert.ok(markdown.includes('Deployment/shop/web<br>3 pods'));
    assert.ok(markdown.includes('Cluster rootlock-test, namespace(s) shop:'));
    assert.ok(!/\| \d+:\d+ \|/.test(markdown), 'no positions in the location column');
  });

  it('uses the config file: severity overrides and exemptions by namespace', async () => {
    const config = join(dir, 'rootlock.yaml');
    writeFileSync(config, 'rules:\n  namespace-pod-security: error\nexemptions:\n  - rules: [no-privileged]\n    namespaces: [shop]\n    reason: debug shell, removed after the incident\n');
    const run = await runCli(['audit', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--config', config, '-f', 'json', '-n', 'shop']);
    const report = JSON.parse(run.stdout) as AuditReport;
    assert.deepEqual(on(report, 'Namespace', 'shop').map((f) => f.severity), ['error']);
    const privileged = on(report, 'Pod', 'debug-shell').filter((f) => f.rule === 'no-privileged');
    assert.deepEqual(privileged.map((f) => [f.exempted, f.exemption?.source]), [[true, 'config']]);
  });

  it('exits 2 with an error for a namespace that does not exist, still auditing the others', async () => {
    const { code, report } = await auditJson(cluster().kubeconfigPath, ['-n', 'no-such-namespace', '-n', 'hardened']);
    assert.equal(code, 2);
    assert.deepEqual(report.errors.map((e) => [e.file, e.code]), [['v1/namespaces/no-such-namespace', 'namespace-not-found']]);
    assert.ok(report.summary.objects > 0);
  });

  it('exits 2 for a cluster it cannot reach, a context it does not know and contradictory options', async () => {
    const kubeconfig = readFileSync(cluster().kubeconfigPath, 'utf8');
    const closed = join(dir, 'closed.kubeconfig');
    writeFileSync(closed, kubeconfig.replace(cluster().server, `https://127.0.0.1:${await freePort()}`));
    const unreachable = await auditJson(closed);
    assert.equal(unreachable.code, 2);
    assert.deepEqual(unreachable.report.errors.map((e) => e.code), ['cluster-unreachable']);

    const context = await runCli(['audit', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--context', 'nope']);
    assert.equal(context.code, 2);
    assert.match(context.stderr, /context "nope" is not in .* \(it has: rootlock-test\)/);

    const both = await runCli(['audit', '--cluster', '-n', 'shop', '-A']);
    assert.deepEqual([both.code, both.stderr], [2, 'rootlock: --namespace and --all-namespaces exclude each other\n']);
    const withoutCluster = await runCli(['audit', '-n', 'shop', 'k8s/']);
    assert.deepEqual([withoutCluster.code, withoutCluster.stderr], [2, 'rootlock: --namespace needs --cluster\n']);
    const paths = await runCli(['audit', '--cluster', 'k8s/']);
    assert.equal(paths.code, 2);
    assert.match(paths.stderr, /takes no paths/);
    const missing = await runCli(['audit', '--cluster', '--kubeconfig', join(dir, 'missing')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read kubeconfig .*missing/);
  });
});
