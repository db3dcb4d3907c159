// The host side of a test node (test/helpers/node.ts): what it takes from the
// machine and how every bit of it is given back. A node owns
//   - a directory (containerd's root and state, the kubelet's root, CNI
//     configuration, logs), in which every mount it makes lies;
//   - a bridge rlnode<N> holding 10.217.<N>.1/24, its pods' /24;
//   - a cgroup /rootlock-node-<N> in every hierarchy (the kubelet's cgroupRoot);
// where N is unique among the nodes running on the machine. Nodes register in
// /run/rootlock-test-node (tmpfs: gone at reboot), so several test files, or
// several worktrees, may run nodes at once; a node whose test process died
// without stop() is cleaned up by the next node that starts.
//
// What is not a node's own but the machine's: the kubelet sets six kernel
// sysctls (vm.overcommit_memory, kernel.panic, ...; it has no option to leave
// them alone short of refusing to start). The first node records their
// values and the last node to stop puts them back.
//
// Teardown is synchronous so that the process exit handler can run it too.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const REGISTRY = '/run/rootlock-test-node';
const LOCK = join(REGISTRY, 'lock');
const HOST_STATE = join(REGISTRY, 'host.json');
const CGROUP_ROOT = '/sys/fs/cgroup';
/** The kubelet's container log links (a fixed path in the kubelet: legacyContainerLogsDir). */
const CONTAINER_LOG_LINKS = '/var/log/containers';
/** libcni's result cache, a fixed path containerd does not override. */
const CNI_RESULT_CACHE = '/var/lib/cni/results';
/** Directories of the machine's that the kubelet and CNI make at fixed paths; the last node removes those the first one found missing (when empty). */
const MACHINE_DIRS = ['/var/lib/kubelet/device-plugins', '/var/lib/kubelet', CONTAINER_LOG_LINKS, CNI_RESULT_CACHE, '/var/lib/cni'];
const SYSCTLS = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes'];
const MAX_NODES = 200;

export interface NodeHost {
  /** The small number that makes this node's host names unique on the machine. */
  index: number;
  /** The test process that owns the node. */
  pid: number;
  /** Everything the node keeps on disk, and every mount it makes, lies below this directory. */
  dir: string;
  bridge: string;
  /** The pods' subnet, e.g. 10.217.3.0/24; the bridge holds its .1. */
  subnet: string;
  gateway: string;
  /** The CNI network's name (host-local IPAM and portmap key their state by it). */
  networkName: string;
  /** The kubelet's cgroupRoot, the same path in every cgroup hierarchy. */
  cgroupRoot: string;
}

interface HostState {
  /** Sysctl values before the first node started, to be put back by the last one. */
  sysctls: Record<string, string>;
  /** iptables chains named CNI-* that existed before any node: they are not the nodes' to remove. */
  cniChains: string[];
  /** MACHINE_DIRS that did not exist before any node. */
  createdDirs?: string[];
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input });
}

