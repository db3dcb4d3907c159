// Wording and facts shared by the rules in this folder, so every message names
// containers the same way.
import { isObject } from '../core/path.js';
import type { ContainerView, Workload } from '../core/workloads.js';

/** `container "app"`, `init container "setup"`, `sidecar container "proxy"`, `ephemeral container "debug"`. */
export function describeContainer(container: Pick<ContainerView, 'type' | 'name'> & { restartableSidecar?: boolean }): string {
  const kind = container.restartableSidecar
    ? 'sidecar container'
    : container.type === 'initContainer'
      ? 'init container'
      : container.type === 'ephemeralContainer'
        ? 'ephemeral container'
        : 'container';
  return `${kind} "${container.name}"`;
}

/**
 * Pods with spec.os.name: windows may not set Linux-only fields (capabilities,
 * privileged, allowPrivilegeEscalation, procMount, runAsUser...): the API
 * server rejects them, so rules neither ask for nor write them there.
 */
export function isWindowsPod(workload: Workload | undefined): boolean {
  const os = workload?.podSpec['os'];
  return isObject(os) && os['name'] === 'windows';
}

/** `a`, `a and b`, `a, b and c`. */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function quotedList(names: readonly string[]): string {
  return joinList(names.map((name) => `"${name}"`));
}
