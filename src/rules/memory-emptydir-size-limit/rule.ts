import { defineRule } from '../../core/rule.js';
import type { FixBuilder } from '../../core/rule.js';
import type { JsonObject } from '../../core/types.js';
import { getAt, isObject } from '../../core/path.js';
import { compareQuantities, parseQuantity } from '../../core/quantity.js';
import type { Quantity } from '../../core/quantity.js';
import type { ContainerView } from '../../core/workloads.js';
import { describeContainer } from '../describe.js';

function mounts(container: ContainerView, volume: string): boolean {
  const list = container.spec['volumeMounts'];
  return Array.isArray(list) && list.some((mount: unknown) => isObject(mount) && mount['name'] === volume);
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

const NANOS = 1_000_000_000n;
const MEBIBYTE = 1_048_576n;

/** Bytes the memory-backed emptyDirs mounted by a container may hold. */
function memoryVolumeBytes(podSpec: JsonObject, container: ContainerView): bigint {
  const volumes = Array.isArray(podSpec['volumes']) ? podSpec['volumes'] : [];
  let total = 0n;
  for (const volume of volumes) {
    if (!isObject(volume) || typeof volume['name'] !== 'string' || !mounts(container, volume['name'])) continue;
    if (!isObject(volume['emptyDir']) || volume['emptyDir']['medium'] !== 'Memory') continue;
    const size = parseQuantity(volume['emptyDir']['sizeLimit']);
    if (size !== undefined) total += size.nanos / NANOS;
  }
  return total;
}

/** A memory limit that holds the container's tmpfs volumes and as much again for the process. */
function raisedLimit(limit: Quantity, tmpfsBytes: bigint): string {
  return `${(limit.nanos / NANOS + tmpfsBytes) / MEBIBYTE + 1n}Mi`;
}

export default defineRule({
  id: 'memory-emptydir-size-limit',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  // The right size depends on the application; rootlock never invents one, and raises a limit only when asked.
  fixable: false,
  fixSafety: {
    manualReason: 'the right size depends on how much the application writes',
    options: ['memoryTmp'],
  },
  docs: {
    summary: 'Memory-backed emptyDir without a sizeLimit, or with one larger than the memory limit of a container that mounts it',
    rationale:
      'An emptyDir with medium: Memory is a tmpfs: it keeps sensitive temporary files off disk, but every byte ' +
      'written to it is RAM, and it counts against the container\'s memory limit. Without a sizeLimit a runaway ' +
      'log, cache or an attacker filling /tmp grows until the container is OOM-killed or, without a limit, until the ' +
      'node runs short of memory: the tmpfs is capped at the smaller of sizeLimit and the pod\'s summed memory ' +
      'limits, so with neither set only the node\'s memory bounds it. A sizeLimit above the memory limit of a ' +
      'container that mounts the volume gives no protection: the container is killed before the volume is full.',
    remediation:
      'Give every memory-backed emptyDir a sizeLimit (for example sizeLimit: 64Mi, as in the CKS study guide\'s memory-backed /tmp pattern) that fits ' +
      'inside the memory limit of each container that mounts it, with room left for the process itself; a sizeLimit ' +
      'equal to the limit leaves none. Quantities are compared exactly (64Mi, 0.5Gi, 1e9 and 1G are all understood). ' +
      'Use a disk-backed emptyDir for large scratch data.',
    references: [
      'https://kubernetes.io/docs/concepts/storage/volumes/#emptydir',
      'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
      'https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/',
    ],
  },
  check(context) {
    const workload = context.workload;
    if (!workload) return;
    const volumes = workload.podSpec['volumes'];
    if (!Array.isArray(volumes)) return;
    // Read only for a memory-backed volume, which most pods do not have.
    const podMemoryLimit = (): Quantity | undefined => parseQuantity(getAt(workload.podSpec, ['resources', 'limits', 'memory']));

    volumes.forEach((volume: unknown, index) => {
      if (!isObject(volume) || !isObject(volume['emptyDir']) || volume['emptyDir']['medium'] !== 'Memory') return;
      const name = typeof volume['name'] === 'string' ? volume['name'] : `#${index}`;
      const path = [...workload.podSpecPath, 'volumes', index, 'emptyDir', 'sizeLimit'];
      const written = volume['emptyDir']['sizeLimit'];
      if (!isSet(written)) {
        context.report({
          path,
          message: `memory-backed emptyDir volume "${name}" has no sizeLimit, so files written to it take RAM that counts against the container's memory limit until the container is OOM-killed`,
          hint: 'set emptyDir.sizeLimit (e.g. 64Mi) below the memory limit of every container that mounts the volume',
        });
        return;
      }
      const sizeLimit = parseQuantity(written);
      if (!sizeLimit) {
        context.report({
          path,
          message: `memory-backed emptyDir volume "${name}" has sizeLimit ${JSON.stringify(written)}, which is not a Kubernetes quantity, so the API server rejects it`,
          hint: 'write sizeLimit as a quantity such as 64Mi or 1Gi',
        });
        return;
      }
      for (const container of context.containers()) {
        // Ephemeral containers can mount the volume but have no memory limit of their own.
        if (container.type === 'ephemeralContainer' || !mounts(container, name)) continue;
        const own = parseQuantity(getAt(container.spec, ['resources', 'limits', 'memory']));
        const limit: Quantity | undefined = own ?? podMemoryLimit();
        if (!limit || compareQuantities(sizeLimit, limit) <= 0) continue;
        context.report({
          container,
          path,
          message: `memory-backed emptyDir volume "${name}" has sizeLimit ${sizeLimit.text}, larger than the ${limit.text} memory limit of ${describeContainer(container)} that mounts it, so the container is OOM-killed before the volume is full`,
          hint: `lower sizeLimit below ${limit.text}, leaving room for the process, or raise the container's memory limit`,
          // --raise-memory-limit raises the container's own limit; a pod-level one is the owner's to change.
          ...(own !== undefined && context.fixOptions.memoryTmp?.raiseLimits === true
            ? {
                fix: (fix: FixBuilder) => {
                  const raised = raisedLimit(own, memoryVolumeBytes(workload.podSpec, container));
                  fix.set([...container.path, 'resources', 'limits', 'memory'], raised)
                    .fromOption(`raised the memory limit to ${raised} so its memory-backed emptyDirs leave room for the process (--raise-memory-limit)`);
                },
              }
            : {}),
        });
      }
    });
  },
});
