// Least privilege, checked by a real API server with RBAC: a ServiceAccount
// bound to deploy/rbac/audit-clusterrole.yaml can run the whole audit; one
// whose role lacks a resource gets a per-resource error naming the missing
// permission (exit 2) and every other finding; a RoleBinding in one
// namespace is enough to audit that namespace. Also the in-cluster
// configuration, with a real service account token and CA files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { auditCluster } from '../../src/cluster/audit.js';
import { connect } from '../../src/cluster/connection.js';
import { AUDITED_RESOURCES } from '../../src/cluster/resources.js';
import { emptyConfig } from '../../src/core/config.js';
import type { AuditReport } from '../../src/report/model.js';
import { RULES } from '../../src/rules/index.js';
import { repoRoot } from '../helpers/repo.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { auditJson } from './run-cli.js';
import { createWorkloads, expectStatus, waitForDefaultServiceAccount } from './workloads.js';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface ClusterRole {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  rules: PolicyRule[];
}

const ROLE_FILE = join(repoRoot(), 'deploy', 'rbac', 'audit-clusterrole.yaml');
const NAMESPACE = 'rootlock';

function shippedRole(): ClusterRole {
  return parse(readFileSync(ROLE_FILE, 'utf8')) as ClusterRole;
}

/** Findings as the JSON report writes them (without fix edits), one string each for readable diffs. */
const findingsOf = (report: AuditReport) => report.findings.map(({ edits: _edits, ...finding }) => JSON.stringify(finding));

