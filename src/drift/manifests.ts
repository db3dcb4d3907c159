// The Kubernetes objects that run `rootlock drift watch` on every node. Pure.
// Host access is read-only: /proc and the runtimes' state and layer
// directories, mounted under /host at their host paths. Nothing on the host
// is writable, and rootlock's own root filesystem is read-only.
// The image is rootlock's own (deploy/image/): the container's command is its
// second node binary, which carries the two file capabilities the container
// adds, which is how a non-root process keeps them (docs/drift.md,
// "Privileges"; test/drift-file-capabilities.test.ts).
import { stringify } from 'yaml';
import { DRIFT_FILE_CAPABILITIES, IMAGE_DRIFT_CLI, IMAGE_DRIFT_USER, defaultImageReference } from '../image/rootlock-image.js';
import { IGNORE_ANNOTATION, IGNORE_REASON_ANNOTATION } from '../core/exemptions.js';
import namespacePodSecurity from '../rules/namespace-pod-security/rule.js';
import { DEFAULT_RUNTIME_LOCATIONS, containerdTaskDir } from './runtime-metadata.js';

export interface DriftManifestOptions {
  namespace: string;
  image: string;
  interval: string;
  port: number;
  /** containerd's `root` (its snapshots, where the upper layers are) and `state` (its task bundles) on the nodes. */
  containerdRoot: string;
  containerdState: string;
}

export const DRIFT_MANIFEST_DEFAULTS: DriftManifestOptions = {
  namespace: 'rootlock-system',
  image: defaultImageReference('0.1.0'),
  interval: '30s',
  port: 9847,
  containerdRoot: '/var/lib/containerd',
  containerdState: DEFAULT_RUNTIME_LOCATIONS.containerdState,
};

/** Host directories the scanner reads: /proc, runtime state (metadata), and the overlay layer stores. */
export function hostReadPaths(options: Pick<DriftManifestOptions, 'containerdRoot' | 'containerdState'> = DRIFT_MANIFEST_DEFAULTS): { name: string; path: string }[] {
  return [
    { name: 'proc', path: '/proc' },
    // Only the task bundles (config.json with the CRI annotations), not containerd's state directory with its socket.
    { name: 'containerd-state', path: containerdTaskDir(options.containerdState) },
    { name: 'containerd-layers', path: options.containerdRoot },
    { name: 'crio-state', path: '/run/containers' },
    { name: 'crio-layers', path: '/var/lib/containers' },
    { name: 'docker', path: '/var/lib/docker' },
  ];
}

export function driftManifests(options: DriftManifestOptions = DRIFT_MANIFEST_DEFAULTS): Record<string, unknown>[] {
  const hostPaths = hostReadPaths(options);
  const stateArgs = options.containerdState === DRIFT_MANIFEST_DEFAULTS.containerdState ? [] : ['--containerd-state', options.containerdState];
  const labels = { 'app.kubernetes.io/name': 'rootlock-drift', 'app.kubernetes.io/part-of': 'rootlock' };
  const namespace = {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name: options.namespace,
      labels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
      annotations: {
        [IGNORE_ANNOTATION]: namespacePodSecurity.id,
        [IGNORE_REASON_ANNOTATION]: 'the drift scanner\'s host mounts and two capabilities need the privileged level; the namespace holds nothing else',
      },
    },
  };
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rootlock-drift', namespace: options.namespace, labels }, automountServiceAccountToken: false };
  // The scanner needs no Kubernetes API access: pod names come from the runtime's files on the node,
  // and its .rootlock.yaml from a mounted ConfigMap. The Role grants nothing, so that stays explicit.
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    metadata: { name: 'rootlock-drift', namespace: options.namespace, labels },
    rules: [],
  };
  const roleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: 'rootlock-drift', namespace: options.namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rootlock-drift' },
    subjects: [{ kind: 'ServiceAccount', name: 'rootlock-drift', namespace: options.namespace }],
  };
  const daemonSet = {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'rootlock-drift', namespace: options.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          // A reviewed node agent: rootlock's own audit reports these as errors, and they are waived here with the reason.
          annotations: {
            'rootlock.dev/ignore.drift': 'no-added-capabilities,no-writable-host-path',
            'rootlock.dev/ignore-reason':
              'drift scanner: DAC_READ_SEARCH reads upper layers owned by any user, SYS_PTRACE reads /proc/<pid>/exe and /proc/<pid>/root ' +
              `of other users' processes; uid ${IMAGE_DRIFT_USER.uid} holds them only through the file capabilities of the image's ${IMAGE_DRIFT_CLI} ` +
              '(deploy/image), which allowPrivilegeEscalation: false leaves in effect because the runtime already grants them; ' +
              'every host mount is readOnly (not recursively), and the containerd mount is the task-bundle directory, ' +
              'which does not hold the containerd socket',
          },
        },
        spec: {
          serviceAccountName: 'rootlock-drift',
          automountServiceAccountToken: false,
          // Host PIDs are read through the host's /proc mounted at /host/proc; the pod stays in its own PID namespace.
          securityContext: { runAsNonRoot: true, runAsUser: IMAGE_DRIFT_USER.uid, runAsGroup: IMAGE_DRIFT_USER.gid, seccompProfile: { type: 'RuntimeDefault' } },
          tolerations: [{ operator: 'Exists' }],
          containers: [{
            name: 'drift',
            image: options.image,
            // .rootlock.yaml (drift.allow) is found upward from the working directory: the optional ConfigMap.
            workingDir: '/etc/rootlock',
            // The capped copy of rootlock, exec'd by the runtime itself: a shell in between would hold no capabilities,
            // and under no_new_privs rootlock would then start without them. The image's entrypoint is the plain copy,
            // which the webhook and the audit run with ALL capabilities dropped (the kernel refuses to exec the capped one there).
            command: [IMAGE_DRIFT_CLI],
            args: ['drift', 'watch', '--root', '/host', '--interval', options.interval, '--listen', `0.0.0.0:${options.port}`, ...stateArgs],
            env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            ports: [{ name: 'metrics', containerPort: options.port }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'metrics' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 60, failureThreshold: 5 },
            resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
            securityContext: {
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              privileged: false,
              // Reading other users' upper directories and /proc/<pid>/root needs these two, nothing else. The runtime puts
              // them in the bounding, permitted and effective sets; uid 65533 keeps them across its exec of node only because
              // node carries them as file capabilities (no ambient capabilities in Kubernetes). no_new_privs stays on: an exec
              // that gains nothing beyond what the caller holds is not an escalation.
              capabilities: { drop: ['ALL'], add: [...DRIFT_FILE_CAPABILITIES] },
            },
            // No mount propagation: what the scanner reads (processes, upper-layer directories, bundle files) is there
            // without it, and HostToContainer is refused on hosts whose mounts are private rather than shared.
            volumeMounts: [
              ...hostPaths.map((p) => ({ name: p.name, mountPath: `/host${p.path}`, readOnly: true })),
              { name: 'config', mountPath: '/etc/rootlock', readOnly: true },
            ],
          }],
          // No hostPath type that creates anything: a runtime a node does not have is simply an empty mount.
          volumes: [
            ...hostPaths.map((p) => ({ name: p.name, hostPath: p.name === 'proc' ? { path: p.path, type: 'Directory' } : { path: p.path } })),
            { name: 'config', configMap: { name: 'rootlock-drift', optional: true } },
          ],
        },
      },
    },
  };
  return [namespace, serviceAccount, role, roleBinding, daemonSet];
}

export function driftManifestsYaml(options: DriftManifestOptions = DRIFT_MANIFEST_DEFAULTS): string {
  return driftManifests(options).map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}
