import { defineRule } from '../../core/rule.js';
import type { FixBuilder } from '../../core/rule.js';
import { isObject } from '../../core/path.js';
import { isQuantity } from '../../core/quantity.js';
import { describeContainer } from '../describe.js';
import type { JsonObject, Path } from '../../core/types.js';

const RESOURCES = ['cpu', 'memory'] as const;
type Resource = (typeof RESOURCES)[number];

const CONSEQUENCE: Record<'both' | Resource, string> = {
  both: 'has neither a cpu nor a memory limit, so it can take all the CPU time and memory of its node',
  cpu: 'has no cpu limit, so it can take all the CPU time of its node',
  memory: 'has no memory limit, so it can use memory until the node runs out',
};

/** `resources.limits` of a container or pod spec, when it is a mapping. */
function limitsOf(spec: JsonObject): JsonObject | undefined {
  const resources = spec['resources'];
  const limits = isObject(resources) ? resources['limits'] : undefined;
  return isObject(limits) ? limits : undefined;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export default defineRule({
  id: 'resource-limits',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  // Limits are never invented: only the owner knows what the workload needs, and says so with --default-limits.
  fixable: false,
  fixSafety: {
    manualReason: 'rootlock never invents limits: set them, or pass --default-limits cpu=500m,memory=256Mi',
    options: ['defaultLimits'],
  },
  checklist: 'Resource limits set to prevent resource abuse',
  docs: {
    summary: 'Container without a cpu or memory limit',
    rationale:
      'A container without limits can take every CPU cycle and byte of memory on its node: a compromised container ' +
      'can run a cryptominer or exhaust memory and starve its neighbours, and a memory-backed emptyDir (tmpfs) ' +
      'counts against the memory limit, so without one its writes are bounded only by the node. Limits keep an ' +
      'incident inside the container it started in.',
    remediation:
      'Set resources.limits.cpu and resources.limits.memory on every container and init container, sized from ' +
      'observed usage with headroom (requests as well, so the scheduler can place the pod). A pod-level limit in ' +
      'spec.resources.limits (PodLevelResources, beta and on by default since Kubernetes 1.34) also bounds every ' +
      'container and satisfies this rule for that resource. Ephemeral containers cannot have resources and are ' +
      'not checked. A LimitRange in the namespace can supply defaults, but rootlock cannot see it in a manifest.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/',
      'https://kubernetes.io/docs/concepts/policy/limit-range/',
    ],
  },
  check(context) {
    const workload = context.workload;
    if (!workload) return;
    const podLimits = limitsOf(workload.podSpec);
    for (const container of context.containers()) {
      // The API has no resources field for ephemeral containers.
      if (container.type === 'ephemeralContainer') continue;
      const limitsPath = (): Path => [...container.path, 'resources', 'limits'];
      const limits = limitsOf(container.spec);
      const missing: Resource[] = [];
      for (const resource of RESOURCES) {
        const value = limits?.[resource];
        if (isSet(value)) {
          if (!isQuantity(value)) {
            context.report({
              container,
              path: [...limitsPath(), resource],
              message: () => `${describeContainer(container)} has a ${resource} limit ${JSON.stringify(value)} that is not a Kubernetes quantity, so the API server rejects it`,
              hint: `write the ${resource} limit as a quantity such as ${resource === 'cpu' ? '500m or 2' : '256Mi or 1Gi'}`,
            });
          }
          continue;
        }
        if (isSet(podLimits?.[resource])) continue;
        missing.push(resource);
      }
      if (missing.length === 0) continue;
      const only = missing.length === 1 ? missing[0] : undefined;
      const defaults = context.fixOptions.defaultLimits;
      const given = defaults === undefined ? [] : missing.filter((resource) => defaults[resource] !== undefined);
      context.report({
        container,
        path: only ? [...limitsPath(), only] : limitsPath(),
        message: `${describeContainer(container)} ${CONSEQUENCE[only ?? 'both']}`,
        hint: `set resources.limits.${only ?? 'cpu and resources.limits.memory'} from the container's measured usage plus headroom`,
        ...(given.length && defaults
          ? {
              fix: (fix: FixBuilder) => {
                for (const resource of given) fix.set([...limitsPath(), resource], defaults[resource]);
                fix.fromOption(`set default ${given.map((resource) => `${resource} limit ${String(defaults[resource])}`).join(' and ')} (--default-limits)`);
              },
            }
          : {}),
      });
    }
  },
});
