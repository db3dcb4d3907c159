// Volumes and mounts as the kubelet sees them: which volume a mount refers to,
// whether the container can write through it, and which directories it makes
// writable under a read-only root filesystem.
import { isObject } from './path.js';
import type { JsonObject, Path } from './types.js';
import type { ContainerView, Workload } from './workloads.js';

/**
 * Volume sources a container can write through. configMap, secret,
 * downwardAPI, projected and image volumes are always read-only; network
 * and CSI volumes depend on the driver, so they do not count either.
 */
const WRITABLE_VOLUME_TYPES: ReadonlySet<string> = new Set(['emptyDir', 'ephemeral', 'persistentVolumeClaim', 'hostPath']);

export interface MountView {
  /** Index in the container's volumeMounts. */
  index: number;
  /** Field path of the volumeMount inside the Kubernetes object. */
  path: Path;
  name: string | undefined;
  mountPath: string | undefined;
  /** The part of the volume mounted, when the mount names one. */
  subPath: string | undefined;
  readOnly: boolean;
  /** The pod volume the mount refers to, when the pod declares it. */
  volume: JsonObject | undefined;
  /** The volume's source field (emptyDir, hostPath, configMap, ...). */
  volumeType: string | undefined;
}

export function volumesByName(podSpec: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const list = podSpec['volumes'];
  if (!Array.isArray(list)) return out;
  for (const volume of list) {
    if (isObject(volume) && typeof volume['name'] === 'string' && !out.has(volume['name'])) out.set(volume['name'], volume);
  }
  return out;
}

/** The source field of a volume: its one key besides `name`. */
export function volumeType(volume: JsonObject): string | undefined {
  return Object.keys(volume).find((key) => key !== 'name' && volume[key] !== null && volume[key] !== undefined);
}

export function mountsOf(workload: Workload, container: ContainerView): MountView[] {
  const list = container.spec['volumeMounts'];
  if (!Array.isArray(list)) return [];
  const volumes = volumesByName(workload.podSpec);
  const out: MountView[] = [];
  list.forEach((mount: unknown, index) => {
    if (!isObject(mount)) return;
    const name = typeof mount['name'] === 'string' ? mount['name'] : undefined;
    const volume = name === undefined ? undefined : volumes.get(name);
    out.push({
      index,
      path: [...container.path, 'volumeMounts', index],
      name,
      mountPath: typeof mount['mountPath'] === 'string' ? mount['mountPath'] : undefined,
      subPath: typeof mount['subPath'] === 'string' && mount['subPath'] !== '' ? mount['subPath'] : undefined,
      readOnly: mount['readOnly'] === true,
      volume,
      volumeType: volume ? volumeType(volume) : undefined,
    });
  });
  return out;
}

/** True when the container can write below the mount's path through it. */
export function isWritableMount(mount: MountView): boolean {
  if (mount.readOnly || mount.volume === undefined || mount.volumeType === undefined) return false;
  if (!WRITABLE_VOLUME_TYPES.has(mount.volumeType)) return false;
  const source = mount.volume[mount.volumeType];
  // A PVC can be attached read-only for the whole pod.
  return !(mount.volumeType === 'persistentVolumeClaim' && isObject(source) && source['readOnly'] === true);
}

/**
 * An absolute path with duplicate and trailing slashes removed, and `/var/run`
 * spelled `/run`: on Debian and Alpine based images (and most hosts) /var/run
 * is a symlink to /run, so the two name the same directory.
 */
export function canonicalPath(path: string): string {
  let out = ('/' + path).replace(/\/+/g, '/');
  if (out.length > 1) out = out.replace(/\/$/, '');
  if (out === '/var/run' || out.startsWith('/var/run/')) out = '/run' + out.slice('/var/run'.length);
  return out;
}

/** True when `path` is `ancestor` or lies below it (after canonicalPath). */
export function isSameOrBelow(path: string, ancestor: string): boolean {
  const child = canonicalPath(path);
  const parent = canonicalPath(ancestor);
  return parent === '/' || child === parent || child.startsWith(parent + '/');
}

/** True when a mount at `mountPath` makes `path` reachable through the mounted volume. */
export function mountCovers(mountPath: string, path: string): boolean {
  return isSameOrBelow(path, mountPath);
}
