// Which node paths a hostPath volume must not expose, and the runtime sockets
// a read-only mount still lets a process reach: read by the check and its admission form.
import { canonicalPath, isSameOrBelow } from '../../core/volumes.js';

/** Node paths whose exposure hands over the node, not just some files on it. Canonical spelling (/run, not /var/run). */
export const SENSITIVE_HOST_PATHS: ReadonlyArray<readonly [string, string]> = [
  ['/', 'the root of the node filesystem'],
  ['/etc', 'the node configuration, including Kubernetes credentials'],
  ['/root', "the home of the node's root user"],
  ['/boot', 'the node kernel and boot loader'],
  ['/dev', 'the node devices'],
  ['/proc', "the node's process and kernel interface"],
  ['/sys', "the node's kernel settings"],
  ['/usr', 'node binaries and libraries'],
  ['/bin', 'node binaries'],
  ['/sbin', 'node binaries'],
  ['/lib', 'node libraries'],
  ['/var/lib/kubelet', 'the kubelet state: pod volumes, secrets and credentials'],
  ['/var/lib/docker', 'the container runtime state, every container filesystem included'],
  ['/var/lib/containerd', 'the container runtime state, every container filesystem included'],
  ['/var/lib/containers', 'the container runtime state, every container filesystem included'],
  ['/run/containerd', 'the containerd socket, which controls every container on the node'],
  ['/run/docker.sock', 'the Docker socket, which controls every container on the node'],
  ['/run/crio', 'the CRI-O socket, which controls every container on the node'],
  ['/run/cri-dockerd.sock', 'the cri-dockerd socket, which controls every container on the node'],
];

/** Container runtime sockets (canonical path, description): a read-only mount still lets a process connect() to them. */
export const RUNTIME_SOCKETS: ReadonlyArray<readonly [string, string]> = [
  ['/run/containerd', 'the containerd socket (/run/containerd/containerd.sock)'],
  ['/run/docker.sock', 'the Docker socket (/var/run/docker.sock)'],
  ['/run/crio', 'the CRI-O socket (/run/crio/crio.sock)'],
  ['/run/cri-dockerd.sock', 'the cri-dockerd socket (/run/cri-dockerd.sock)'],
];

export interface HostPathDanger {
  /** `/var/run/docker.sock is the Docker socket, ...` */
  description: string;
  /** The runtime socket the mount exposes, which readOnly does not protect. */
  socket?: { description: string; /** The mount is the socket (or its directory), not a parent of it. */ itself: boolean };
}

export function hostPathDanger(hostPath: string): HostPathDanger | undefined {
  const path = canonicalPath(hostPath);
  const exposed = RUNTIME_SOCKETS.find(([socket]) => isSameOrBelow(path, socket) || isSameOrBelow(socket, path));
  const socket = exposed ? { socket: { description: exposed[1], itself: isSameOrBelow(path, exposed[0]) } } : {};
  // The most specific sensitive path the mount is in (everything is below /, so / only matches itself), else the first one it contains.
  const inside = SENSITIVE_HOST_PATHS
    .filter(([sensitive]) => (sensitive === '/' ? path === '/' : isSameOrBelow(path, sensitive)))
    .sort((a, b) => b[0].length - a[0].length)[0];
  if (inside) {
    const [sensitive, what] = inside;
    return { description: path === sensitive ? `${hostPath} is ${what}` : `${hostPath} is inside ${sensitive}, ${what}`, ...socket };
  }
  const contained = SENSITIVE_HOST_PATHS.find(([sensitive]) => isSameOrBelow(sensitive, path));
  if (contained) return { description: `${hostPath} contains ${contained[0]}, ${contained[1]}`, ...socket };
  return undefined;
}
