// The DaemonSet's privilege setup, reproduced with the kernel's own rules
// instead of a cluster: `rootlock drift scan` runs as uid 65533 from a node
// binary that carries the file capabilities cap_dac_read_search and
// cap_sys_ptrace, with only those two in the bounding set and no_new_privs set
// (allowPrivilegeEscalation: false), against a real overlay container whose
// layer directory is root-only (0700), as containerd, CRI-O and Docker keep
// theirs. It must read the upper layer and the running process exactly as
// root does. The setups that cannot are checked too: the node binary without
// file capabilities (as the image's plain copy is), and the capped
// binary started through a shell under no_new_privs.
//
// setpriv leaves the capabilities it kept across the uid change in the
// permitted set of the process that execs node, as runc does with the
// capabilities a container spec adds (containerd and CRI-O put `add` in the
// bounding, effective and permitted sets). That is why no_new_privs does not
// block the file capabilities here: an exec under no_new_privs may keep what
// the caller already holds and only gains nothing new. A binary started from
// a process that holds nothing (a shell, which lost everything at its own
// exec as a non-root user) gains nothing.
//
// Needs root (CI runs as root), setpriv (util-linux), setcap (libcap2-bin,
// scripts/install-test-deps.sh) and cgroup v2, like the other drift tests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installBinary, placeInCgroup, startOverlayContainer, writeFiles } from './helpers/overlay.js';
import type { OverlayContainer } from './helpers/overlay.js';
import { driftManifests } from '../src/drift/manifests.js';
import { DRIFT_FILE_CAPABILITIES, fileCapabilityText } from '../src/image/rootlock-image.js';
import type { DriftReport } from '../src/drift/report.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SLEEP = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
const NAMESPACE = 'drift-caps';
const ID = 'caf'.padEnd(56, 'e') + `${process.pid}`.padStart(8, '0');

// What is run comes from what ships: the DaemonSet's user, added capabilities and
// allowPrivilegeEscalation, and the file capabilities the image's drift copy carries (deploy/image; a copy of the
// node binary it is built from, running this checkout, stands in for it;
// test/rootlock-image.test.ts checks them on the built image with getcap).
interface DriftPodSpec {
  securityContext: { runAsUser: number; runAsGroup: number };
  containers: { securityContext: { allowPrivilegeEscalation: boolean; capabilities: { add: string[] } } }[];
}
const podSpec = (driftManifests().find((d) => d['kind'] === 'DaemonSet') as { spec: { template: { spec: DriftPodSpec } } }).spec.template.spec;
const NODE_NAME = 'drift-caps-node';
const UID = podSpec.securityContext.runAsUser;
const GID = podSpec.securityContext.runAsGroup;
const { allowPrivilegeEscalation, capabilities } = podSpec.containers[0]!.securityContext;
const BOUNDING = ['-all', ...capabilities.add.map((c) => `+${c.toLowerCase()}`)].join(',');
const FILE_CAPS = fileCapabilityText(DRIFT_FILE_CAPABILITIES);

