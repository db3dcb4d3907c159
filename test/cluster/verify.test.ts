// `rootlock verify --cluster` against a real API server and controller
// manager (no scheduler, no kubelet: pods stay Pending). A manifest the API
// server refuses in the dry run creates nothing; a Pod that never comes up
// is "could not judge" with its last state; Ctrl-C while waiting still
// deletes the namespace; and deploy/rbac/verify-clusterrole.yaml is exactly
// enough.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/repo.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { runCli } from './run-cli.js';
import { expectStatus, HARDENED_CONTAINER, waitForDefaultServiceAccount } from './workloads.js';

const MANAGED = 'app.kubernetes.io/managed-by=rootlock';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: production
spec:
  automountServiceAccountToken: false
  containers:
    - name: api
      image: ${HARDENED_CONTAINER.image}
      securityContext:
        readOnlyRootFilesystem: true
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ${HARDENED_CONTAINER.image}
`;

describe('verify --cluster (real API server and controller manager)', () => {
  let cp: ControlPlane | undefined;
  let dir: string;
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  /** Names of the namespaces verify made that still exist (terminating ones included). */
  const verifyNamespaces = async () => {
    const res = await cluster().request('GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent(MANAGED)}`);
    expectStatus(res, 200, 'list namespaces');
    return (res.body as { items: Array<{ metadata: { name: string } }> }).items.map((ns) => ns.metadata.name);
  };

  before(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'rootlock-verify-cluster-'));
  });
  after(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports an object the dry run refuses with its file and line, and creates nothing', async () => {
    const bad = DEPLOYMENT.replace('- name: web', '- name: Web_Server');
    const file = write('refused.yaml', `${POD}---\n${bad}`);
    const run = await runCli(['verify', '--cluster', '--kubeconfig', cluster().kubeconfigPath, file], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.split('\n');
    assert.ok(lines.some((line) => /^refused\.yaml:14: Deployment\/web: Deployment\.apps "web" is invalid: spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Web_Server"/.test(line)), run.stderr);
    assert.ok(run.stderr.includes('nothing was created'), run.stderr);
    assert.deepEqual(await verifyNamespaces(), [], 'the namespace is gone');
    const pods = await cluster().request('GET', '/api/v1/pods');
    assert.deepEqual((pods.body as { items: unknown[] }).items, [], 'not even the valid Pod was created');
  });

  it('cannot judge a Pod that stays Pending: exit 2, the last state, and the namespace deleted', async () => {
    const file = write('pending.yaml', POD);
    const run = await runCli(['verify', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--timeout', '3s', '--format', 'json', file], dir);
    assert.equal(run.code, 2, run.stderr);
    const result = JSON.parse(run.stdout) as { namespace: string; errors: string[]; cleanedUp: boolean; workloads: Array<Record<string, unknown>> };
    assert.match(result.namespace, /^rootlock-verify-/);
    assert.deepEqual(result.errors, []);
    assert.equal(result.cleanedUp, true);
    assert.deepEqual(result.workloads, [{
      file: 'pending.yaml', line: 1, kind: 'Pod', name: 'api', verdict: 'unknown',
      reason: 'not Ready within 3 s; last state: Pending: not scheduled to a node yet (no node is Ready, or no scheduler placed it)',
      mounts: [],
    }]);
    assert.deepEqual(await verifyNamespaces(), []);

    const text = await runCli(['verify', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--timeout', '2s', file], dir);
    assert.equal(text.code, 2);
    assert.match(text.stdout, /^could not judge {2}Pod\/api \(pending\.yaml:1\): not Ready within 2 s; last state: Pending/);
    assert.match(text.stderr, /^verifying in namespace rootlock-verify-\w+ \(context [^)]+\); it is deleted at the end\n$/);
  });

  it('adds the controller\'s last warning when a Deployment gets no pod (FailedCreate)', async () => {
    // The dry run accepts the Deployment; only the pods its ReplicaSet makes are refused.
    const file = write('no-account.yaml', DEPLOYMENT.replace('    spec:\n      containers:', '    spec:\n      serviceAccountName: missing\n      containers:'));
    const run = await runCli(['verify', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--timeout', '5s', file], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /^could not judge {2}Deployment\/web \(no-account\.yaml:1\): not Ready within 5 s; last state: 0\/1 pods Ready; no pod created yet; last warning: FailedCreate: Error creating: pods "web-\w+-\w*" is forbidden: error looking up service account rootlock-verify-\w+\/missing: serviceaccount "missing" not found\n$/);
    assert.deepEqual(await verifyNamespaces(), []);
  });

  it('deletes the namespace when the process gets SIGINT while waiting', async () => {
    const file = write('interrupted.yaml', `${POD}---\n${DEPLOYMENT}`);
    const started = Date.now();
    // Its own process, as a user runs it: a signal to this test process would stop the control plane too.
    const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'rootlock.js'), 'verify', '--cluster', '--kubeconfig', cluster().kubeconfigPath, '--timeout', '120s', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until the objects are there (the Deployment's pod too), then interrupt.
    for (;;) {
      const pods = await cluster().request('GET', '/api/v1/pods');
      if ((pods.body as { items: unknown[] }).items.length >= 2) break;
      assert.ok(Date.now() - started < 60_000, `verify created the pods: ${stderr}`);
      await sleep(100);
    }
    assert.equal((await verifyNamespaces()).length, 1);
    child.kill('SIGINT');
    const code = await exited;
    assert.ok(Date.now() - started < 60_000, 'the interrupt ended the wait');
    assert.equal(code, 2, stderr);
    assert.match(stdout, /could not judge {2}Pod\/api \(interrupted\.yaml:1\): interrupted; last state: Pending/);
    assert.match(stdout, /could not judge {2}Deployment\/web \(interrupted\.yaml:14\): interrupted; last state: 0\/1 pods Ready/);
    assert.match(stderr, /error: interrupted/);
    assert.deepEqual(await verifyNamespaces(), []);
  });

  describe('least-privilege RBAC (deploy/rbac/verify-clusterrole.yaml)', () => {
    const NAMESPACE = 'ci';
    const kubeconfigFor = async (user: string): Promise<string> => {
      const cp = cluster();
      expectStatus(await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: user } }), 201, `create ServiceAccount ${user}`);
      const res = await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${user}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
      expectStatus(res, 201, `token for ${user}`);
      const file = join(dir, `${user}.kubeconfig`);
      writeFileSync(file, JSON.stringify({
        apiVersion: 'v1', kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: cp.server, 'certificate-authority-data': Buffer.from(cp.caCertPem).toString('base64') } }],
        users: [{ name: user, user: { token: (res.body as { status: { token: string } }).status.token } }],
        contexts: [{ name: user, context: { cluster: 'test', user } }],
        'current-context': user,
      }));
      return file;
    };

    before(async () => {
      const cp = cluster();
      expectStatus(await cp.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }), 201, 'create namespace');
      await waitForDefaultServiceAccount(cp, NAMESPACE);
      const role = parse(readFileSync(join(repoRoot(), 'deploy', 'rbac', 'verify-clusterrole.yaml'), 'utf8')) as unknown;
      expectStatus(await cp.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', role), 201, 'create the shipped ClusterRole');
    });

    it('is enough: verify runs, judges and cleans up as that identity', async () => {
      const kubeconfig = await kubeconfigFor('deployer');
      expectStatus(await cluster().request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'rootlock-verify-deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rootlock-verify' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: NAMESPACE }],
      }), 201, 'bind the role');
      const file = write('rbac.yaml', `${POD}---\n${DEPLOYMENT}`);
      const run = await runCli(['verify', '--cluster', '--kubeconfig', kubeconfig, '--timeout', '3s', '--format', 'json', file], dir);
      const result = JSON.parse(run.stdout) as { errors: string[]; rejected: unknown[]; cleanedUp: boolean; workloads: Array<{ kind: string; verdict: string; reason: string }> };
      assert.deepEqual([result.errors, result.rejected, result.cleanedUp], [[], [], true], run.stdout);
      assert.deepEqual(result.workloads.map((w) => [w.kind, w.verdict]), [['Pod', 'unknown'], ['Deployment', 'unknown']]);
      assert.match(result.workloads[1]!.reason, /last state: 0\/1 pods Ready; pod web-\w+-\w+: Pending/, 'it read the Deployment\'s pods');
      assert.equal(run.code, 2);
      assert.deepEqual(await verifyNamespaces(), []);
    });

    it('reports a namespace it may not delete, with the command to delete it, and exits 2', async () => {
      const role = parse(readFileSync(join(repoRoot(), 'deploy', 'rbac', 'verify-clusterrole.yaml'), 'utf8')) as { metadata: { name: string }; rules: Array<{ resources: string[]; verbs: string[] }> };
      role.metadata.name = 'rootlock-verify-no-delete';
      role.rules = role.rules.map((rule) => (rule.resources.includes('namespaces') ? { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'delete') } : rule));
      expectStatus(await cluster().request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', role), 201, 'create the role without delete');
      const kubeconfig = await kubeconfigFor('keeper');
      expectStatus(await cluster().request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'rootlock-verify-keeper' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
        subjects: [{ kind: 'ServiceAccount', name: 'keeper', namespace: NAMESPACE }],
      }), 201, 'bind the role');
      const run = await runCli(['verify', '--cluster', '--kubeconfig', kubeconfig, '--timeout', '2s', write('kept.yaml', POD)], dir);
      assert.equal(run.code, 2);
      const [left] = await verifyNamespaces();
      assert.ok(left, 'the namespace is still there');
      assert.match(run.stderr, new RegExp(`^error: namespace ${left} could not be deleted \\(namespaces "${left}" is forbidden: User "system:serviceaccount:ci:keeper" cannot delete resource "namespaces".*\\); delete it with: kubectl delete namespace ${left}$`, 'm'));
      expectStatus(await cluster().request('DELETE', `/api/v1/namespaces/${left}`), 200, 'delete it as the administrator');
      for (let i = 0; (await verifyNamespaces()).length && i < 600; i++) await sleep(100);
    });

    it('without it, fails clearly: the API server\'s refusal and nothing left behind', async () => {
      const kubeconfig = await kubeconfigFor('nobody');
      const run = await runCli(['verify', '--cluster', '--kubeconfig', kubeconfig, '--timeout', '3s', write('norole.yaml', POD)], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^error: cannot create a namespace to verify in: namespaces is forbidden: User "system:serviceaccount:ci:nobody" cannot create resource "namespaces" in API group "" at the cluster scope/m);
      assert.deepEqual(await verifyNamespaces(), []);
    });
  });
});
