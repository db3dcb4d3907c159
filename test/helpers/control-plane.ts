// A real Kubernetes control plane for tests: etcd, kube-apiserver and
// kube-controller-manager on free loopback ports, started the way
// controller-runtime's envtest starts them. There is no scheduler and no
// kubelet, so Pods stay Pending; everything the API server and the
// controllers do (admission, RBAC, Deployments -> ReplicaSets -> Pods) is real.
// With `forNode: true` it also starts kube-scheduler and lets a kubelet join
// (test/helpers/node.ts starts one; that is the way to get running Pods).
//
// The binaries come from test/k8s/build.sh (cached outside the repository);
// when they are missing this helper runs the build, which is slow but keeps
// the tests honest: they never skip for want of a cluster.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './repo.js';

/** The Services' range; the first address is the `kubernetes` Service's ClusterIP, which pods get as KUBERNETES_SERVICE_HOST. */
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
export const KUBERNETES_SERVICE_IP = '10.0.0.1';

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubelet: string;
  k8sVersion: string;
  etcdVersion: string;
}

export interface ControlPlaneProcess {
  name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';
  pid: number;
  /** The loopback port this process serves on. */
  port: number;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON when the body is JSON, the raw text otherwise. */
  body: unknown;
  /** Warning headers (RFC 7234 style, `299 - "text"`), unquoted: admission warnings arrive here. */
  warnings: string[];
}

export interface ControlPlane {
  /** An admin (system:masters) kubeconfig for this control plane. */
  kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** The CA that signed the API server's serving certificate and the client certificates. */
  caCertPem: string;
  /** The admin user's client certificate and key (CN=admin, O=system:masters). */
  adminCertPem: string;
  adminKeyPem: string;
  processes: readonly ControlPlaneProcess[];
  binaries: ControlPlaneBinaries;
  /**
   * A client or serving certificate signed by this control plane's CA, written
   * as `<dir>/<name>.crt` and `<dir>/<name>.key`. `subject` is an openssl -subj
   * (`/O=system:nodes/CN=system:node:localhost`); `extensions` are -addext values.
   */
  issueCertificate(dir: string, name: string, subject: string, extensions: string[]): { certPath: string; keyPath: string };
  /** One request to the API server as the admin user. */
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port with the same flags (etcd keeps the data); resolves when it is ready. */
  restartApiServer(): Promise<void>;
}

export interface StartOptions {
  /**
   * A node:test TestContext: stop() becomes its after-hook, so the cluster goes
   * away even when the test fails. A suite that shares one cluster among its
   * tests calls node:test's after(() => cp.stop()) in the describe body instead
   * (an after() called inside a before hook runs as soon as that hook ends).
   */
  t?: { after(fn: () => Promise<void>): void };
  /** How long to wait for the API server to become ready, in ms. */
  readyTimeoutMs?: number;
  /**
   * Ready for a kubelet to join (test/helpers/node.ts): also starts
   * kube-scheduler; the API server authorizes with Node,RBAC, admits with
   * NodeRestriction, and reaches kubelets (logs, exec) with a client
   * certificate bound to system:kubelet-api-admin, verifying their serving
   * certificates against this CA, at their Hostname address.
   */
  forNode?: boolean;
  /** More kube-controller-manager flags (a benchmark raises its API rate limits with --kube-api-qps and --kube-api-burst). */
  controllerManagerArgs?: readonly string[];
}

const BUILD_SCRIPT = (): string => join(repoRoot(), 'test', 'k8s', 'build.sh');

