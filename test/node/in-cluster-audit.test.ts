// `rootlock audit --cluster` as a Job on a real node, installed as the README
// says: rootlock's image pushed to a registry with skopeo, the ClusterRole of
// deploy/rbac and the Job of deploy/audit applied with the image pinned by
// digest. The Job's pod reads the API server through the `kubernetes`
// Service with its own token, audits the pods it runs beside, and reports
// the webhook's and the drift DaemonSet's own workloads clean while a mutable
// pod in another namespace fails the run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAll } from '../helpers/apply.js';
import { runCli } from '../helpers/cli.js';
import { readyPod } from '../helpers/ready-pods.js';
import { startNode, type Node, type PodLike } from '../helpers/node.js';
import { importDebianImages } from '../helpers/node-images.js';
import { repoRoot } from '../helpers/repo.js';
import { rootlockImage } from '../helpers/rootlock-image.js';
import { assertToolsInstalled, run, startRegistry, type RunningRegistry } from '../registry/registry-server.js';

const SYSTEM = 'rootlock-system';
const DRIFT = 'rootlock-drift';
const APPS = 'apps';
const SHIPPED_IMAGE = 'ghcr.io/rootlock/rootlock:0.1.0';
const AUDIT_IDENTITY = `system:serviceaccount:${SYSTEM}:rootlock-audit`;

interface PodList { items: PodLike[] }
interface JobStatus { status?: { succeeded?: number; failed?: number; conditions?: { type: string; status: string; reason?: string }[] } }