interface ScanRun {
  code: number | null;
  report: DriftReport | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Runs `rootlock drift scan` as uid 65533 with a copy of this node binary.
 * In a private mount namespace: the copy lives on a fresh tmpfs (a nosuid
 * /tmp would make the kernel ignore file capabilities), and the repository is
 * bind-mounted beside it, so uid 65533 can load rootlock wherever the
 * checkout is (a clone under /root is not reachable by other users).
 * `shell`: node is started by /bin/sh instead of directly.
 */
function scanAs(host: string, options: { fileCaps: boolean; noNewPrivs: boolean; shell?: boolean }): ScanRun {
  const work = mkdtempSync(join(tmpdir(), 'rootlock-caps-'));
  chmodSync(work, 0o755);
  try {
    const setpriv = [
      'setpriv', `--reuid=${UID}`, `--regid=${GID}`, '--clear-groups', '--inh-caps=-all',
      `--bounding-set=${BOUNDING}`, ...(options.noNewPrivs ? ['--no-new-privs'] : []),
    ];
    const scan = ['"$1/node"', '"$1/rootlock/bin/rootlock.js"', 'drift', 'scan', '--root', `'${host}'`, '--format', 'json', '--no-config', '-n', NAMESPACE];
    const script = [
      'set -e',
      'mount -t tmpfs -o mode=0755 tmpfs "$1"',
      'cp "$2" "$1/node"',
      ...(options.fileCaps ? [`setcap ${FILE_CAPS} "$1/node"`] : []),
      'mkdir "$1/rootlock"',
      'mount --bind "$3" "$1/rootlock"',
      options.shell
        ? `exec ${setpriv.join(' ')} /bin/sh -c 'exec "$@"' sh ${scan.join(' ')}`
        : `exec ${setpriv.join(' ')} ${scan.join(' ')}`,
    ].join('\n');
    // No NODE_OPTIONS: a binary with file capabilities runs in secure-exec mode and ignores it. Plain variables such as
    // NODE_NAME (the DaemonSet's downward API) still reach process.env.
    const run = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', work, process.execPath, REPO], {
      encoding: 'utf8', timeout: 60_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', NODE_NAME: NODE_NAME },
    });
    let report: DriftReport | undefined;
    try {
      report = JSON.parse(run.stdout) as DriftReport;
    } catch {
      report = undefined;
    }
    return { code: run.status, report, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function summary(run: ScanRun): { changes: string[]; running: string[]; problems: string[] } {
  assert.ok(run.report, `no JSON report (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  assert.equal(run.report.containers.length, 1, `exactly the test's container: ${run.stdout}`);
  const container = run.report.containers[0]!;
  assert.equal(container.identity.podNamespace, NAMESPACE);
  return {
    changes: container.changes.map((c) => `${c.kind} ${c.path} ${c.class}`),
    running: container.processes.map((p) => `${p.exe} ${p.reason} ${p.priority}`),
    problems: container.problems,
  };
}

describe('drift scan as uid 65533 with file capabilities (the DaemonSet setup)', () => {
  let container: OverlayContainer;
  let host: string;
  let cleanCgroup: (() => void) | undefined;

  before(async () => {
    host = mkdtempSync(join(tmpdir(), 'rootlock-caps-host-'));
    chmodSync(host, 0o755);
    symlinkSync('/proc', join(host, 'proc'));
    symlinkSync(tmpdir(), join(host, tmpdir().replace(/^\//, '')));
    container = await startOverlayContainer({
      layers: [(layer) => {
        installBinary(layer, SLEEP, '/usr/bin/sleep');
        writeFiles(layer, { '/etc/app.conf': 'listen=8080\n', '/var/cache/app/seed': 'x\n' });
      }],
      changes: 'cp usr/bin/sleep usr/bin/dropped\necho listen=9090 > etc/app.conf\necho y > var/cache/app/new',
      command: ['/usr/bin/dropped', '300'],
    });
    // The layer store as the runtimes keep it: the upper layer's parent belongs to root and no one else may enter it.
    chownSync(container.dir, 0, 0);
    chmodSync(container.dir, 0o700);
    cleanCgroup = placeInCgroup(container.pid, `rootlock-test-${process.pid}/docker-${ID}.scope`);
    const metadata = join(host, `var/lib/docker/containers/${ID}/config.v2.json`);
    mkdirSync(dirname(metadata), { recursive: true, mode: 0o755 });
    writeFileSync(metadata, JSON.stringify({
      Image: 'sha256:' + '5'.repeat(64),
      Config: { Image: 'registry.example/app:1.0', Labels: { 'io.kubernetes.pod.name': 'app-0', 'io.kubernetes.pod.namespace': NAMESPACE, 'io.kubernetes.container.name': 'app' } },
    }), { mode: 0o644 });
  });

  after(async () => {
    await container?.stop();
    cleanCgroup?.();
    rmSync(host, { recursive: true, force: true });
  });

  it('the layer store is root-only, and uid 65533 without capabilities cannot enter it', () => {
    const mode = statSync(container.dir);
    assert.equal(mode.uid, 0);
    assert.equal(mode.mode & 0o777, 0o700);
    const ls = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${GID}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', 'ls', container.upper], { encoding: 'utf8' });
    assert.notEqual(ls.status, 0);
    assert.match(ls.stderr, /Permission denied/);
  });

  it('reads the root-only upper layer and the running process as the DaemonSet runs it, node carrying the file capabilities', () => {
    assert.equal(allowPrivilegeEscalation, false, 'the DaemonSet keeps no_new_privs');
    assert.deepEqual(capabilities.add, ['DAC_READ_SEARCH', 'SYS_PTRACE']);
    assert.equal(FILE_CAPS, 'cap_dac_read_search,cap_sys_ptrace=ep');
    const run = scanAs(host, { fileCaps: true, noNewPrivs: !allowPrivilegeEscalation });
    assert.equal(run.code, 1, `drift found, nothing unreadable: ${run.stderr}`);
    assert.equal(run.report?.hostname, NODE_NAME);
    assert.deepEqual(summary(run), {
      changes: ['changed /etc/app.conf config', 'added /usr/bin/dropped executable', 'added /var/cache/app/new other'],
      running: ['/usr/bin/dropped upper-layer critical'],
      problems: [],
    });
  });

  it('cannot read it with a node binary that has no file capabilities (the image before): reports the problem, exit 2', () => {
    const run = scanAs(host, { fileCaps: false, noNewPrivs: true });
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(summary(run), { changes: [], running: [], problems: [`cannot read ${host}${container.upper}`] });
  });

  it('cannot read it when a shell starts the capped node under no_new_privs: the image must exec node directly', () => {
    const run = scanAs(host, { fileCaps: true, noNewPrivs: true, shell: true });
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(summary(run), { changes: [], running: [], problems: [`cannot read ${host}${container.upper}`] });
  });

  it('reads it when a shell starts the capped node without no_new_privs: no_new_privs is what stops the gain', () => {
    const run = scanAs(host, { fileCaps: true, noNewPrivs: false, shell: true });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(summary(run).problems, []);
    assert.equal(summary(run).changes.length, 3);
  });
});