/** Where build.sh puts the binaries (same ROOTLOCK_K8S_CACHE and default), building them if they are missing. */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  const read = (): ControlPlaneBinaries => {
    const out = execFileSync('bash', [BUILD_SCRIPT(), '--print-paths'], { encoding: 'utf8' });
    const vars = new Map(
      out
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    const need = (key: string): string => {
      const value = vars.get(key);
      if (!value) throw new Error(`build.sh --print-paths did not print ${key}`);
      return value;
    };
    return {
      etcd: need('ETCD'),
      kubeApiserver: need('KUBE_APISERVER'),
      kubeControllerManager: need('KUBE_CONTROLLER_MANAGER'),
      kubeScheduler: need('KUBE_SCHEDULER'),
      kubelet: need('KUBELET'),
      k8sVersion: need('K8S_VERSION'),
      etcdVersion: need('ETCD_VERSION'),
    };
  };
  const binaries = read();
  const missing = [binaries.etcd, binaries.kubeApiserver, binaries.kubeControllerManager, binaries.kubeScheduler, binaries.kubelet]
    .filter((p) => !existsSync(p));
  if (missing.length > 0) {
    process.stderr.write(`control plane binaries missing (${missing.join(', ')}): running ${BUILD_SCRIPT()}, this takes minutes\n`);
    // The build's progress goes to stderr so that the test output shows why this test is slow.
    execFileSync('bash', [BUILD_SCRIPT()], { stdio: ['ignore', process.stderr, process.stderr] });
  }
  return binaries;
}

/** A port that was free on 127.0.0.1 a moment ago (envtest does the same; startControlPlane retries on a lost race). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port from listen(0)'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

interface Certificates {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  controllerManagerCert: string;
  controllerManagerKey: string;
  schedulerCert: string;
  schedulerKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/**
 * One CA signs the API server's serving certificate (127.0.0.1, localhost) and
 * the client certificates: the API server takes its CN as the user name and
 * its O as groups, so CN=admin,O=system:masters is a cluster admin and
 * CN=system:kube-controller-manager gets the controller manager's built-in RBAC role.
 */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A leaf certificate `<dir>/<name>.crt` (and `.key`) signed by the CA files given. */
function issueLeaf(dir: string, caCert: string, caKey: string, name: string, subject: string, extensions: string[]): void {
  openssl(dir, [
    'req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', subject,
    '-CA', caCert, '-CAkey', caKey,
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature',
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

function makeCertificates(dir: string): Certificates {
  openssl(dir, [
    'req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rootlock-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = (name: string, subject: string, extensions: string[]): void => issueLeaf(dir, 'ca.crt', 'ca.key', name, subject, extensions);
  // Pods on a test node reach the API server as the `kubernetes` Service (test/helpers/node-api-route.ts), by its IP or names.
  const serviceNames = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'].map((n) => `DNS:${n}`);
  leaf('serving', '/CN=kube-apiserver', ['extendedKeyUsage=serverAuth', `subjectAltName=IP:127.0.0.1,DNS:localhost,IP:${KUBERNETES_SERVICE_IP},${serviceNames.join(',')}`]);
  leaf('admin', '/O=system:masters/CN=admin', ['extendedKeyUsage=clientAuth']);
  leaf('controller-manager', '/CN=system:kube-controller-manager', ['extendedKeyUsage=clientAuth']);
  // The built-in system:kube-scheduler ClusterRoleBinding names this user.
  leaf('scheduler', '/CN=system:kube-scheduler', ['extendedKeyUsage=clientAuth']);
  // How the API server authenticates to kubelets (logs, exec, port-forward); bound to system:kubelet-api-admin as kubeadm does.
  leaf('kubelet-client', '/CN=kube-apiserver-kubelet-client', ['extendedKeyUsage=clientAuth']);
  // Service-account tokens are signed by the API server (and the controller
  // manager's token controller) with this key and verified with its public half.
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key']);
  openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  const path = (file: string): string => join(dir, file);
  return {
    caCert: path('ca.crt'),
    caKey: path('ca.key'),
    servingCert: path('serving.crt'),
    servingKey: path('serving.key'),
    adminCert: path('admin.crt'),
    adminKey: path('admin.key'),
    controllerManagerCert: path('controller-manager.crt'),
    controllerManagerKey: path('controller-manager.key'),
    schedulerCert: path('scheduler.crt'),
    schedulerKey: path('scheduler.key'),
    kubeletClientCert: path('kubelet-client.crt'),
    kubeletClientKey: path('kubelet-client.key'),
    serviceAccountKey: path('sa.key'),
    serviceAccountPub: path('sa.pub'),
  };
}

function kubeconfig(server: string, caCertPem: string, user: string, certPem: string, keyPem: string): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  // JSON is YAML, and kubectl / client libraries read either.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'rootlock-test', cluster: { server, 'certificate-authority-data': b64(caCertPem) } }],
      users: [{ name: user, user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
      contexts: [{ name: 'rootlock-test', context: { cluster: 'rootlock-test', user } }],
      'current-context': 'rootlock-test',
    },
    null,
    2,
  ) + '\n';
}

/** A server process started by startProcess (test/helpers/node.ts starts containerd and the kubelet with it too). */
export interface Started {
  name: string;
  child: ChildProcess;
  port: number;
  logPath: string;
  exited: Promise<void>;
  /** How it ended ("code 1", "signal SIGKILL"), or undefined while it runs. */
  exitStatus: string | undefined;
}

export function startProcess(name: string, binary: string, args: string[], port: number, dir: string, env?: NodeJS.ProcessEnv): Started {
  const logPath = join(dir, `${name}.log`);
  const log = openSync(logPath, 'a');
  // detached: its own process group, so stop() can end it and anything it forks.
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log], ...(env ? { env } : {}) });
  closeSync(log);
  // A test file that forgets stop() must still end: then the exit handler kills the servers.
  child.unref();
  const started: Started = { name, child, port, logPath, exited: Promise.resolve(), exitStatus: undefined };
  started.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      started.exitStatus = signal === null ? `code ${code}` : `signal ${signal}`;
      resolve();
    });
    child.once('error', (error) => {
      started.exitStatus = `spawn error ${error.message}`;
      writeFileSync(logPath, `spawn failed: ${error.message}\n`, { flag: 'a' });
      resolve();
    });
  });
  return started;
}

