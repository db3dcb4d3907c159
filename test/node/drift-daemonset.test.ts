// Drift detection installed as the README tells users to install it, on a real
// node: rootlock's image pushed to a registry with `skopeo copy`, `rootlock
// drift manifests --image <registry>/rootlock@<digest>` created through the
// API, the kubelet pulling the image, the DaemonSet's pod scanning containerd's real
// overlay snapshots. A container without a read-only root is changed through
// exec; the DaemonSet's log (Falco JSON events) and its metrics name the pod,
// the container and both paths. A read-only container's same attempt fails
// and is not reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAll } from '../helpers/apply.js';
import { runCli } from '../helpers/cli.js';
import { startNode, type Node, type PodLike } from '../helpers/node.js';
import { importDebianImages } from '../helpers/node-images.js';
import { rootlockImage } from '../helpers/rootlock-image.js';
import { assertToolsInstalled, run, startRegistry, type RunningRegistry } from '../registry/registry-server.js';

// `rootlock drift manifests` installs into its own privileged namespace by default.
const SYSTEM = 'rootlock-drift';
const APPS = 'apps';
const INTERVAL_SECONDS = 3;

interface FalcoEvent {
  rule: string;
  priority: string;
  source: string;
  output_fields: Record<string, string | number | null>;
}

function sleeper(name: string, image: string, readOnlyRoot: boolean): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: APPS },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'app', image, imagePullPolicy: 'Never', command: ['sleep', 'infinity'],
        // Root in both, so that only the read-only root can stop the write.
        securityContext: { runAsUser: 0, ...(readOnlyRoot ? { readOnlyRootFilesystem: true } : {}) },
      }],
    },
  };
}

/** The drift pod's events so far: its log holds one Falco JSON event per line (and nothing else on stdout). */
async function driftEvents(node: Node, pod: string): Promise<FalcoEvent[]> {
  const log = await node.logs(SYSTEM, pod, 'drift');
  return log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as FalcoEvent);
}

