// The ServiceAccount a pod runs as, and what suggests the pod calls the API with
// its token: rootlock fix keeps the token of such a pod.
import { isObject } from '../../core/path.js';
import type { FixSafetyContext, FixTarget } from '../../core/rule.js';

/** The ServiceAccount a pod runs as: serviceAccountName, its deprecated alias serviceAccount, or "default". */
export function serviceAccountOf(podSpec: Record<string, unknown>): string {
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = podSpec[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}

/** Images that are known to talk to the Kubernetes API. */
const API_CLIENT_IMAGE = /(operator|controller|kube-state-metrics|prometheus|cert-manager|external-dns|ingress|argocd|flux|kyverno|gatekeeper|autoscaler|metrics-server|cluster-agent|sidecar-injector)/i;

/** What suggests the pod uses the API, or undefined when nothing does. */
export function apiUseSignal(target: FixTarget, context: FixSafetyContext): string | undefined {
  const spec = target.workload.podSpec;
  const account = serviceAccountOf(spec);
  if (context.boundServiceAccounts.has(`${target.namespace ?? ''}/${account}`)) return `the pod may use the Kubernetes API: its ServiceAccount "${account}" is granted RBAC permissions in the same input`;
  const volumes = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  const projectsToken = volumes.some((v) => isObject(v) && isObject(v['projected']) && Array.isArray(v['projected']['sources']) && v['projected']['sources'].some((s) => isObject(s) && 'serviceAccountToken' in s));
  if (projectsToken) return 'the pod may use the Kubernetes API: it mounts a projected service account token';
  const client = target.workload.containers.find((c) => c.image !== undefined && API_CLIENT_IMAGE.test(c.image));
  if (client) return `the pod may use the Kubernetes API: its image ${client.image} looks like a Kubernetes API client`;
  return undefined;
}