/** What the API server's authorizer answers for the audit's ServiceAccount. */
async function mayAudit(node: Node, verb: string, resource: string, namespace?: string): Promise<boolean> {
  const review = await node.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: {
      user: AUDIT_IDENTITY,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${SYSTEM}`, 'system:authenticated'],
      resourceAttributes: { verb, resource, ...(namespace ? { namespace } : {}) },
    },
  });
  assert.equal(review.status, 201, JSON.stringify(review.body));
  return (review.body as { status: { allowed: boolean } }).status.allowed;
}

/** The text report's findings per object header ("  Kind namespace/name"). */
function findingsByObject(report: string): Map<string, string[]> {
  const byObject = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of report.split('\n')) {
    const header = /^ {2}(\w+) (\S+)$/.exec(line);
    if (header) {
      current = `${header[1]} ${header[2]}`;
      byObject.set(current, []);
      continue;
    }
    const finding = /^ {4}(error|warning|info|exempt)\s+(\S+)/.exec(line);
    if (finding && current) byObject.get(current)!.push(`${finding[1]} ${finding[2]}`);
  }
  return byObject;
}

describe('rootlock audit --cluster as a Job on a real node', () => {
  let node: Node | undefined;
  let registry: RunningRegistry | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-audit-node-'));
  let report = '';
  let jobStatus: JobStatus['status'];

  before(async () => {
    assertToolsInstalled();
    const image = await rootlockImage();
    registry = await startRegistry({ dir: mkdtempSync(join(work, 'registry-')), auth: { kind: 'none' } });
    const pushed = `${registry.host}/rootlock:0.1.0`;
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${image.archivePath}`, `docker://${pushed}`]);
    const pinned = `${pushed}@${image.digest}`;
    node = await startNode();
    const { python } = await importDebianImages(node, join(work, 'images'));

    // A mutable pod, created before the webhook would refuse it: what the audit must find.
    assert.equal((await node.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } })).status, 201);
    const mutable = await node.request('POST', `/api/v1/namespaces/${APPS}/pods`, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mutable', namespace: APPS },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: python, imagePullPolicy: 'Never', command: ['sleep', 'infinity'] }] },
    });
    assert.equal(mutable.status, 201, JSON.stringify(mutable.body));

    // The webhook and the drift DaemonSet, as their install tests put them there.
    const certs = await runCli(['webhook', 'certs', '-o', 'certs'], { cwd: work });
    assert.equal(certs.code, 0, certs.stderr);
    const webhook = await runCli(['webhook', 'manifests', '--image', pinned, '--certs', 'certs', '--replicas', '1'], { cwd: work });
    assert.equal(webhook.code, 0, webhook.stderr);
    await createAll(node, webhook.stdout);
    await readyPod(node, SYSTEM, 'app.kubernetes.io/name=rootlock-webhook');
    // Its own namespace: its host mounts need the privileged Pod Security level, the webhook's is restricted.
    const drift = await runCli(['drift', 'manifests', '-n', DRIFT, '--image', pinned, '--containerd-root', node.containerdDirs.root, '--containerd-state', node.containerdDirs.state], { cwd: work });
    assert.equal(drift.code, 0, drift.stderr);
    // The webhook admits it now: its two findings are waived in the pod template with the reason.
    await createAll(node, drift.stdout);
    await readyPod(node, DRIFT, 'app.kubernetes.io/name=rootlock-drift');
    await node.waitForPod(APPS, 'mutable', 'Ready');

    // The README's commands: the ClusterRole, then the Job with the image pinned (the sed of the README).
    await createAll(node, readFileSync(join(repoRoot(), 'deploy', 'rbac', 'audit-clusterrole.yaml'), 'utf8'));
    const job = readFileSync(join(repoRoot(), 'deploy', 'audit', 'audit-job.yaml'), 'utf8');
    assert.ok(job.includes(SHIPPED_IMAGE), `deploy/audit/audit-job.yaml names ${SHIPPED_IMAGE}`);
    await createAll(node, job.split(SHIPPED_IMAGE).join(pinned));

    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      jobStatus = ((await node.request('GET', `/apis/batch/v1/namespaces/${SYSTEM}/jobs/rootlock-audit`)).body as JobStatus).status;
      if (jobStatus?.succeeded || jobStatus?.failed) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const pods = ((await node.request('GET', `/api/v1/namespaces/${SYSTEM}/pods?labelSelector=${encodeURIComponent('job-name=rootlock-audit')}`)).body as PodList).items ?? [];
    assert.equal(pods.length, 1, `the Job ran one pod: ${JSON.stringify(jobStatus)}`);
    report = await node.logs(SYSTEM, pods[0]!.metadata.name, 'audit');
  });
  after(async () => {
    await node?.stop();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('its manifest, with the image pinned, passes rootlock\'s own audit', async () => {
    const job = readFileSync(join(repoRoot(), 'deploy', 'audit', 'audit-job.yaml'), 'utf8');
    const pinnedJob = join(work, 'audit-job.yaml');
    writeFileSync(pinnedJob, job.split(SHIPPED_IMAGE).join(`registry.example/rootlock:0.1.0@sha256:${'a'.repeat(64)}`));
    const audit = await runCli(['audit', '--no-config', '--fail-on', 'warning', pinnedJob, join(repoRoot(), 'deploy', 'rbac', 'audit-clusterrole.yaml')], { cwd: work });
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
  });

  it('reads the cluster from its pod and fails the run on the mutable pod beside it', () => {
    assert.equal(jobStatus?.failed, 1, `the Job fails when a mutable container is found: ${JSON.stringify(jobStatus)}\n${report}`);
    const byObject = findingsByObject(report);
    const mutable = byObject.get(`Pod ${APPS}/mutable`);
    assert.ok(mutable?.includes('error read-only-root-filesystem'), report);
    // In the pod, with the standard in-cluster configuration: the `kubernetes` Service and the pod's own token.
    assert.match(report, /cluster in-cluster \(https:\/\/10\.0\.0\.1:443\), all namespaces, .* 0 input error\(s\)/, report);
    assert.doesNotMatch(report, /forbidden|Unauthorized/i, 'no API access problem');
  });

  it('reports the webhook\'s and the drift DaemonSet\'s own workloads, and the Job\'s, clean', () => {
    const byObject = findingsByObject(report);
    const ours = [SYSTEM, DRIFT];
    const system = [...byObject.entries()].filter(([object]) => ours.some((ns) => object.includes(` ${ns}/`) || object === `Namespace ${ns}`));
    assert.deepEqual(system.filter(([, findings]) => findings.some((f) => /^(error|warning) /.test(f))), [], report);
    // They were audited, not missed: their reviewed exemptions are listed with them.
    const exemptions = Object.fromEntries(system.map(([object, findings]) => [object, findings.filter((f) => f.startsWith('exempt ')).map((f) => f.slice(7)).sort()]));
    assert.deepEqual(exemptions[`DaemonSet ${DRIFT}/rootlock-drift`], ['no-added-capabilities', 'no-added-capabilities'], report);
    assert.deepEqual(exemptions[`Job ${SYSTEM}/rootlock-audit`], ['no-service-account-token-automount'], report);
    assert.deepEqual(exemptions[`Namespace ${DRIFT}`], ['namespace-pod-security'], report);
    // The webhook's Deployment has nothing to report, so the report names it nowhere; it was read (4 workloads:
    // the webhook, the drift DaemonSet, the Job, the mutable pod).
    assert.match(report, / 4 workload\(s\)/, report);
    assert.doesNotMatch(report, /rootlock-webhook/, report);
  });

  it('may read what it audits and no Secret', async () => {
    const n = node!;
    assert.equal(await mayAudit(n, 'list', 'pods'), true);
    assert.equal(await mayAudit(n, 'watch', 'deployments'), false, 'deployments are in group apps, not core');
    assert.equal(await mayAudit(n, 'get', 'secrets', SYSTEM), false);
    assert.equal(await mayAudit(n, 'list', 'secrets'), false);
    assert.equal(await mayAudit(n, 'list', 'configmaps'), false);
    assert.equal(await mayAudit(n, 'create', 'pods', APPS), false);
  });
});