describe('the drift DaemonSet from rootlock\'s image on a real node', () => {
  let node: Node | undefined;
  let driftPod: PodLike | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-drift-node-'));
  let debian = '';
  let registry: RunningRegistry | undefined;
  const started = (): { node: Node; driftPod: PodLike } => {
    assert.ok(node && driftPod, 'the node or the drift pod did not start');
    return { node, driftPod };
  };

  before(async () => {
    assertToolsInstalled();
    const image = await rootlockImage();
    // As the README says: push the archive to a registry with skopeo, and install with the image pinned by digest.
    registry = await startRegistry({ dir: mkdtempSync(join(work, 'registry-')), auth: { kind: 'none' } });
    const pushed = `${registry.host}/rootlock:${image.reference.split(':').pop()}`;
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${image.archivePath}`, `docker://${pushed}`]);
    node = await startNode();
    ({ python: debian } = await importDebianImages(node, join(work, 'images')));
    // This node's containerd keeps its root and state in the node's own directory, as k3s keeps them in its own.
    const manifests = await runCli(['drift', 'manifests', '--image', `${pushed}@${image.digest}`, '--interval', `${INTERVAL_SECONDS}s`,
      '--containerd-root', node.containerdDirs.root, '--containerd-state', node.containerdDirs.state], { cwd: work });
    assert.equal(manifests.code, 0, manifests.stderr);
    writeFileSync(join(work, 'drift.yaml'), manifests.stdout);
    await createAll(node, manifests.stdout);
    const ns = await node.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } });
    assert.equal(ns.status, 201, JSON.stringify(ns.body));
    for (const pod of [sleeper('mutable', debian, false), sleeper('locked', debian, true)]) {
      const created = await node.request('POST', `/api/v1/namespaces/${APPS}/pods`, pod);
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const deadline = Date.now() + 120_000;
    while (!driftPod && Date.now() < deadline) {
      const list = await node.request('GET', `/api/v1/namespaces/${SYSTEM}/pods?labelSelector=${encodeURIComponent('app.kubernetes.io/name=rootlock-drift')}`);
      driftPod = ((list.body as { items?: PodLike[] }).items ?? [])[0];
      if (!driftPod) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(driftPod, 'the DaemonSet made no pod');
    driftPod = await node.waitForPod(SYSTEM, driftPod.metadata.name, 'Ready');
    // The kubelet pulled it from the registry, by the digest the build printed.
    const status = (driftPod.status?.containerStatuses ?? []) as { imageID?: string }[];
    assert.match(status[0]?.imageID ?? '', new RegExp(`@${image.digest}$`), JSON.stringify(status));
    await node.waitForPod(APPS, 'mutable', 'Ready');
    await node.waitForPod(APPS, 'locked', 'Ready');
  });
  after(async () => {
    await node?.stop();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('its manifests pass rootlock\'s own audit, with the scanner\'s two reviewed exemptions', async () => {
    const audit = await runCli(['audit', '--no-config', 'drift.yaml'], { cwd: work });
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
  });

  it('names the pod, the container and both paths when an exec adds a binary to /usr/bin and edits /etc, within the interval', async () => {
    const { node: n, driftPod: drift } = started();
    const before = await driftEvents(n, drift.metadata.name);
    assert.equal(before.filter((e) => e.output_fields['k8s.pod.name'] === 'mutable').length, 0, 'nothing drifted before the exec');

    const changed = await n.exec(APPS, 'mutable', 'app', ['sh', '-c', 'cp /bin/ls /usr/bin/rootlock-drift-test && echo "intruder:x:0:0::/:/bin/sh" >> /etc/passwd']);
    assert.equal(changed.exitCode, 0, changed.stderr);
    const changedAt = Date.now();

    const wanted = ['/usr/bin/rootlock-drift-test', '/etc/passwd'];
    let mine: FalcoEvent[] = [];
    while (Date.now() - changedAt < 60_000) {
      mine = (await driftEvents(n, drift.metadata.name)).filter((e) => e.output_fields['k8s.pod.name'] === 'mutable');
      if (wanted.every((path) => mine.some((e) => e.output_fields['fd.name'] === path))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seenAfter = Date.now() - changedAt;
    const byPath = new Map(mine.map((e) => [String(e.output_fields['fd.name']), e]));
    for (const path of wanted) assert.ok(byPath.has(path), `no event for ${path}: ${JSON.stringify(mine)}`);
    // The next scan sees it: at most one interval, plus the scan and the log's way through the API.
    const scanned = [...byPath.values()].map((e) => Date.parse(String(e.output_fields['evt.time.iso8601'])) - changedAt);
    const timing = (await (await fetch(`http://${drift.status?.podIP}:9847/metrics`)).text()).split('\n').filter((l) => /duration|rescanned|containers /.test(l) && !l.startsWith('#'));
    assert.ok(seenAfter < 2 * INTERVAL_SECONDS * 1000 + 5000, `seen ${seenAfter} ms after the change (scans at ${scanned.join(', ')} ms), the interval is ${INTERVAL_SECONDS}s; ${timing.join('; ')}`);

    const binary = byPath.get('/usr/bin/rootlock-drift-test')!;
    assert.equal(binary.source, 'rootlock');
    assert.equal(binary.output_fields['rootlock.class'], 'executable');
    assert.equal(binary.output_fields['rootlock.change'], 'added');
    assert.equal(byPath.get('/etc/passwd')!.output_fields['rootlock.class'], 'config');
    for (const event of byPath.values()) {
      assert.equal(event.output_fields['k8s.ns.name'], APPS);
      assert.equal(event.output_fields['container.name'], 'app');
      assert.equal(event.output_fields['container.image.repository'], debian.slice(0, debian.lastIndexOf(':')));
    }
    assert.equal(mine.length, new Set(mine.map((e) => `${e.output_fields['fd.name']} ${e.rule}`)).size, 'each drift is logged once');

    const metrics = await (await fetch(`http://${drift.status?.podIP}:9847/metrics`)).text();
    assert.match(metrics, new RegExp(`^rootlock_drift_changes\\{namespace="${APPS}",pod="mutable",container="app",image="[^"]+",class="executable"\\} [1-9]\\d*$`, 'm'), metrics);
    assert.match(metrics, new RegExp(`^rootlock_drift_changes\\{namespace="${APPS}",pod="mutable",container="app",image="[^"]+",class="config"\\} [1-9]\\d*$`, 'm'), metrics);
  });

  it('a read-only container\'s same attempt fails and is not reported as drift', async () => {
    const { node: n, driftPod: drift } = started();
    const attempt = await n.exec(APPS, 'locked', 'app', ['sh', '-c', 'cp /bin/ls /usr/bin/rootlock-drift-test; echo "intruder:x:0:0::/:/bin/sh" >> /etc/passwd']);
    assert.notEqual(attempt.exitCode, 0);
    assert.match(attempt.stderr, /Read-only file system/);
    // Two whole intervals: the scanner has looked at the container since the attempt.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_SECONDS * 1000 + 1000));
    const events = await driftEvents(n, drift.metadata.name);
    assert.deepEqual(events.filter((e) => e.output_fields['k8s.pod.name'] === 'locked'), []);
    const metrics = await (await fetch(`http://${drift.status?.podIP}:9847/metrics`)).text();
    assert.doesNotMatch(metrics, /pod="locked"/);
    // The scanner does see the container (its overlay has an upper layer, empty): it is counted, not skipped.
    assert.match(metrics, /^rootlock_drift_containers [1-9]\d*$/m);
  });
});
