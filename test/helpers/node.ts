// A real single-node Kubernetes cluster for tests: the control plane of
// test/helpers/control-plane.ts with kube-scheduler, plus containerd (runc,
// overlayfs, CNI bridge networking) and a kubelet that registers as Node
// `localhost`. Pods are scheduled, their images unpacked, their containers run.
//
//   import { startNode } from '../helpers/node.js';
//   const node = await startNode({ t });          // or in before(); after(() => node.stop()) in the describe body
//   await node.importImage(archive, { baseName: 'localhost/rootlock-test/busybox' }); // an OCI archive
//   await node.request('POST', '/api/v1/namespaces/default/pods', pod);  // imagePullPolicy: Never
//   await node.waitForPod('default', 'web', 'Ready');
//   await node.exec('default', 'web', 'app', ['cat', '/etc/hostname']);  // { stdout, stderr, exitCode }, through the API
//   await node.logs('default', 'web', 'app');                            // through the API
//   node.crictl('ps', '-a');                                             // the runtime's own view
//   await node.stop();
//
// No image registry is reachable: images come in with importImage (OCI
// archives; test/helpers/node-images.ts makes the pause, busybox and Debian
// nginx/python ones), and pods use imagePullPolicy Never or IfNotPresent.
// The sandbox (pause) image is localhost/rootlock-test/pause:1, imported at start.
//
// Needs root, cgroups (v1 works: failCgroupV1 is false), overlayfs, iptables,
// bridge and veth support; see docs/development.md, "A real node". Nodes are
// independent: each has its own directory, bridge, pod subnet, cgroupRoot and
// ports (test/helpers/node-host.ts), so test files may run nodes at once.
// Pods reach each other and the host on their bridge, and the API server as
// the `kubernetes` Service (node-api-route.ts); nothing is forwarded or
// masqueraded, so pod traffic never leaves the machine.
//
// Binaries come from test/k8s/build.sh (kubelet, kube-scheduler, the control
// plane) and test/node/build.sh (containerd, runc, CNI plugins, crictl, pause),
// built when missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import {
  SERVICE_CLUSTER_IP_RANGE, freePort, logTail, startControlPlane, startProcess, stopProcess, waitFor,
  type ApiResponse, type ControlPlane, type Started,
} from './control-plane.js';
import { claimHost, releaseHost, type NodeHost } from './node-host.js';
import { routeApiServerToPods, type ApiRoute } from './node-api-route.js';
import { writePauseImage, PAUSE_IMAGE } from './node-images.js';
import { repoRoot } from './repo.js';

/** The Node's name; it is also the address the API server dials for logs and exec (the kubelet serves on 127.0.0.1). */
export const NODE_NAME = 'localhost';

export interface NodeBinaries {
  containerd: string;
  containerdShim: string;
  ctr: string;
  runc: string;
  cniBinDir: string;
  crictl: string;
  pause: string;
  versions: { containerd: string; runc: string; cniPlugins: string; crictl: string };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The command's exit code (0 on success), as the API server's status reports it. */
  exitCode: number;
}

export interface PodLike {
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: unknown[] };
}

export interface Node {
  name: string;
  /** An admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  controlPlane: ControlPlane;
  /** One request to the API server as the admin user. */
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Imports an OCI archive into the node's image store; returns the names the images now have. */
  importImage(archivePath: string, options?: { baseName?: string }): Promise<string[]>;
  /** Runs a command in a container through the API server (the exec subresource over a WebSocket) and collects its output. */
  exec(namespace: string, pod: string, container: string, command: string[]): Promise<ExecResult>;
  /** A container's log through the API server (the pod's log subresource). */
  logs(namespace: string, pod: string, container?: string): Promise<string>;
  /** Polls a Pod until it is Running (phase) or Ready (condition); fails with its status and events otherwise. */
  waitForPod(namespace: string, name: string, until: 'Running' | 'Ready', timeoutMs?: number): Promise<PodLike>;
  /** Runs crictl against this node's containerd; returns its stdout. */
  crictl(...args: string[]): string;
  crictlPath: string;
  /** crictl's configuration for this node: `crictl --config <path> ps`. */
  crictlConfigPath: string;
  /** What the node holds on the machine (directory, bridge, subnet, cgroupRoot): for tests that check it is all gone after stop(). */
  host: NodeHost;
  /** containerd's and the kubelet's process ids. */
  pids: { containerd: number; kubelet: number };
  /** containerd's `root` (snapshots: the containers' overlay layers) and `state` (task bundles) directories. */
  containerdDirs: { root: string; state: string };
  /**
   * Deletes the pods, stops the kubelet, removes every sandbox and container,
   * stops containerd, kills what is left (shims, container processes), unmounts
   * everything under the node's directory, deletes the bridge and veths, the
   * CNI iptables rules, the cgroups and the directory, then stops the control
   * plane. Safe to call twice.
   */
  stop(): Promise<void>;
}