/** Runs fn holding the machine-wide node lock (a file made with O_EXCL; a dead holder's lock is taken over). */
function withLock<T>(fn: () => T): T {
  mkdirSync(REGISTRY, { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = NaN;
      try {
        holder = Number(readFileSync(LOCK, 'utf8'));
      } catch {
        continue;
      }
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${LOCK} held by process ${holder} for over 120 s`);
      sleepSync(50);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function recordPath(index: number): string {
  return join(REGISTRY, `node-${index}.json`);
}

function records(): NodeHost[] {
  if (!existsSync(REGISTRY)) return [];
  return readdirSync(REGISTRY)
    .filter((name) => /^node-\d+\.json$/.test(name))
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(REGISTRY, name), 'utf8')) as NodeHost];
      } catch {
        return [];
      }
    });
}

function readSysctls(): Record<string, string> {
  return Object.fromEntries(SYSCTLS.map((name) => [name, readFileSync(`/proc/sys/${name}`, 'utf8').trim()]));
}

/** Every CNI-* chain, as `table chain`. */
function cniChains(): string[] {
  const chains: string[] = [];
  for (const table of ['nat', 'filter', 'mangle']) {
    for (const line of iptablesSave(table)) {
      const match = /^:(CNI-\S+)/.exec(line);
      if (match) chains.push(`${table} ${match[1]!}`);
    }
  }
  return chains;
}

function iptablesSave(table: string): string[] {
  try {
    return run('iptables-save', ['-t', table]).split('\n');
  } catch {
    return [];
  }
}

/**
 * Claims a node index and makes the node's bridge and cgroups; first cleans up
 * after nodes whose test process is gone. `dir` must exist.
 */
export function claimHost(dir: string): NodeHost {
  return withLock(() => {
    for (const stale of records().filter((record) => !alive(record.pid))) {
      process.stderr.write(`test node ${stale.index}: its test process ${stale.pid} is gone; removing what it left\n`);
      teardownHost(stale);
      rmSync(recordPath(stale.index), { force: true });
    }
    const live = records();
    if (live.length === 0 && !existsSync(HOST_STATE)) {
      const state: HostState = { sysctls: readSysctls(), cniChains: cniChains(), createdDirs: MACHINE_DIRS.filter((path) => !existsSync(path)) };
      writeFileSync(HOST_STATE, JSON.stringify(state, null, 2) + '\n');
    }
    const used = new Set(live.map((record) => record.index));
    const addresses = run('ip', ['-4', '-o', 'addr', 'show']);
    let index = 1;
    while (index <= MAX_NODES && (used.has(index) || addresses.includes(` 10.217.${index}.`) || existsSync(`/sys/class/net/rlnode${index}`))) index++;
    if (index > MAX_NODES) throw new Error(`no free test node index: ${MAX_NODES} nodes registered in ${REGISTRY}`);
    const host: NodeHost = {
      index,
      pid: process.pid,
      dir,
      bridge: `rlnode${index}`,
      subnet: `10.217.${index}.0/24`,
      gateway: `10.217.${index}.1`,
      networkName: `rootlock-node-${index}`,
      cgroupRoot: `/rootlock-node-${index}`,
    };
    writeFileSync(recordPath(index), JSON.stringify(host, null, 2) + '\n');
    try {
      // The bridge is made here rather than by the CNI bridge plugin so that it holds the gateway address without
      // the plugin's isGateway, which would also turn on the machine's IP forwarding.
      run('ip', ['link', 'add', 'name', host.bridge, 'type', 'bridge']);
      run('ip', ['addr', 'add', `${host.gateway}/24`, 'dev', host.bridge]);
      run('ip', ['link', 'set', host.bridge, 'up']);
      for (const hierarchy of cgroupHierarchies()) {
        const path = join(hierarchy, host.cgroupRoot);
        mkdirSync(path, { recursive: true });
        // A new cpuset cgroup has no CPUs and no memory nodes; a process can join it only after they are set.
        if (existsSync(join(path, 'cpuset.cpus')) && readFileSync(join(path, 'cpuset.cpus'), 'utf8').trim() === '') {
          writeFileSync(join(path, 'cpuset.cpus'), readFileSync(join(hierarchy, 'cpuset.cpus'), 'utf8'));
          writeFileSync(join(path, 'cpuset.mems'), readFileSync(join(hierarchy, 'cpuset.mems'), 'utf8'));
        }
      }
    } catch (error) {
      teardownHost(host);
      rmSync(recordPath(index), { force: true });
      throw error;
    }
    return host;
  });
}

/** Removes everything of the node's from the machine, and puts the sysctls back when it was the last node. */
export function releaseHost(host: NodeHost): void {
  teardownHost(host);
  withLock(() => {
    rmSync(recordPath(host.index), { force: true });
    if (records().some((record) => alive(record.pid))) return;
    if (!existsSync(HOST_STATE)) return;
    const state = JSON.parse(readFileSync(HOST_STATE, 'utf8')) as HostState;
    for (const [name, value] of Object.entries(state.sysctls)) {
      try {
        writeFileSync(`/proc/sys/${name}`, value);
      } catch {
        // Read-only in this environment: then the kubelet could not have changed it either.
      }
    }
    removeSharedCniChains(new Set(state.cniChains));
    for (const path of state.createdDirs ?? []) {
      // The kubelet's device manager listens here at a fixed path (one socket for all nodes, left when it stops).
      if (path === MACHINE_DIRS[0]) rmSync(join(path, 'kubelet.sock'), { force: true });
      try {
        rmdirSync(path);
      } catch {
        // not empty (someone else's now) or already gone
      }
    }
    rmSync(HOST_STATE, { force: true });
  });
}

/** The mount points of every cgroup hierarchy (v1 controllers, name=systemd, the v2 unified one). */
export function cgroupHierarchies(): string[] {
  const hierarchies: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const type = fields[separator + 1];
    if ((type === 'cgroup' || type === 'cgroup2') && fields[4]?.startsWith(CGROUP_ROOT)) hierarchies.push(unescapeMountPath(fields[4]));
  }
  return [...new Set(hierarchies)];
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Mount points at or below `dir` in this mount namespace, deepest last. */
export function mountsUnder(dir: string): string[] {
  const mounts: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint === undefined) continue;
    const path = unescapeMountPath(mountPoint);
    if (path === dir || path.startsWith(`${dir}/`)) mounts.push(path);
  }
  return mounts;
}

/** Processes of the node: in its cgroups (containers), or naming its directory on their command line (containerd, the kubelet, shims). */
export function nodeProcesses(host: NodeHost): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cgroups = readFileSync(`/proc/${name}/cgroup`, 'utf8').split('\n').map((line) => line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1));
      const inCgroup = cgroups.some((path) => path === host.cgroupRoot || path.startsWith(`${host.cgroupRoot}/`));
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (inCgroup || cmdline.includes(host.dir)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The node's cgroup directories that still exist. */
export function nodeCgroups(host: NodeHost): string[] {
  return cgroupHierarchies().map((hierarchy) => join(hierarchy, host.cgroupRoot)).filter((path) => existsSync(path));
}

/** Network interfaces attached to the node's bridge (the host ends of its pods' veth pairs). */
export function bridgePorts(host: NodeHost): string[] {
  const dir = `/sys/class/net/${host.bridge}/brif`;
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** iptables lines (any table) that name the node's network, subnet or bridge. */
export function nodeIptablesLines(host: NodeHost): string[] {
  const subnetPrefix = host.subnet.slice(0, host.subnet.lastIndexOf('.') + 1);
  return ['nat', 'filter', 'mangle'].flatMap((table) =>
    iptablesSave(table)
      .filter((line) => line.startsWith('-A ') && (line.includes(`"${host.networkName}"`) || line.includes(subnetPrefix) || line.includes(` ${host.bridge} `)))
      .map((line) => `${table}: ${line}`),
  );
}

/** Removes every rule naming the node, and the per-container CNI-* chains they jumped to or lived in. */
function removeIptables(host: NodeHost): void {
  const subnetPrefix = host.subnet.slice(0, host.subnet.lastIndexOf('.') + 1);
  for (const table of ['nat', 'filter', 'mangle']) {
    const lines = iptablesSave(table);
    const ours = lines.filter((line) => line.startsWith('-A ') && (line.includes(`"${host.networkName}"`) || line.includes(subnetPrefix) || line.includes(` ${host.bridge} `)));
    if (ours.length === 0) continue;
    // portmap's per-container chain (CNI-DN-<hash>) holds rules commented with the network's name.
    const chains = new Set(ours.map((line) => line.split(' ')[1]!).filter((chain) => /^CNI-DN-/.test(chain)));
    const jumps = lines.filter((line) => line.startsWith('-A ') && [...chains].some((chain) => line.endsWith(` -j ${chain}`) || line.includes(` -j ${chain} `)));
    const script = [`*${table}`, ...[...new Set([...jumps, ...ours])].map((line) => line.replace(/^-A /, '-D ')), ...[...chains].flatMap((chain) => [`-F ${chain}`, `-X ${chain}`]), 'COMMIT', ''];
    const result = spawnSync('iptables-restore', ['--noflush'], { input: script.join('\n'), encoding: 'utf8' });
    if (result.status !== 0) process.stderr.write(`test node ${host.index}: iptables-restore: ${result.stderr}\n`);
  }
}

/** CNI-* chains and their jump rules that the nodes' portmap plugin made and no node uses any more. */
function removeSharedCniChains(preexisting: Set<string>): void {
  for (const table of ['nat', 'filter', 'mangle']) {
    const lines = iptablesSave(table);
    const chains = lines
      .map((line) => /^:(CNI-\S+)/.exec(line)?.[1])
      .filter((chain): chain is string => chain !== undefined && !preexisting.has(`${table} ${chain}`));
    if (chains.length === 0) continue;
    const jumps = lines.filter((line) => line.startsWith('-A ') && chains.some((chain) => line.includes(` -j ${chain}`)));
    const script = [`*${table}`, ...jumps.map((line) => line.replace(/^-A /, '-D ')), ...chains.flatMap((chain) => [`-F ${chain}`]), ...chains.flatMap((chain) => [`-X ${chain}`]), 'COMMIT', ''];
    const result = spawnSync('iptables-restore', ['--noflush'], { input: script.join('\n'), encoding: 'utf8' });
    if (result.status !== 0) process.stderr.write(`test nodes: iptables-restore: ${result.stderr}\n`);
  }
}

function killAll(host: NodeHost): void {
  for (let round = 0; round < 100; round++) {
    const pids = nodeProcesses(host);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    sleepSync(50);
  }
  process.stderr.write(`test node ${host.index}: processes still running: ${nodeProcesses(host).join(' ')}\n`);
}

function unmountAll(dir: string): void {
  for (let round = 0; round < 20; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    // Deepest first; a mount point that is busy is detached (it goes when its last user does).
    for (const mount of mounts.reverse()) {
      if (spawnSync('umount', [mount], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', mount], { stdio: 'ignore' });
    }
  }
}

function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  }
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt === 39) {
        process.stderr.write(`test node: cannot remove cgroup ${path}: ${code}\n`);
        return;
      }
      sleepSync(50);
    }
  }
}

/** Kills, unmounts, deletes: everything of the node's, whatever state it was left in. */
export function teardownHost(host: NodeHost): void {
  killAll(host);
  unmountAll(host.dir);
  for (const port of bridgePorts(host)) spawnSync('ip', ['link', 'del', port], { stdio: 'ignore' });
  if (existsSync(`/sys/class/net/${host.bridge}`)) spawnSync('ip', ['link', 'del', host.bridge], { stdio: 'ignore' });
  removeIptables(host);
  for (const path of nodeCgroups(host)) removeCgroup(path);
  if (existsSync(CONTAINER_LOG_LINKS)) {
    for (const name of readdirSync(CONTAINER_LOG_LINKS)) {
      const link = join(CONTAINER_LOG_LINKS, name);
      try {
        if (lstatSync(link).isSymbolicLink() && readlinkSync(link).startsWith(`${host.dir}/`)) unlinkSync(link);
      } catch {
        // removed meanwhile
      }
    }
  }
  if (existsSync(CNI_RESULT_CACHE)) {
    for (const name of readdirSync(CNI_RESULT_CACHE)) {
      const path = join(CNI_RESULT_CACHE, name);
      // The pods' networks by name; containerd's loopback network (cni-loopback-<sandbox>-lo) by the node's netns path in it.
      let ours = name.startsWith(`${host.networkName}-`);
      try {
        ours ||= name.startsWith('cni-loopback-') && readFileSync(path, 'utf8').includes(`${host.dir}/`);
      } catch {
        // removed meanwhile
      }
      if (ours) rmSync(path, { force: true });
    }
  }
  // Never delete through a mount: a pod's hostPath or a bind mount would take host files with it.
  const left = mountsUnder(host.dir);
  if (left.length > 0) {
    process.stderr.write(`test node ${host.index}: not deleting ${host.dir}, still mounted: ${left.join(' ')}\n`);
    return;
  }
  rmSync(host.dir, { recursive: true, force: true });
}
