// The test node runs real pods: scheduled by kube-scheduler, run by the kubelet
// through containerd and runc, networked by the CNI bridge plugin; logs and exec
// go through the API server to the kubelet. After stop() nothing of the node's
// is left on the machine.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/control-plane.js';
import { startNode, type Node } from '../helpers/node.js';
import { bridgePorts, mountsUnder, nodeCgroups, nodeIptablesLines, nodeProcesses } from '../helpers/node-host.js';
import { BUSYBOX_IMAGE, importBusyboxImage, importDebianImages, PAUSE_IMAGE } from '../helpers/node-images.js';

const NAMESPACE = 'default';

function pod(name: string, image: string, extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image, imagePullPolicy: 'Never', ...extra }],
    },
  };
}

/** Running, not a zombie: a shim's parent is PID 1 by the time it exits, which reaps it when it gets to it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function describeProcess(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').trim().slice(0, 80);
  } catch {
    return `${pid} (gone)`;
  }
}

describe('a real node', () => {
  let node: Node | undefined;
  const work = mkdtempSync(join(tmpdir(), 'rootlock-node-test-'));
  const started = (): Node => {
    assert.ok(node, 'the node did not start');
    return node;
  };

  before(async () => {
    node = await startNode();
  });
  after(async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs a pod of the pause image', async () => {
    const n = started();
    const res = await n.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod('pause', PAUSE_IMAGE));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const running = await n.waitForPod(NAMESPACE, 'pause', 'Ready');
    assert.equal(running.spec?.nodeName, 'localhost');
    assert.match(running.status?.podIP ?? '', /^10\.217\.\d+\.\d+$/);
  });

  it('runs a busybox pod; its logs and exec work through the API', async () => {
    const n = started();
    await importBusyboxImage(n, work);
    const res = await n.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod('busybox', BUSYBOX_IMAGE));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await n.waitForPod(NAMESPACE, 'busybox', 'Ready');
    let logs = '';
    for (let i = 0; i < 40 && !logs.includes('ready'); i++) {
      logs = await n.logs(NAMESPACE, 'busybox', 'app');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(logs, /kept=yes new=fresh user=1000:1000/);
    const result = await n.exec(NAMESPACE, 'busybox', 'app', ['cat', '/tmp/started']);
    assert.deepEqual(result, { stdout: 'started\n', stderr: '', exitCode: 0 });
    const failed = await n.exec(NAMESPACE, 'busybox', 'app', ['sh', '-c', 'echo oops >&2; exit 3']);
    assert.deepEqual(failed, { stdout: '', stderr: 'oops\n', exitCode: 3 });
  });

  it('leaves nothing behind after stop()', async () => {
    const n = started();
    const host = n.host;
    const veths = bridgePorts(host);
    assert.ok(veths.length >= 2, 'the pods have veths on the bridge');
    const processes = nodeProcesses(host);
    assert.ok(processes.includes(n.pids.containerd) && processes.includes(n.pids.kubelet));
    assert.ok(processes.length > 4, 'shims and container processes are found too');
    assert.ok(mountsUnder(host.dir).length > 0);
    assert.ok(nodeCgroups(host).length > 0);
    assert.ok(nodeIptablesLines(host).some((line) => line.includes('-d 10.0.0.1/32') && line.includes('-j DNAT')), 'the `kubernetes` Service rule is there while the node runs');
    await n.stop();
    assert.deepEqual(nodeProcesses(host), []);
    assert.deepEqual(processes.filter(alive).map(describeProcess), [], 'every process the node had is gone');
    assert.deepEqual(veths.filter((veth) => existsSync(`/sys/class/net/${veth}`)), [], 'no veth is left');
    assert.deepEqual(mountsUnder(host.dir), []);
    assert.deepEqual(nodeCgroups(host), []);
    assert.deepEqual(nodeIptablesLines(host), []);
    assert.equal(existsSync(`/sys/class/net/${host.bridge}`), false);
    assert.equal(existsSync(host.dir), false);
    const cniResults = '/var/lib/cni/results';
    const results = existsSync(cniResults) ? readdirSync(cniResults).filter((name) => readFileSync(join(cniResults, name), 'utf8').includes(host.dir)) : [];
    assert.deepEqual(results, [], 'no CNI result of the node is cached');
  });
});

describe('a real node with the Debian images', () => {
  it('runs the nginx image until Ready (its port answers the kubelet\'s probe), also on a loopback hostPort', async (t) => {
    const node = await startNode({ t });
    const work = mkdtempSync(join(tmpdir(), 'rootlock-node-debian-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    const { nginx } = await importDebianImages(node, work);
    const hostPort = await freePort();
    const res = await node.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod('nginx', nginx, {
      readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
      // Through the portmap plugin's DNAT, on loopback only.
      ports: [{ containerPort: 80, hostPort, hostIP: '127.0.0.1' }],
    }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const ready = await node.waitForPod(NAMESPACE, 'nginx', 'Ready', 180_000);
    const page = await fetch(`http://${ready.status?.podIP}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /nginx/i);
    const viaHostPort = await fetch(`http://127.0.0.1:${hostPort}/`);
    assert.equal(viaHostPort.status, 200);
    assert.ok(nodeIptablesLines(node.host).length > 0, 'portmap added rules for the hostPort');
    await node.stop();
    assert.deepEqual(nodeIptablesLines(node.host), [], 'no iptables rule of the node is left');
  });
});