export interface NodeOptions {
  /** A node:test TestContext: stop() becomes its after-hook. */
  t?: { after(fn: () => Promise<void>): void };
  /** How long to wait for the Node to become Ready, in ms (default 120 s). */
  readyTimeoutMs?: number;
}

const BUILD_SCRIPT = (): string => join(repoRoot(), 'test', 'node', 'build.sh');

/** Where test/node/build.sh puts the runtime's binaries, building them if they are missing. */
export function nodeBinaries(): NodeBinaries {
  const read = (): Map<string, string> => new Map(
    execFileSync('bash', [BUILD_SCRIPT(), '--print-paths'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const vars = read();
  const need = (key: string): string => {
    const value = vars.get(key);
    if (!value) throw new Error(`test/node/build.sh --print-paths did not print ${key}`);
    return value;
  };
  const binaries: NodeBinaries = {
    containerd: need('CONTAINERD'),
    containerdShim: need('CONTAINERD_SHIM'),
    ctr: need('CTR'),
    runc: need('RUNC'),
    cniBinDir: need('CNI_BIN_DIR'),
    crictl: need('CRICTL'),
    pause: need('PAUSE'),
    versions: { containerd: need('CONTAINERD_VERSION'), runc: need('RUNC_VERSION'), cniPlugins: need('CNI_PLUGINS_VERSION'), crictl: need('CRICTL_VERSION') },
  };
  const paths = [binaries.containerd, binaries.containerdShim, binaries.ctr, binaries.runc, binaries.crictl, binaries.pause,
    ...['bridge', 'host-local', 'loopback', 'portmap'].map((plugin) => join(binaries.cniBinDir, plugin))];
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    process.stderr.write(`node binaries missing (${missing.join(', ')}): running ${BUILD_SCRIPT()}, this takes minutes\n`);
    execFileSync('bash', [BUILD_SCRIPT()], { stdio: ['ignore', process.stderr, process.stderr] });
  }
  return binaries;
}

function containerdConfig(dir: string, binaries: NodeBinaries): string {
  const q = (value: string): string => JSON.stringify(value);
  // Every path containerd would otherwise take from the machine (/var/lib/containerd, /run/containerd,
  // /opt/containerd, /etc/cni/net.d, /var/run/netns, the shims' /run/containerd/s) is the node's own.
  return `version = 3
root = ${q(join(dir, 'containerd', 'root'))}
state = ${q(join(dir, 'containerd', 'state'))}
imports = []
# NRI listens on a fixed machine-wide socket; the other snapshotters and the opt plugin want paths of the machine.
disabled_plugins = [
  'io.containerd.nri.v1.nri',
  'io.containerd.internal.v1.opt',
  'io.containerd.snapshotter.v1.blockfile',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.erofs',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.differ.v1.erofs',
  'io.containerd.mount-handler.v1.erofs',
  'io.containerd.image-verifier.v1.bindir',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
]

[grpc]
  address = ${q(join(dir, 'containerd.sock'))}

[ttrpc]
  address = ${q(join(dir, 'containerd.sock.ttrpc'))}

[plugins]
  [plugins.'io.containerd.shim.v1.manager']
    socket_dir = ${q(join(dir, 's'))}

  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = ${q(PAUSE_IMAGE)}

  [plugins.'io.containerd.cri.v1.runtime']
    netns_mounts_under_state_dir = true
    # Without CAP_SYS_RESOURCE (missing from this machine's bounding set) no process may lower its oom_score_adj,
    # and runc fails on the kubelet's -998 for the sandbox: keep every container's at or above containerd's own.
    restrict_oom_score_adj = true
    cdi_spec_dirs = []
    enable_criu = false
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = 'io.containerd.runc.v2'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = ${q(binaries.runc)}
          Root = ${q(join(dir, 'containerd', 'runc'))}
          SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = [${q(binaries.cniBinDir)}]
      conf_dir = ${q(join(dir, 'cni', 'net.d'))}

  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = '127.0.0.1'
    stream_server_port = '0'
`;
}

/** The pods' network: the node's own bridge (made with its gateway address by node-host), host-local IPAM, portmap for hostPort. */
function cniConfig(dir: string, host: NodeHost): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: host.networkName,
    plugins: [
      {
        type: 'bridge',
        bridge: host.bridge,
        // No isGateway (it turns on IP forwarding) and no ipMasq: pods reach each other and the host on the bridge, nothing more.
        isGateway: false,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: host.subnet, rangeStart: host.subnet.replace(/0\/24$/, '10'), rangeEnd: host.subnet.replace(/0\/24$/, '250') }]],
          // Only the Services' range goes to the host, where the `kubernetes` Service is answered (node-api-route.ts); no default route.
          routes: [{ dst: SERVICE_CLUSTER_IP_RANGE, gw: host.gateway }],
          dataDir: join(dir, 'cni', 'ipam'),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, backend: 'iptables' },
    ],
  }, null, 2) + '\n';
}

