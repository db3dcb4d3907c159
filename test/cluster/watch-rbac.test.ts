// The continuous audit as it runs in a cluster: a ServiceAccount with exactly
// deploy/rbac/audit-clusterrole.yaml and deploy/rbac/watch-clusterrole.yaml,
// two replicas with --leader-elect of which only one writes and the other
// takes over when it stops, and a role without one resource: reported once,
// the rest audited. Against a real API server with RBAC.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { freePort, startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { repoRoot } from '../helpers/repo.js';
import { eventually, getReport, installReportCrds, startWatcher, type WatcherProcess } from '../helpers/watcher.js';
import { createWorkloads, expectStatus, waitForDefaultServiceAccount } from './workloads.js';

const NAMESPACE = 'rootlock-system';
const RBAC = join(repoRoot(), 'deploy', 'rbac');

interface Role {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
}

async function writes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^rootlock_policy_report_writes_total\{outcome="(created|updated)"\} (\d+)$/gm)) total += Number(match[2]);
  return total;
}

describe('the continuous audit with its shipped RBAC and leader election (real API server)', () => {
  let cp: ControlPlane | undefined;
  let dir = '';
  const running: WatcherProcess[] = [];
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };

  async function serviceAccountKubeconfig(name: string): Promise<string> {
    const cp = cluster();
    expectStatus(await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }), 201, `create ServiceAccount ${name}`);
    const res = await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
    expectStatus(res, 201, `token for ${name}`);
    const token = (res.body as { status: { token: string } }).status.token;
    const file = join(dir, `${name}.kubeconfig`);
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cp.server, 'certificate-authority-data': Buffer.from(cp.caCertPem).toString('base64') } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: 'test', user: name } }],
      'current-context': name,
    }));
    return file;
  }

  async function createRole(role: Role): Promise<void> {
    const path = role.kind === 'Role'
      ? `/apis/rbac.authorization.k8s.io/v1/namespaces/${role.metadata.namespace}/roles`
      : '/apis/rbac.authorization.k8s.io/v1/clusterroles';
    expectStatus(await cluster().request('POST', path, role), 201, `create ${role.kind} ${role.metadata.name}`);
  }

  async function bind(role: Role, serviceAccount: string): Promise<void> {
    const namespaced = role.kind === 'Role';
    const path = namespaced ? `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings` : '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
    expectStatus(await cluster().request('POST', path, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: namespaced ? 'RoleBinding' : 'ClusterRoleBinding',
      metadata: { name: `${role.metadata.name}-${serviceAccount}`, ...(namespaced ? { namespace: NAMESPACE } : {}) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: role.kind, name: role.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: NAMESPACE }],
    }), 201, `bind ${role.metadata.name} to ${serviceAccount}`);
  }

  const readRole = parse(readFileSync(join(RBAC, 'audit-clusterrole.yaml'), 'utf8')) as Role;
  const watchRoles = parseAllDocuments(readFileSync(join(RBAC, 'watch-clusterrole.yaml'), 'utf8')).map((doc) => doc.toJS() as Role);

  before(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'rootlock-watch-rbac-'));
    await createWorkloads(cp);
    expectStatus(await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }), 201, 'create namespace');
    await waitForDefaultServiceAccount(cp, NAMESPACE);
    await installReportCrds(cp);
    for (const role of [readRole, ...watchRoles]) await createRole(role);
  });
  after(async () => {
    for (const watcher of running) await watcher.stop();
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes only reports and its Lease', () => {
    const granted = watchRoles.flatMap((role) => role.rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group}/${resource}`))));
    assert.deepEqual(granted.sort(), ['coordination.k8s.io/leases', 'wgpolicyk8s.io/clusterpolicyreports', 'wgpolicyk8s.io/policyreports']);
    assert.ok(!watchRoles.some((role) => role.rules.some((rule) => rule.verbs.includes('*') || rule.resources.includes('*'))));
  });

  it('two replicas with the shipped roles: one writes, the other takes over when it stops', async () => {
    const cp = cluster();
    for (const role of [readRole, ...watchRoles]) await bind(role, 'rootlock-audit');
    const kubeconfig = await serviceAccountKubeconfig('rootlock-audit');
    const ports = [await freePort(), await freePort()];
    const args = (port: number) => ['--kubeconfig', kubeconfig, '--policy-reports', '--leader-elect', '--lease-duration', '3', '--report-interval', '0.2', '--metrics-listen', `127.0.0.1:${port}`];
    const first = startWatcher(args(ports[0] as number));
    running.push(first);
    await eventually('the shop report', () => getReport(cp, 'shop'), 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nwatcher: ${first.stderr()}`);
    });
    const second = startWatcher(args(ports[1] as number));
    running.push(second);
    await eventually('the second replica ready', async () => ((await fetch(`http://127.0.0.1:${ports[1]}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined));
    // A change both replicas see: only the leader writes it.
    expectStatus(await cp.request('POST', '/api/v1/namespaces/shop/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'change-1', namespace: 'shop' }, spec: { containers: [{ name: 'x', image: 'busybox' }] } }), 201, 'create a Pod');
    await eventually('the change in the report', async () => ((await getReport(cp, 'shop'))?.results.some((r) => r.resources[0]?.name === 'change-1') ? true : undefined));
    assert.ok((await writes(ports[0] as number)) > 0);
    assert.equal(await writes(ports[1] as number), 0, second.stderr());
    assert.match(first.stderr(), /leading/);
    assert.doesNotMatch(second.stderr(), /rootlock: leading/);
    const lease = await cp.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/rootlock-audit`);
    assert.match((lease.body as { spec: { holderIdentity: string } }).spec.holderIdentity, new RegExp(`_${first.child.pid}$`));

    assert.equal(await first.stop(), 0, first.stderr());
    await eventually('the second replica leading', async () => (/rootlock: leading/.test(second.stderr()) ? true : undefined), 20_000);
    expectStatus(await cp.request('POST', '/api/v1/namespaces/shop/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'change-2', namespace: 'shop' }, spec: { containers: [{ name: 'x', image: 'busybox' }] } }), 201, 'create a Pod');
    await eventually('the second replica writing', async () => ((await getReport(cp, 'shop'))?.results.some((r) => r.resources[0]?.name === 'change-2') ? true : undefined));
    assert.ok((await writes(ports[1] as number)) > 0);
    assert.doesNotMatch(first.stderr() + second.stderr(), /forbidden/i);
    assert.equal(await second.stop(), 0);
  });

  it('reports a resource the role lacks once, and audits the rest', async () => {
    const cp = cluster();
    const partial: Role = { ...readRole, metadata: { name: 'rootlock-audit-no-cronjobs' }, rules: readRole.rules.map((rule) => ({ ...rule, resources: rule.resources.filter((r) => r !== 'cronjobs') })) };
    await createRole(partial);
    for (const role of [partial, ...watchRoles]) await bind(role, 'partial');
    const kubeconfig = await serviceAccountKubeconfig('partial');
    expectStatus(await cp.request('DELETE', '/apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/rootlock'), 200, 'delete the shop report');
    const watcher = startWatcher(['--kubeconfig', kubeconfig, '--policy-reports', '--report-interval', '0.2']);
    running.push(watcher);
    const report = await eventually('the shop report without cronjobs', () => getReport(cp, 'shop'), 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nwatcher: ${watcher.stderr()}`);
    });
    assert.ok(report.results.some((r) => r.resources[0]?.kind === 'Deployment' && r.resources[0].name === 'web' && r.result === 'fail'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const forbidden = watcher.stderr().split('\n').filter((line) => /forbidden/i.test(line));
    assert.equal(forbidden.length, 1, watcher.stderr());
    assert.match(forbidden[0] ?? '', /cronjobs\.batch.*rootlock needs get, list and watch on "cronjobs"/);
    assert.equal(await watcher.stop(), 0);
  });
});
