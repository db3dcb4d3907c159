// The Helm chart installed with `helm install` on a real node, as the README
// says: rootlock's image pushed to a registry with skopeo and pinned by
// digest, every part switched on. Each part comes up Ready: the webhook (two
// replicas) denies a mutable Deployment, the auditor (two replicas, one
// holding the Lease) writes the PolicyReport of a mutable pod that was there
// before, the drift DaemonSet runs in its privileged namespace, and the
// dashboard serves the page of those PolicyReports on its pod's address.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type Node, type PodLike } from '../helpers/node.js';
import { readyPods } from '../helpers/ready-pods.js';
import { importBusyboxImage } from '../helpers/node-images.js';
import { rootlockImage } from '../helpers/rootlock-image.js';
import { assertToolsInstalled, run, startRegistry, type RunningRegistry } from '../registry/registry-server.js';
import { CHART_DIR, helm, type Values } from '../chart/chart.js';
import { DASHBOARD_CSP } from '../../src/dashboard/server.js';

const SYSTEM = 'rootlock-system';
const DRIFT = 'rootlock-drift';
const APPS = 'apps';

interface PodList { items: PodLike[] }
interface Report { results?: { rule?: string; result: string; resources?: { kind: string; name: string }[] }[]; summary?: Record<string, number> }

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${what} within ${timeoutMs} ms`);
}

describe('the Helm chart installed with helm install on a real node', () => {
  let node: Node | undefined;
  let registry: RunningRegistry | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-chart-node-'));
  let busybox = '';
  let values: Values = {};
  const started = (): Node => {
    assert.ok(node, 'the node did not start');
    return node;
  };

  before(async () => {
    assertToolsInstalled();
    const image = await rootlockImage();
    registry = await startRegistry({ dir: mkdtempSync(join(work, 'registry-')), auth: { kind: 'none' } });
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${image.archivePath}`, `docker://${registry.host}/rootlock:0.1.0`]);
    node = await startNode();
    busybox = await importBusyboxImage(node, join(work, 'images'));

    // A mutable pod from before rootlock was installed: what the auditor must report.
    assert.equal((await node.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } })).status, 201);
    const mutable = await node.request('POST', `/api/v1/namespaces/${APPS}/pods`, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mutable', namespace: APPS },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: busybox, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] },
    });
    assert.equal(mutable.status, 201, JSON.stringify(mutable.body));

    values = {
      image: { repository: `${registry.host}/rootlock`, tag: '0.1.0', digest: image.digest },
      drift: { enabled: true, containerdRoot: node.containerdDirs.root, containerdState: node.containerdDirs.state },
      // A short interval so the page picks up the auditor's reports within the test.
      dashboard: { enabled: true, interval: '5s' },
    };
    await helm(['install', 'rootlock', CHART_DIR(), '--namespace', 'default', '--kubeconfig', node.kubeconfigPath], values);
  });
  after(async () => {
    await node?.stop();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('brings every part up Ready: two webhook replicas, two auditor replicas, the drift DaemonSet, the dashboard', async () => {
    const n = started();
    await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook', { count: 2 });
    await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-audit', { count: 2 });
    await readyPods(n, DRIFT, 'app.kubernetes.io/name=rootlock-drift', { count: 1 });
    await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-dashboard', { count: 1 });
    await n.waitForPod(APPS, 'mutable', 'Ready');
  });

  it('the webhook denies a mutable Deployment with rootlock\'s message', async () => {
    const n = started();
    await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook', { count: 2 });
    const denied = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: APPS },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: busybox, command: ['sleep', '3600'] }] } },
      },
    });
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    const message = (denied.body as { message: string }).message;
    assert.match(message, /admission webhook "validate\.rootlock\.dev" denied the request/);
    assert.match(message, /read-only-root-filesystem/);
  });

  it('the auditor holds its Lease with one replica and writes the mutable pod\'s PolicyReport', async () => {
    const n = started();
    await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-audit', { count: 2 });
    const auditPods = (((await n.request('GET', `/api/v1/namespaces/${SYSTEM}/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/name=rootlock-audit')}`)).body as PodList).items ?? []).map((p) => p.metadata.name);
    const holder = await eventually('a replica holds the Lease', async () => {
      const lease = await n.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM}/leases/rootlock-audit`);
      const identity = (lease.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
      return lease.status === 200 && identity ? identity : undefined;
    });
    assert.ok(auditPods.some((pod) => holder.startsWith(`${pod}_`)), `the holder ${holder} is one of ${auditPods.join(', ')}`);

    const report = await eventually('the PolicyReport of namespace apps fails the mutable pod', async () => {
      const res = await n.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${APPS}/policyreports/rootlock`);
      if (res.status !== 200) return undefined;
      const body = res.body as Report;
      return body.results?.some((r) => r.rule === 'read-only-root-filesystem' && r.result === 'fail' && r.resources?.[0]?.name === 'mutable') ? body : undefined;
    });
    assert.ok((report.summary?.['fail'] ?? 0) >= 1, JSON.stringify(report.summary));
    // rootlock's own namespace holds nothing that fails.
    const own = await eventually('the PolicyReport of rootlock-system', async () => {
      const res = await n.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${SYSTEM}/policyreports/rootlock`);
      return res.status === 200 ? res.body as Report : undefined;
    });
    assert.deepEqual((own.results ?? []).filter((r) => r.result === 'fail' || r.result === 'warn'), [], JSON.stringify(own.results));
  });

  it('the dashboard serves the page of the auditor\'s PolicyReports on its pod\'s address, read-only, with its CSP', async () => {
    const n = started();
    const [dashboard] = await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-dashboard', { count: 1 });
    const podIP = dashboard?.status?.podIP;
    assert.ok(podIP, JSON.stringify(dashboard?.status));
    // The host reaches the pod on the node's pod network, as the other node tests reach theirs.
    const base = `http://${podIP}:8080`;
    const page = await eventually('the dashboard showing the PolicyReport that fails the mutable pod', async () => {
      const response = await fetch(`${base}/`);
      if (response.status !== 200) return undefined;
      const html = await response.text();
      // The pod's findings are in the page's JSON blocks, its namespace in the namespace table.
      return html.includes('data-source="policy-reports"') && html.includes('<tr data-namespace="apps">') && html.includes('"mutable"') ? { html, headers: response.headers } : undefined;
    }, 120_000);
    // The image is built from this checkout, so its page's policy is this checkout's.
    assert.equal(page.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.html, /<time id="rl-read" datetime="[^"]+">/);
    assert.ok(Number(/<div class="card" id="rl-errors"><strong>(\d+)<\/strong>/.exec(page.html)?.[1]) >= 1, 'the mutable pod\'s errors are counted');
    assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 405);
  });

  it('helm upgrade with webhook.mutate, through the running webhook, makes a mutable Deployment immutable on the way in', async () => {
    const n = started();
    await helm(['upgrade', 'rootlock', CHART_DIR(), '--namespace', 'default', '--kubeconfig', n.kubeconfigPath], { ...values, webhook: { mutate: true } });
    const configuration = await n.request('GET', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/rootlock-webhook');
    assert.equal(configuration.status, 200, JSON.stringify(configuration.body));
    // The Deployment rolls to pods serving /mutate; until then the mutating webhook's failurePolicy Ignore lets requests by unmutated.
    const mutated = await eventually('a mutable Deployment is admitted made immutable', async () => {
      const res = await n.request('POST', `/apis/apps/v1/namespaces/${APPS}/deployments?dryRun=All`, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mutated', namespace: APPS },
        spec: {
          selector: { matchLabels: { app: 'mutated' } },
          template: { metadata: { labels: { app: 'mutated' } }, spec: { containers: [{ name: 'app', image: busybox, command: ['sleep', '3600'], resources: { limits: { cpu: '100m', memory: '32Mi' } } }] } },
        },
      });
      return res.status === 201 ? res.body as { spec: { template: { spec: { containers: { securityContext?: Record<string, unknown> }[] } } } } : undefined;
    }, 120_000);
    assert.equal(mutated.spec.template.spec.containers[0]!.securityContext?.['readOnlyRootFilesystem'], true, JSON.stringify(mutated.spec.template.spec));
    await readyPods(n, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook', { count: 2 });
    await readyPods(n, DRIFT, 'app.kubernetes.io/name=rootlock-drift', { count: 1 });
  });
});
