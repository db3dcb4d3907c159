// Maps a container process to its pod, container name and image from what
// the runtime leaves on the node: the cgroup path names the container id,
// the runtime's state files carry Kubernetes' annotations. Pure: parses text
// and JSON; src/drift/fs/runtime-files.ts finds the files.

export type Runtime = 'containerd' | 'cri-o' | 'docker';

export interface ContainerRef {
  runtime?: Runtime;
  containerId: string;
  podUid?: string;
}

/** What is known about a container; a process outside any recognised runtime has only its overlay. */
export interface ContainerIdentity {
  runtime?: Runtime;
  containerId?: string;
  podUid?: string;
  podNamespace?: string;
  podName?: string;
  containerName?: string;
  /** Image reference as the pod spec or runtime names it. */
  image?: string;
  /** Image digest or id (sha256:...), when the runtime records one. */
  imageDigest?: string;
}

const ID = /[0-9a-f]{64}/g;

/**
 * Reads /proc/<pid>/cgroup (v1 or v2). Recognises systemd and cgroupfs
 * layouts: cri-containerd-<id>.scope, crio-<id>.scope, docker-<id>.scope,
 * /kubepods/.../pod<uid>/<id>, /docker/<id>.
 */
export function containerFromCgroup(text: string): ContainerRef | undefined {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const ids = path.match(ID);
    if (!ids) continue;
    const containerId = ids[ids.length - 1]!;
    const ref: ContainerRef = { containerId };
    if (path.includes(`cri-containerd-${containerId}`)) ref.runtime = 'containerd';
    else if (path.includes(`crio-${containerId}`)) ref.runtime = 'cri-o';
    else if (path.includes(`docker-${containerId}`) || path.includes(`/docker/${containerId}`)) ref.runtime = 'docker';
    const pod = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/.exec(path);
    if (pod) ref.podUid = pod[1]!.replace(/_/g, '-');
    return ref;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function digestOf(reference: string | undefined): string | undefined {
  const match = reference ? /sha256:[0-9a-f]{64}/.exec(reference) : null;
  return match ? match[0] : undefined;
}

function assign<T extends object>(target: T, values: Partial<T>): T {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

/** containerd's OCI bundle config.json: CRI annotations io.kubernetes.cri.*. */
export function identityFromContainerdSpec(ref: ContainerRef, spec: unknown): ContainerIdentity {
  const annotations = isRecord(spec) && isRecord(spec['annotations']) ? spec['annotations'] : {};
  const image = stringField(annotations, 'io.kubernetes.cri.image-name');
  return assign<ContainerIdentity>({ ...ref, runtime: 'containerd' }, {
    podNamespace: stringField(annotations, 'io.kubernetes.cri.sandbox-namespace'),
    podName: stringField(annotations, 'io.kubernetes.cri.sandbox-name'),
    podUid: stringField(annotations, 'io.kubernetes.cri.sandbox-uid') ?? ref.podUid,
    containerName: stringField(annotations, 'io.kubernetes.cri.container-name'),
    image,
    imageDigest: digestOf(image),
  });
}

/** CRI-O's userdata/config.json: io.kubernetes.pod.* and io.kubernetes.cri-o.* annotations. */
export function identityFromCrioSpec(ref: ContainerRef, spec: unknown): ContainerIdentity {
  const annotations = isRecord(spec) && isRecord(spec['annotations']) ? spec['annotations'] : {};
  let labels: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(stringField(annotations, 'io.kubernetes.cri-o.Labels') ?? '{}');
    if (isRecord(parsed)) labels = parsed;
  } catch {
    // a malformed label blob leaves the direct annotations
  }
  const field = (key: string): string | undefined => stringField(annotations, key) ?? stringField(labels, key);
  const image = field('io.kubernetes.cri-o.ImageName');
  return assign<ContainerIdentity>({ ...ref, runtime: 'cri-o' }, {
    podNamespace: field('io.kubernetes.pod.namespace'),
    podName: field('io.kubernetes.pod.name'),
    podUid: field('io.kubernetes.pod.uid') ?? ref.podUid,
    containerName: field('io.kubernetes.container.name'),
    image,
    imageDigest: digestOf(field('io.kubernetes.cri-o.ImageRef')) ?? digestOf(field('io.kubernetes.cri-o.Image')) ?? digestOf(image),
  });
}

/** Docker's containers/<id>/config.v2.json: dockershim's io.kubernetes.* labels, the image name and id. */
export function identityFromDockerConfig(ref: ContainerRef, config: unknown): ContainerIdentity {
  const root = isRecord(config) ? config : {};
  const inner = isRecord(root['Config']) ? root['Config'] : {};
  const labels = isRecord(inner['Labels']) ? inner['Labels'] : {};
  const image = stringField(inner, 'Image');
  return assign<ContainerIdentity>({ ...ref, runtime: 'docker' }, {
    podNamespace: stringField(labels, 'io.kubernetes.pod.namespace'),
    podName: stringField(labels, 'io.kubernetes.pod.name'),
    podUid: stringField(labels, 'io.kubernetes.pod.uid') ?? ref.podUid,
    containerName: stringField(labels, 'io.kubernetes.container.name') ?? stringField(root, 'Name')?.replace(/^\//, ''),
    image,
    imageDigest: digestOf(stringField(root, 'Image')) ?? digestOf(image),
  });
}

/** Where a node's runtimes keep their state, when not where their packages put it (k3s, RKE2, a custom config). */
export interface RuntimeLocations {
  /** containerd's `state` directory (its config.toml); the task bundles are under it. */
  containerdState: string;
}

export const DEFAULT_RUNTIME_LOCATIONS: RuntimeLocations = { containerdState: '/run/containerd' };

/** containerd's directory of task bundles (one config.json per container) under its state directory. */
export function containerdTaskDir(containerdState: string): string {
  return `${containerdState.replace(/\/+$/, '')}/io.containerd.runtime.v2.task`;
}

/** Where each runtime keeps a container's metadata, relative to the host root. */
export function metadataCandidates(ref: ContainerRef, locations: RuntimeLocations = DEFAULT_RUNTIME_LOCATIONS): { runtime: Runtime; path: string }[] {
  const id = ref.containerId;
  const tasks = containerdTaskDir(locations.containerdState);
  const containerd = ['k8s.io', 'moby', 'default'].map((ns) => ({ runtime: 'containerd' as const, path: `${tasks}/${ns}/${id}/config.json` }));
  const crio = [
    { runtime: 'cri-o' as const, path: `/run/containers/storage/overlay-containers/${id}/userdata/config.json` },
    { runtime: 'cri-o' as const, path: `/var/lib/containers/storage/overlay-containers/${id}/userdata/config.json` },
  ];
  const docker = [{ runtime: 'docker' as const, path: `/var/lib/docker/containers/${id}/config.v2.json` }];
  const order = ref.runtime === 'cri-o' ? [...crio, ...containerd, ...docker] : ref.runtime === 'docker' ? [...docker, ...containerd, ...crio] : [...containerd, ...crio, ...docker];
  return order;
}

export function identityFromMetadata(ref: ContainerRef, runtime: Runtime, json: unknown): ContainerIdentity {
  if (runtime === 'containerd') return identityFromContainerdSpec(ref, json);
  if (runtime === 'cri-o') return identityFromCrioSpec(ref, json);
  return identityFromDockerConfig(ref, json);
}

/** The key baselines and allow-lists match on: the digest when known, else the image reference. */
export function imageKey(identity: Pick<ContainerIdentity, 'image' | 'imageDigest'>): string | undefined {
  return identity.imageDigest ?? identity.image;
}