describe('least-privilege RBAC for the cluster audit (real API server)', () => {
  let cp: ControlPlane | undefined;
  let dir: string;
  let admin: AuditReport;
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };

  /** A ServiceAccount in NAMESPACE and a short-lived token for it from the TokenRequest API. */
  async function serviceAccountToken(name: string): Promise<string> {
    const cp = cluster();
    expectStatus(await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }), 201, `create ServiceAccount ${name}`);
    const res = await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    expectStatus(res, 201, `token for ${name}`);
    return (res.body as { status: { token: string } }).status.token;
  }

  function kubeconfigFor(user: string, token: string): string {
    const cp = cluster();
    const file = join(dir, `${user}.kubeconfig`);
    // JSON is YAML: kubeconfig loaders read it as is.
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cp.server, 'certificate-authority-data': Buffer.from(cp.caCertPem).toString('base64') } }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: user, context: { cluster: 'test', user } }],
      'current-context': user,
    }));
    return file;
  }

  async function bindClusterRole(role: string, serviceAccount: string): Promise<void> {
    expectStatus(await cluster().request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${role}-${serviceAccount}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: NAMESPACE }],
    }), 201, `bind ${role} to ${serviceAccount}`);
  }

  before(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'rootlock-rbac-'));
    await createWorkloads(cp);
    expectStatus(await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }), 201, 'create namespace');
    await waitForDefaultServiceAccount(cp, NAMESPACE);
    expectStatus(await cp.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', shippedRole()), 201, 'create the shipped ClusterRole');
    ({ report: admin } = await auditJson(cp.kubeconfigPath));
  });
  after(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('grants get, list and watch on exactly the resources the audit reads', () => {
    const role = shippedRole();
    assert.deepEqual([role.apiVersion, role.kind, role.metadata.name], ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'rootlock-audit']);
    const granted = role.rules.flatMap((rule) => {
      assert.deepEqual(rule.verbs, ['get', 'list', 'watch']);
      return rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group}/${resource}`));
    });
    assert.deepEqual(granted.sort(), AUDITED_RESOURCES.map((type) => `${type.group}/${type.plural}`).sort());
    assert.ok(!granted.some((g) => /secrets|configmaps|\*/.test(g)), 'no Secrets, no ConfigMaps, no wildcards');
  });

  it('is enough for the whole audit: the same findings as an administrator gets, and no errors', async () => {
    await bindClusterRole('rootlock-audit', 'auditor');
    const { code, report } = await auditJson(kubeconfigFor('auditor', await serviceAccountToken('auditor')));
    assert.deepEqual(report.errors, []);
    assert.equal(code, 1);
    assert.equal(report.cluster?.context, 'auditor');
    assert.ok(report.findings.length > 0);
    assert.deepEqual(findingsOf(report), findingsOf(admin));
  });

  it('reports a resource the role lacks as an error naming the permission, exits 2, and still reports the rest', async () => {
    const role = shippedRole();
    const partial: ClusterRole = {
      ...role,
      metadata: { name: 'rootlock-audit-no-daemonsets' },
      rules: role.rules.map((rule) => ({ ...rule, resources: rule.resources.filter((resource) => resource !== 'daemonsets') })),
    };
    expectStatus(await cluster().request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', partial), 201, 'create the partial role');
    await bindClusterRole(partial.metadata.name, 'partial');
    const { code, report } = await auditJson(kubeconfigFor('partial', await serviceAccountToken('partial')));
    assert.equal(code, 2);
    assert.deepEqual(report.errors.map((e) => [e.file, e.code]), [['apps/v1/daemonsets', 'forbidden']]);
    const message = report.errors[0]?.message ?? '';
    assert.match(message, /^cannot list daemonsets\.apps in all namespaces: .*system:serviceaccount:rootlock:partial.* cannot list resource "daemonsets" in API group "apps"/);
    assert.ok(message.includes('needs get, list and watch on "daemonsets" in API group "apps"') && message.includes('deploy/rbac/audit-clusterrole.yaml'), message);
    assert.deepEqual(report.findings.filter((f) => f.object.kind === 'DaemonSet'), []);
    const withoutDaemonSet = admin.findings.filter((f) => f.object.kind !== 'DaemonSet').map((f) => JSON.stringify(f));
    assert.deepEqual(findingsOf(report), withoutDaemonSet, 'every other finding is still reported');
  });

  it('audits one namespace with a RoleBinding there, and reports the cluster-wide lists it may not read', async () => {
    expectStatus(await cluster().request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rootlock-audit-team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rootlock-audit' },
      subjects: [{ kind: 'ServiceAccount', name: 'team', namespace: NAMESPACE }],
    }), 201, 'bind in shop');
    const kubeconfig = kubeconfigFor('team', await serviceAccountToken('team'));
    const shop = await auditJson(kubeconfig, ['-n', 'shop']);
    assert.deepEqual(shop.report.errors, []);
    const inShop = admin.findings.filter((f) => f.object.namespace === 'shop' || (f.object.kind === 'Namespace' && f.object.name === 'shop')).map((f) => JSON.stringify(f));
    assert.deepEqual(findingsOf(shop.report), inShop);

    const everywhere = await auditJson(kubeconfig);
    assert.equal(everywhere.code, 2);
    assert.deepEqual(everywhere.report.errors.map((e) => e.code), AUDITED_RESOURCES.map(() => 'forbidden'), 'one error per resource type');
    assert.ok(everywhere.report.errors.every((e) => e.message.includes('cluster-wide (a ClusterRole with a ClusterRoleBinding)')));
  });

  it('reports rejected credentials once, with exit 2', async () => {
    const { code, report } = await auditJson(kubeconfigFor('forged', 'not-a-token'));
    assert.equal(code, 2);
    assert.deepEqual(report.errors.map((e) => [e.file, e.code]), [[cluster().server, 'unauthorized']]);
  });

  it('runs in a pod with the in-cluster configuration: service host and port, token and CA files', async () => {
    await bindClusterRole('rootlock-audit', 'in-pod');
    const mounted = join(dir, 'serviceaccount');
    mkdirSync(mounted);
    writeFileSync(join(mounted, 'token'), await serviceAccountToken('in-pod'));
    writeFileSync(join(mounted, 'ca.crt'), cluster().caCertPem);
    writeFileSync(join(mounted, 'namespace'), NAMESPACE);
    const url = new URL(cluster().server);
    const connected = await connect({
      env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port },
      homeDir: join(dir, 'no-home'),
      serviceAccountDir: mounted,
    });
    assert.ok('connection' in connected, JSON.stringify(connected));
    assert.equal(connected.connection.context, 'in-cluster');
    assert.equal(connected.connection.server, cluster().server);
    const report = await auditCluster({ connection: connected.connection, scope: {}, rules: RULES, config: emptyConfig(), failOn: 'error', today: '2026-06-01', version: '0.0.0' });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(findingsOf(report), findingsOf(admin));

    const nowhere = await connect({ env: {}, homeDir: join(dir, 'no-home'), serviceAccountDir: join(dir, 'no-mount') });
    assert.ok('problem' in nowhere);
    assert.match(nowhere.problem, /^no cluster configuration found/);
  });
});