function kubeletConfig(dir: string, host: NodeHost, port: number, healthzPort: number, caPath: string, serving: { certPath: string; keyPath: string }): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // This machine's cgroups are v1 (hybrid); the kubelet refuses them unless told otherwise.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: host.cgroupRoot,
    cgroupsPerQOS: true,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${join(dir, 'containerd.sock')}`,
    address: '127.0.0.1',
    port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort,
    tlsCertFile: serving.certPath,
    tlsPrivateKeyFile: serving.keyPath,
    // The API server authenticates with its kubelet client certificate; every request is authorized by the API server.
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caPath } },
    authorization: { mode: 'Webhook' },
    // A busy shared disk must not evict test pods, nor garbage-collect their imported images (they cannot be pulled again).
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '0%', 'nodefs.inodesFree': '0%', 'imagefs.available': '0%', 'imagefs.inodesFree': '0%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    podLogsDir: join(dir, 'kubelet', 'pod-logs'),
    volumePluginDir: join(dir, 'kubelet', 'volume-plugins'),
    // KUBE-FIREWALL and friends are for kube-proxy, which this node does not run; they would be machine-wide.
    makeIPTablesUtilChains: false,
    // Graceful node shutdown talks to systemd-logind; there is none.
    shutdownGracePeriod: '0s',
    shutdownGracePeriodCriticalPods: '0s',
    serializeImagePulls: false,
    resolvConf: '/etc/resolv.conf',
  }, null, 2) + '\n';
}

function kubeconfig(server: string, caPem: string, user: string, certPem: string, keyPem: string): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'rootlock-test', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
    contexts: [{ name: 'rootlock-test', context: { cluster: 'rootlock-test', user } }],
    'current-context': 'rootlock-test',
  }, null, 2) + '\n';
}

interface NodeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

function nodeReady(node: NodeObject): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Starts the control plane, containerd and the kubelet, and waits until Node `localhost` is Ready. */
export async function startNode(options: NodeOptions = {}): Promise<Node> {
  const binaries = nodeBinaries();
  // Short: the shims' sockets live in <dir>/s/<64 hex digits> and a socket path has at most 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'rlnode-'));
  if (dir.length > 36) throw new Error(`the node's directory ${dir} is too long for its sockets: point TMPDIR at a shorter path`);
  const host = claimHost(dir);
  const processes: Started[] = [];
  let controlPlane: ControlPlane | undefined;
  let apiRoute: ApiRoute | undefined;
  let stopped: Promise<void> | undefined;

  const onExit = (): void => {
    releaseHost(host);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);

  const crictlConfigPath = join(dir, 'crictl.yaml');
  const crictl = (...args: string[]): string =>
    execFileSync(binaries.crictl, ['--config', crictlConfigPath, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ctr = (...args: string[]): string =>
    execFileSync(binaries.ctr, ['--address', join(dir, 'containerd.sock'), '--namespace', 'k8s.io', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const find = (name: string): Started | undefined => processes.find((p) => p.name === name);

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const cp = controlPlane;
      const kubelet = find('kubelet');
      const containerd = find('containerd');
      if (cp && kubelet?.exitStatus === undefined) {
        // Deleted at once in the API; the kubelet is stopped next, and the runtime cleans up what it ran.
        await cp.request('DELETE', '/api/v1/pods?gracePeriodSeconds=0').catch(() => undefined);
        const namespaces = await cp.request('GET', '/api/v1/namespaces').catch(() => undefined);
        for (const ns of (namespaces?.body as { items?: { metadata: { name: string } }[] } | undefined)?.items ?? []) {
          await cp.request('DELETE', `/api/v1/namespaces/${ns.metadata.name}/pods?gracePeriodSeconds=0`).catch(() => undefined);
        }
      }
      if (kubelet) await stopProcess(kubelet);
      if (containerd && containerd.exitStatus === undefined) {
        // Stopping a sandbox kills its containers and runs CNI DEL (veth, IP, portmap rules); removing it unmounts its shm and netns.
        try {
          crictl('rmp', '--force', '--all');
          crictl('rm', '--force', '--all');
        } catch (error) {
          process.stderr.write(`test node: crictl cleanup: ${(error as Error).message}\n`);
        }
      }
      if (containerd) await stopProcess(containerd);
      await apiRoute?.stop();
      // Shims, container processes, mounts, veths, bridge, iptables, cgroups, the directory.
      releaseHost(host);
      await cp?.stop();
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    })();
    return stopped;
  };

  try {
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    controlPlane = await startControlPlane({ forNode: true, readyTimeoutMs: timeoutMs });
    const cp = controlPlane;
    apiRoute = await routeApiServerToPods(host, cp.server);
    const pki = join(dir, 'pki');
    mkdirSync(pki);
    const caPath = join(pki, 'ca.crt');
    writeFileSync(caPath, cp.caCertPem);
    // The Node authorizer and NodeRestriction know a kubelet by this name and group.
    const client = cp.issueCertificate(pki, 'kubelet-client', `/O=system:nodes/CN=system:node:${NODE_NAME}`, ['extendedKeyUsage=clientAuth']);
    const serving = cp.issueCertificate(pki, 'kubelet-serving', `/CN=${NODE_NAME}`, ['extendedKeyUsage=serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);

    mkdirSync(join(dir, 'cni', 'net.d'), { recursive: true });
    writeFileSync(join(dir, 'cni', 'net.d', '10-rootlock.conflist'), cniConfig(dir, host));
    writeFileSync(join(dir, 'containerd.toml'), containerdConfig(dir, binaries));
    writeFileSync(crictlConfigPath, `runtime-endpoint: unix://${join(dir, 'containerd.sock')}\nimage-endpoint: unix://${join(dir, 'containerd.sock')}\ntimeout: 30\n`);
    const logs = join(dir, 'logs');
    mkdirSync(logs);

    // containerd finds containerd-shim-runc-v2 on its PATH.
    const containerdDir = binaries.containerd.slice(0, binaries.containerd.lastIndexOf('/'));
    const containerd = startProcess('containerd', binaries.containerd, ['--config', join(dir, 'containerd.toml')], 0, logs,
      { ...process.env, PATH: `${containerdDir}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` });
    processes.push(containerd);
    await waitFor('containerd CRI', processes, timeoutMs, async () => {
      crictl('info');
      return true;
    });
    const pauseArchive = writePauseImage(join(dir, 'images'), binaries.pause);
    ctr('images', 'import', '--base-name', PAUSE_IMAGE.slice(0, PAUSE_IMAGE.lastIndexOf(':')), pauseArchive);

    const kubeletDir = join(dir, 'kubelet');
    mkdirSync(kubeletDir, { recursive: true });
    writeFileSync(join(kubeletDir, 'kubeconfig'), kubeconfig(cp.server, cp.caCertPem, `system:node:${NODE_NAME}`,
      readFileSync(client.certPath, 'utf8'), readFileSync(client.keyPath, 'utf8')), { mode: 0o600 });
    const port = await freePort();
    const healthzPort = await freePort();
    writeFileSync(join(kubeletDir, 'config.json'), kubeletConfig(dir, host, port, healthzPort, caPath, serving));
    const kubelet = startProcess('kubelet', cp.binaries.kubelet, [
      `--config=${join(kubeletDir, 'config.json')}`,
      `--kubeconfig=${join(kubeletDir, 'kubeconfig')}`,
      `--root-dir=${join(kubeletDir, 'root')}`,
      `--cert-dir=${join(kubeletDir, 'pki')}`,
      `--hostname-override=${NODE_NAME}`,
      // The bridge's address: a real interface of the node's (the kubelet refuses a loopback node IP).
      `--node-ip=${host.gateway}`,
      '--v=2',
    ], port, logs);
    processes.push(kubelet);
    await waitFor(`Node ${NODE_NAME} Ready`, processes, timeoutMs, async () => {
      const res = await cp.request('GET', `/api/v1/nodes/${NODE_NAME}`);
      return res.status === 200 && nodeReady(res.body as NodeObject);
    });
    // The ServiceAccount admission plugin refuses Pods in a namespace until the controller manager has made its
    // `default` ServiceAccount; the default namespace's is there before startNode returns.
    await waitFor('the default ServiceAccount', processes, timeoutMs, async () =>
      (await cp.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cp.kubeconfigPath);
    const node: Node = {
      name: NODE_NAME,
      kubeconfigPath: cp.kubeconfigPath,
      controlPlane: cp,
      request: (method, path, body) => cp.request(method, path, body),
      importImage: async (archivePath, importOptions = {}) => {
        const before = new Set(ctr('images', 'list', '--quiet').split('\n').filter(Boolean));
        ctr('images', 'import', ...(importOptions.baseName ? ['--base-name', importOptions.baseName] : []), archivePath);
        return ctr('images', 'list', '--quiet').split('\n').filter((name) => name && !before.has(name) && !name.startsWith('sha256:'));
      },
      exec: (namespace, pod, container, command) => execInPod(kubeConfig, namespace, pod, container, command),
      logs: async (namespace, pod, container) => {
        const res = await cp.request('GET', `/api/v1/namespaces/${namespace}/pods/${pod}/log${container ? `?container=${encodeURIComponent(container)}` : ''}`);
        if (res.status !== 200) throw new Error(`logs of ${namespace}/${pod}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        return String(res.body);
      },
      waitForPod: (namespace, name, until, waitMs = 120_000) => waitForPod(cp, namespace, name, until, waitMs),
      crictl,
      crictlPath: binaries.crictl,
      crictlConfigPath,
      host,
      pids: { containerd: containerd.child.pid ?? -1, kubelet: kubelet.child.pid ?? -1 },
      containerdDirs: { root: join(dir, 'containerd', 'root'), state: join(dir, 'containerd', 'state') },
      stop,
    };
    options.t?.after(stop);
    return node;
  } catch (error) {
    const tails = processes.map((p) => `--- ${p.name} (${p.logPath})\n${logTail(p, 40)}`).join('\n');
    await stop();
    if (error instanceof Error) error.message += tails ? `\n${tails}` : '';
    throw error;
  }
}

async function execInPod(kubeConfig: KubeConfig, namespace: string, pod: string, container: string, command: string[]): Promise<ExecResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  let status: V1Status | undefined;
  const socket = await new Exec(kubeConfig).exec(namespace, pod, container, command, stdout, stderr, null, false, (s) => {
    status = s;
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');
  if (status === undefined) throw new Error(`exec ${command.join(' ')} in ${namespace}/${pod}/${container}: the stream closed without a status; stderr: ${text(err)}`);
  let exitCode = 0;
  if (status.status !== 'Success') {
    const code = status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message;
    if (code === undefined) throw new Error(`exec ${command.join(' ')} in ${namespace}/${pod}/${container}: ${status.message ?? JSON.stringify(status)}`);
    exitCode = Number(code);
  }
  return { stdout: text(out), stderr: text(err), exitCode };
}

async function waitForPod(cp: ControlPlane, namespace: string, name: string, until: 'Running' | 'Ready', timeoutMs: number): Promise<PodLike> {
  const deadline = Date.now() + timeoutMs;
  let last: PodLike | undefined;
  for (;;) {
    const res = await cp.request('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
    if (res.status === 200) {
      last = res.body as PodLike;
      const done = until === 'Running'
        ? last.status?.phase === 'Running'
        : last.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
      if (done) return last;
      if (last.status?.phase === 'Failed' || last.status?.phase === 'Succeeded') break;
    }
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  const events = await cp.request('GET', `/api/v1/namespaces/${namespace}/events?fieldSelector=involvedObject.name=${name}`);
  const messages = ((events.body as { items?: { reason?: string; message?: string }[] }).items ?? []).map((e) => `${e.reason}: ${e.message}`);
  throw new Error(`pod ${namespace}/${name} is not ${until} after ${timeoutMs} ms: ${JSON.stringify(last?.status)}\nevents:\n${messages.join('\n')}`);
}
