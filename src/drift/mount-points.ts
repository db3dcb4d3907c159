// Runtime plumbing in an upper layer: before a container starts, the runtime
// creates an empty file or directory for each mount it binds over the image
// (/etc/hosts, /etc/resolv.conf, /dev/termination-log, /run/secrets/..., and
// /dev, /proc, /sys in a sandbox image that has none), and the directories
// that hold them. The container never wrote them and cannot see them under
// the mounts, so they are not drift. Pure.
import type { Change } from './differ.js';

function isPlaceholder(change: Change): boolean {
  return change.kind === 'added' && (change.type === 'dir' || (change.type === 'file' && change.size === 0));
}

function isUnder(path: string, dir: string): boolean {
  return dir === '/' || path.startsWith(`${dir}/`);
}

/**
 * The changes without the runtime's mount targets: an added empty file or
 * directory at a mount point, and an added directory whose only changes below
 * it are such targets (made to hold a mount point deeper down).
 */
export function withoutMountTargets(changes: readonly Change[], mountPoints: readonly string[]): Change[] {
  const targets = mountPoints.filter((point) => point !== '/');
  if (targets.length === 0) return [...changes];
  const atTarget = (change: Change): boolean => isPlaceholder(change) && targets.includes(change.path);
  const holdsTarget = (change: Change): boolean => change.kind === 'added' && change.type === 'dir' && targets.some((point) => isUnder(point, change.path));
  const plumbing = (change: Change): boolean =>
    atTarget(change) || (holdsTarget(change) && changes.every((other) => !isUnder(other.path, change.path) || atTarget(other) || holdsTarget(other)));
  return changes.filter((change) => !plumbing(change));
}