export function logTail(started: Started, lines = 30): string {
  try {
    return readFileSync(started.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops one process group: SIGTERM, and SIGKILL if it has not exited after graceMs. */
export async function stopProcess(started: Started, graceMs = 5000): Promise<void> {
  const pid = started.child.pid;
  if (pid === undefined || started.exitStatus !== undefined) {
    killGroup(pid, 'SIGKILL');
    return;
  }
  // Keep the event loop alive until the exit is seen.
  started.child.ref();
  killGroup(pid, 'SIGTERM');
  const timedOut = await Promise.race([started.exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut || groupAlive(pid)) killGroup(pid, 'SIGKILL');
  await started.exited;
  for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(20);
}

interface Tls {
  ca: string;
  cert: string;
  key: string;
}

function apiRequest(server: string, tls: Tls, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const url = new URL(path, server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        headers: {
          accept: 'application/json',
          // A PATCH with a list body is a JSON patch (RFC 6902); any other body is JSON.
          ...(payload === undefined ? {} : {
            'content-type': method === 'PATCH' && Array.isArray(body) ? 'application/json-patch+json' : 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('json')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // Keep the raw text: a malformed body is for the caller to see.
            }
          }
          const warnings = (res.headersDistinct['warning'] ?? []).map((value) => value.trim().replace(/^\d{3} \S+ "(.*)"$/s, '$1').replace(/\\(.)/g, '$1'));
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export class StartupError extends Error {
  constructor(message: string, readonly portRace: boolean) {
    super(message);
  }
}

/** Waits until check() is true, failing early when one of the processes exits. */
export async function waitFor(what: string, processes: Started[], timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = processes.find((p) => p.exitStatus !== undefined);
    if (dead) {
      const tail = logTail(dead);
      throw new StartupError(
        `${dead.name} exited (${dead.exitStatus}) while waiting for ${what}:\n${tail}`,
        /address already in use/i.test(tail),
      );
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new StartupError(`timed out after ${timeoutMs} ms waiting for ${what}:\n` +
        processes.map((p) => `--- ${p.name}\n${logTail(p, 15)}`).join('\n'), false);
    }
    await sleep(200);
  }
}

async function startOnce(binaries: ControlPlaneBinaries, options: StartOptions): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-k8s-'));
  const processes: Started[] = [];
  let stopped: Promise<void> | undefined;
  // A crash or Ctrl-C must not leave servers behind: the exit handler runs
  // synchronously, so it can only SIGKILL and delete.
  const onExit = (): void => {
    for (const p of processes) killGroup(p.child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      // Reverse start order: the controller manager and API server need etcd to shut down cleanly.
      for (const p of [...processes].reverse()) await stopProcess(p);
      rmSync(dir, { recursive: true, force: true });
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    })();
    return stopped;
  };

  try {
    const certs = makeCertificates(dir);
    const caCertPem = readFileSync(certs.caCert, 'utf8');
    const adminCertPem = readFileSync(certs.adminCert, 'utf8');
    const adminKeyPem = readFileSync(certs.adminKey, 'utf8');
    const tls: Tls = { ca: caCertPem, cert: adminCertPem, key: adminKeyPem };
    const timeoutMs = options.readyTimeoutMs ?? 90_000;

    const etcdPort = await freePort();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess('etcd', binaries.etcd, [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      '--listen-peer-urls=http://127.0.0.1:0',
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ], etcdPort, dir);
    processes.push(etcd);
    await waitFor('etcd /health', processes, timeoutMs, async () => {
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    });

    const apiPort = await freePort();
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The endpoint reconciler refuses a loopback address for the `kubernetes`
      // Service's endpoints; nothing in these tests reaches the API server through that Service.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${certs.servingCert}`,
      `--tls-private-key-file=${certs.servingKey}`,
      `--client-ca-file=${certs.caCert}`,
      ...(options.forNode
        ? [
            // The Node authorizer and NodeRestriction limit a kubelet to its own Node and its Pods, as in a real cluster.
            '--authorization-mode=Node,RBAC',
            '--enable-admission-plugins=NodeRestriction',
            `--kubelet-client-certificate=${certs.kubeletClientCert}`,
            `--kubelet-client-key=${certs.kubeletClientKey}`,
            `--kubelet-certificate-authority=${certs.caCert}`,
            // The test node is called localhost and serves on 127.0.0.1 only: its Hostname address is the one to dial.
            '--kubelet-preferred-address-types=Hostname,InternalIP',
            // There is no kube-proxy: the API server calls webhook Services at their endpoints' pod IPs, on the node's bridge.
            '--enable-aggregator-routing=true',
          ]
        : ['--authorization-mode=RBAC']),
      `--service-account-issuer=${server}/`,
      `--service-account-key-file=${certs.serviceAccountPub}`,
      `--service-account-signing-key-file=${certs.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--allow-privileged=true',
      '--v=1',
    ];
    const apiserver = startProcess('kube-apiserver', binaries.kubeApiserver, apiserverArgs, apiPort, dir);
    processes.push(apiserver);
    await waitFor('kube-apiserver /readyz', processes, timeoutMs, async () => {
      const res = await apiRequest(server, tls, 'GET', '/readyz');
      return res.status === 200;
    });

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, caCertPem, 'admin', adminCertPem, adminKeyPem), { mode: 0o600 });
    const controllerManagerKubeconfig = join(dir, 'controller-manager.kubeconfig');
    writeFileSync(
      controllerManagerKubeconfig,
      kubeconfig(server, caCertPem, 'system:kube-controller-manager',
        readFileSync(certs.controllerManagerCert, 'utf8'), readFileSync(certs.controllerManagerKey, 'utf8')),
      { mode: 0o600 },
    );

    const kcmPort = await freePort();
    const controllerManager = startProcess('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${controllerManagerKubeconfig}`,
      // No --authentication-kubeconfig / --authorization-kubeconfig: its HTTPS
      // port then serves only /healthz, /readyz and /livez, which is all the helper asks of it.
      `--secure-port=${kcmPort}`,
      '--bind-address=127.0.0.1',
      // The API server's serving certificate (127.0.0.1) is good for this port too, and our CA verifies it.
      `--tls-cert-file=${certs.servingCert}`,
      `--tls-private-key-file=${certs.servingKey}`,
      `--service-account-private-key-file=${certs.serviceAccountKey}`,
      `--root-ca-file=${certs.caCert}`,
      // Each controller acts as its own service account, as in a real cluster, so RBAC applies to it.
      '--use-service-account-credentials=true',
      '--leader-elect=false',
      '--controllers=*',
      '--v=1',
      ...(options.controllerManagerArgs ?? []),
    ], kcmPort, dir);
    processes.push(controllerManager);
    await waitFor('kube-controller-manager /healthz', processes, timeoutMs, async () => {
      const res = await apiRequest(`https://127.0.0.1:${kcmPort}`, tls, 'GET', '/healthz');
      return res.status === 200;
    });

    if (options.forNode) {
      const binding = await apiRequest(server, tls, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'rootlock-test:kube-apiserver-kubelet-client' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kubelet-api-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kube-apiserver-kubelet-client' }],
      });
      if (binding.status !== 201) throw new Error(`creating the kubelet client's ClusterRoleBinding: HTTP ${binding.status} ${JSON.stringify(binding.body)}`);
      const schedulerKubeconfig = join(dir, 'scheduler.kubeconfig');
      writeFileSync(
        schedulerKubeconfig,
        kubeconfig(server, caCertPem, 'system:kube-scheduler', readFileSync(certs.schedulerCert, 'utf8'), readFileSync(certs.schedulerKey, 'utf8')),
        { mode: 0o600 },
      );
      const schedulerPort = await freePort();
      processes.push(startProcess('kube-scheduler', binaries.kubeScheduler, [
        `--kubeconfig=${schedulerKubeconfig}`,
        // As for the controller manager: no delegated authentication, so the port serves only the health endpoints.
        `--secure-port=${schedulerPort}`,
        '--bind-address=127.0.0.1',
        `--tls-cert-file=${certs.servingCert}`,
        `--tls-private-key-file=${certs.servingKey}`,
        '--leader-elect=false',
        '--v=1',
      ], schedulerPort, dir));
      await waitFor('kube-scheduler /healthz', processes, timeoutMs, async () => {
        const res = await apiRequest(`https://127.0.0.1:${schedulerPort}`, tls, 'GET', '/healthz');
        return res.status === 200;
      });
    }

    const controlPlane: ControlPlane = {
      kubeconfigPath,
      server,
      caCertPem,
      adminCertPem,
      adminKeyPem,
      processes: processes.map((p) => ({ name: p.name as ControlPlaneProcess['name'], pid: p.child.pid ?? -1, port: p.port })),
      binaries,
      issueCertificate: (certDir, name, subject, extensions) => {
        issueLeaf(certDir, certs.caCert, certs.caKey, name, subject, extensions);
        return { certPath: join(certDir, `${name}.crt`), keyPath: join(certDir, `${name}.key`) };
      },
      request: (method, path, body) => apiRequest(server, tls, method, path, body),
      stop,
      restartApiServer: async () => {
        const index = processes.findIndex((p) => p.name === 'kube-apiserver');
        const old = processes[index];
        if (!old) throw new Error('kube-apiserver is not running');
        await stopProcess(old);
        const again = startProcess('kube-apiserver', binaries.kubeApiserver, apiserverArgs, apiPort, dir);
        processes[index] = again;
        await waitFor('kube-apiserver /readyz after a restart', processes, timeoutMs, async () => {
          const res = await apiRequest(server, tls, 'GET', '/readyz').catch(() => ({ status: 0 }));
          return res.status === 200;
        });
      },
    };
    options.t?.after(stop);
    return controlPlane;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts etcd, kube-apiserver and kube-controller-manager (and kube-scheduler with forNode); retries when another process took a chosen port first. */
export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlane> {
  const binaries = controlPlaneBinaries();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binaries, options);
    } catch (error) {
      if (!(error instanceof StartupError && error.portRace && attempt < 3)) throw error;
    }
  }
}
