// `helm install` of the chart into a real API server: every object of every
// part is validated, defaulted and admitted by kube-apiserver v1.37 (its
// OpenAPI schemas, the CRDs' structural schemas, Pod Security admission of the
// namespaces, ValidatingAdmissionPolicy), then `helm upgrade` keeps the
// webhook's certificate and `helm uninstall` removes everything but the
// CRDs. There is no kubelet here, so no pod runs: test/node/helm-install.test.ts
// brings the parts up on a real node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAll } from '../helpers/apply.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { repoRoot } from '../helpers/repo.js';
import { CHART_DIR, PINNED_DIGEST, helm, parseObjects, type K8sObject, type Values } from './chart.js';

type Json = Record<string, unknown>;

/** Every part on; no webhook pod can answer without a kubelet, so the API server ignores its failure here. */
const EVERYTHING: Values = {
  image: { digest: PINNED_DIGEST },
  webhook: { mutate: true, validateFailurePolicy: 'Ignore', mutateFailurePolicy: 'Ignore' },
  drift: { enabled: true },
  policies: { engine: 'vap', action: 'deny' },
};

describe('the chart installed into a real API server with helm install', () => {
  let cp: ControlPlane;
  const kube = (args: string[], values?: Values): Promise<string> => helm([...args, '--kubeconfig', cp.kubeconfigPath], values);

  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await cp?.stop();
  });

  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await cp.request('GET', path);
    return { status: res.status, body: res.body as Json };
  };

  it('creates every object the chart renders, each accepted by the API server', async () => {
    const rendered = parseObjects(await helm(['template', 'rootlock', CHART_DIR()], EVERYTHING));
    await kube(['install', 'rootlock', CHART_DIR(), '--namespace', 'default'], EVERYTHING);
    const missing: string[] = [];
    for (const object of rendered) {
      const path = objectPath(object);
      const res = await get(path);
      if (res.status !== 200) missing.push(`${object.kind}/${object.metadata.name}: HTTP ${res.status}`);
    }
    assert.deepEqual(missing, []);
    // Both namespaces got their Pod Security levels; the Deployment controller made the replicas' pods (Pending: no kubelet),
    // which Pod Security admission (restricted) and rootlock's own ValidatingAdmissionPolicies (deny) admitted.
    const ns = (await get('/api/v1/namespaces/rootlock-drift')).body as { metadata: { labels: Record<string, string> } };
    assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
    const pods = await waitForPods(cp, 'rootlock-system', 4);
    assert.deepEqual(pods.sort(), ['rootlock-audit', 'rootlock-audit', 'rootlock-webhook', 'rootlock-webhook']);
    const crd = (await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/policyreports.wgpolicyk8s.io')).body as { status: { conditions: { type: string; status: string }[] } };
    assert.ok(crd.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'), JSON.stringify(crd.status));
  });

  it('helm upgrade keeps the webhook\'s certificate and its caBundle, read back with lookup', async () => {
    const secretPath = '/api/v1/namespaces/rootlock-system/secrets/rootlock-webhook-tls';
    const before = (await get(secretPath)).body as { data: Record<string, string> };
    await kube(['upgrade', 'rootlock', CHART_DIR(), '--namespace', 'default'], { ...EVERYTHING, audit: { reportInterval: 5 } });
    const afterUpgrade = (await get(secretPath)).body as { data: Record<string, string> };
    assert.deepEqual(afterUpgrade.data, before.data);
    const vwc = (await get('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/rootlock-webhook')).body as { webhooks: { clientConfig: { caBundle: string } }[] };
    assert.equal(vwc.webhooks[0]!.clientConfig.caBundle, before.data['ca.crt']);
    const audit = (await get('/apis/apps/v1/namespaces/rootlock-system/deployments/rootlock-audit')).body as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const args = audit.spec.template.spec.containers[0]!.args;
    assert.equal(args[args.indexOf('--report-interval') + 1], '5');
  });

  it('helm uninstall removes everything but the PolicyReport CRDs', async () => {
    await kube(['uninstall', 'rootlock', '--namespace', 'default', '--wait']);
    for (const path of ['/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/rootlock-webhook', '/apis/rbac.authorization.k8s.io/v1/clusterroles/rootlock-audit',
      '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/rootlock-read-only-root-filesystem']) {
      assert.equal((await get(path)).status, 404, path);
    }
    assert.equal((await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/policyreports.wgpolicyk8s.io')).status, 200);
  });

  it('installs each part alone, and the policies of the engine the API server serves itself (vap)', async () => {
    const parts: [string, Values][] = [
      ['webhook alone, cert-manager off', { audit: { enabled: false }, policyReportCRDs: { install: false }, webhook: { validateFailurePolicy: 'Ignore' } }],
      ['auditor alone, metrics only', { webhook: { enabled: false }, audit: { policyReports: false }, policyReportCRDs: { install: false } }],
      ['drift alone, other containerd paths', { webhook: { enabled: false }, audit: { enabled: false }, policyReportCRDs: { install: false }, drift: { enabled: true, containerdRoot: '/data/containerd', containerdState: '/run/k3s/containerd' } }],
      ['policies alone, vap warn', { webhook: { enabled: false }, audit: { enabled: false }, policyReportCRDs: { install: false }, policies: { engine: 'vap', action: 'warn' } }],
    ];
    for (const [name, values] of parts) {
      await kube(['install', 'part', CHART_DIR(), '--namespace', 'default'], values).catch((error: Error) => assert.fail(`${name}: ${error.message}`));
      await kube(['uninstall', 'part', '--namespace', 'default', '--wait']);
    }
  });

  it('installs the Gatekeeper ConstraintTemplates and Kyverno ValidatingPolicies, validated against those engines\' own CRDs', async () => {
    // The CRDs come from the engines' Go modules at the versions the policy tests build (test/chart/engine-crds.sh).
    // Gatekeeper makes each Constraint's CRD from its template at run time, so the Constraints are left to gator (test/policy).
    const alone: Values = { webhook: { enabled: false }, audit: { enabled: false }, policyReportCRDs: { install: false } };
    // Before the engines are there, helm install says so, from what the API server serves.
    await assert.rejects(kube(['install', 'engine', CHART_DIR(), '--namespace', 'default'], { ...alone, policies: { engine: 'kyverno' } }), /needs Kyverno, whose policies\.kyverno\.io\/v1 ValidatingPolicy API this cluster does not serve/);
    const dir = execFileSync('bash', [join(repoRoot(), 'test', 'chart', 'engine-crds.sh')], { encoding: 'utf8' }).trim();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const [crd] = await createAll(cp, readFileSync(join(dir, file), 'utf8'));
      await waitEstablished(cp, crd!.metadata.name);
    }
    await assert.rejects(kube(['install', 'engine', CHART_DIR(), '--namespace', 'default'], { ...alone, policies: { engine: 'gatekeeper' } }), /install with policies\.gatekeeperConstraints=false, then helm upgrade/);
    for (const policies of [{ engine: 'gatekeeper', gatekeeperConstraints: false, action: 'deny' }, { engine: 'kyverno', action: 'warn' }]) {
      const rendered = parseObjects(await helm(['template', 'engine', CHART_DIR(), '--api-versions', 'templates.gatekeeper.sh/v1,policies.kyverno.io/v1'], { ...alone, policies }));
      assert.equal(rendered.length, 14, JSON.stringify(policies));
      await kube(['install', 'engine', CHART_DIR(), '--namespace', 'default'], { ...alone, policies });
      for (const object of rendered) assert.equal((await get(objectPath(object))).status, 200, `${object.kind}/${object.metadata.name}`);
      await kube(['uninstall', 'engine', '--namespace', 'default', '--wait']);
    }
  });
});

async function waitEstablished(cp: ControlPlane, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await cp.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conditions = (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`CRD ${name} not Established within ${timeoutMs} ms`);
}

/** Names of the pods' owners' owners (their Deployments) once `count` pods exist in the namespace. */
async function waitForPods(cp: ControlPlane, namespace: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await cp.request('GET', `/api/v1/namespaces/${namespace}/pods`);
    const items = (res.body as { items: { metadata: { labels?: Record<string, string> } }[] }).items ?? [];
    if (items.length >= count) return items.map((p) => p.metadata.labels?.['app.kubernetes.io/name'] ?? '?');
    const events = await cp.request('GET', `/api/v1/namespaces/${namespace}/events`);
    last = ((events.body as { items?: { message: string }[] }).items ?? []).map((e) => e.message);
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.fail(`fewer than ${count} pods in ${namespace} after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'CustomResourceDefinition', 'ConstraintTemplate', 'ValidatingPolicy']);

function objectPath(object: K8sObject): string {
  const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const lower = object.kind.toLowerCase();
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : lower.endsWith('s') ? `${lower}es` : `${lower}s`;
  const scope = CLUSTER_SCOPED.has(object.kind) ? '' : `/namespaces/${object.metadata.namespace ?? 'default'}`;
  return `${base}${scope}/${plural}/${object.metadata.name}`;
}
