import { isObject } from '../../core/path.js';
import { mountsOf, volumeType } from '../../core/volumes.js';
import { defineRule } from '../../core/rule.js';
import { describeContainer } from '../describe.js';
import { hostPathDanger } from './host-paths.js';

/** True when some volume of the pod is a hostPath volume, typed as mountsOf types the volumes it finds. */
function declaresHostPath(podSpec: Record<string, unknown>): boolean {
  const volumes = podSpec['volumes'];
  return Array.isArray(volumes) && volumes.some((volume: unknown) => isObject(volume) && volumeType(volume) === 'hostPath');
}

const SOCKET_HINT = 'remove the container runtime socket mount; if a reviewed node agent truly needs it, exempt it with a reason';
const NARROW_HINT = 'mount only the narrowest node path the container needs, read-only, or exempt a reviewed node agent with a reason';

export default defineRule({
  id: 'no-writable-host-path',
  severity: 'error',
  enforcement: 'deny',
  admission: () => import('./admission.js'),
  fixable: false,
  fixSafety: { manualReason: 'making a hostPath read-only can break an agent that writes to the node' },
  checklist: 'No writable hostPath volumes mounted',
  docs: {
    summary: 'Container that mounts a hostPath volume without readOnly: true',
    rationale:
      'A hostPath volume is a directory of the node. Mounted writable, it lets the container change files that ' +
      'outlive the pod and that other pods and the node itself trust, so immutability of the container ends at ' +
      'that mount: an attacker can persist there and escape. Some paths hand over the whole node: /, /etc, ' +
      '/var/lib/kubelet, /proc, /sys, /dev and the container runtime sockets (/var/run/docker.sock, ' +
      '/run/containerd/containerd.sock, /run/crio/crio.sock); the finding calls these out. A runtime socket is ' +
      'reported even when mounted read-only, because readOnly does not stop a process from connecting to a socket ' +
      'and starting a privileged container (a warning when a read-only mount of a parent such as / merely contains ' +
      'the socket). /var/run and /run are treated as the same directory. The Baseline Pod ' +
      'Security Standard forbids hostPath volumes altogether.',
    remediation:
      'Add readOnly: true to the volumeMount when the container only reads the node path, or replace the hostPath ' +
      'with an emptyDir, a persistentVolumeClaim, a configMap or a CSI volume. Node agents that must write to the ' +
      'node (log collectors, CNI and CSI plugins) should be reviewed, mount only the narrowest path, and be ' +
      'exempted with a reason. rootlock does not add readOnly itself, because an application that writes there ' +
      'would fail.',
    references: [
      'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    ],
  },
  check(context) {
    const workload = context.workload;
    // Most pods declare no hostPath volume at all, and then none of their mounts needs a look.
    if (!workload || !declaresHostPath(workload.podSpec)) return;
    for (const container of context.containers()) {
      for (const mount of mountsOf(workload, container)) {
        if (mount.volumeType !== 'hostPath' || mount.volume === undefined) continue;
        const source = mount.volume['hostPath'];
        const volumePath = isObject(source) && typeof source['path'] === 'string' ? source['path'] : undefined;
        // A subPath narrows what the container sees to that part of the host directory.
        const hostPath = volumePath === undefined ? undefined : mount.subPath ? `${volumePath.replace(/\/+$/, '')}/${mount.subPath}` : volumePath;
        const danger = hostPath === undefined ? undefined : hostPathDanger(hostPath);
        if (mount.readOnly && !danger?.socket) continue;
        const what = `${describeContainer(container)} mounts hostPath ${hostPath ?? '(no path)'} from volume "${mount.name ?? ''}" at ${mount.mountPath ?? '(no mountPath)'}`;
        const hint = danger?.socket?.itself ? SOCKET_HINT : danger ? NARROW_HINT : 'add readOnly: true to the volumeMount if the container only reads it, or use an emptyDir or PVC instead';
        if (mount.readOnly) {
          context.report({
            container,
            path: mount.path,
            // Mounting the socket itself means using it; a read-only parent (node exporters mount /) only exposes it.
            ...(danger?.socket?.itself ? {} : { severity: 'warning' as const }),
            message: `${what} read-only, but readOnly does not stop a process from connecting to ${danger?.socket?.description ?? 'a socket'}, which controls every container on the node`,
            hint,
          });
          continue;
        }
        context.report({
          container,
          path: mount.path,
          message: danger
            ? `${what} without readOnly: true, which is especially dangerous: ${danger.description}`
            : `${what} without readOnly: true, so it can change files on the node that outlive the pod`,
          hint,
        });
      }
    }
  },
});
