// Which offered fixes `rootlock fix` applies on its own, and why the others
// need a human. A fix that would stop the container from starting is not a
// fix: when the knowledge base cannot tell, the change is reported instead.
import { KnowledgeBase } from '../knowledge/images.js';
import { isObject } from '../core/path.js';
import { effectiveSecurityContext } from '../core/security-context.js';
import { objectReference } from '../core/exemptions.js';
import { documentObjects, workloadOf, BUILTIN_POD_SPEC_LOCATIONS } from '../core/workloads.js';
import type { PodSpecLocation, ContainerView, Workload } from '../core/workloads.js';
import type { Finding } from '../core/types.js';

/** Fixes that change more than the object itself (every pod of a namespace, how a ConfigMap is updated): applied only when asked for by name. */
export const OPT_IN_FIXES: ReadonlyMap<string, string> = new Map([
  ['namespace-pod-security', 'enforcing a Pod Security level rejects every non-compliant pod created in the namespace afterwards'],
  ['configmap-secret-immutable', 'an immutable ConfigMap or Secret can no longer be edited, only replaced under a new name'],
]);

/** Why findings without an automatic fix need a person, where the rule's hint alone does not say it. */
const MANUAL_REASONS: Readonly<Record<string, string>> = {
  'resource-limits': 'rootlock never invents limits: set them, or pass --default-limits cpu=500m,memory=256Mi',
  'image-pinned-by-digest': 'the digest must come from the registry: pass --pin-digests',
  'run-as-non-root': 'the knowledge base does not say which non-root uid this image can run as, so forcing runAsNonRoot could stop it from starting',
  'no-privileged': 'dropping privileged mode can break a workload that really needs the host',
  'no-added-capabilities': 'removing a capability the process uses stops it; confirm it is not needed',
  'no-writable-host-path': 'making a hostPath read-only can break an agent that writes to the node',
  'config-from-configmap-or-secret': 'the value has to move into a Secret that rootlock cannot create for you',
  'memory-emptydir-size-limit': 'the right size depends on how much the application writes',
  'writable-paths-mounted': 'an emptyDir there would hide files the image ships: copy them in with an init container first (seed pattern 1)',
};

/** Images that are known to talk to the Kubernetes API. */
const API_CLIENT_IMAGE = /(operator|controller|kube-state-metrics|prometheus|cert-manager|external-dns|ingress|argocd|flux|kyverno|gatekeeper|autoscaler|metrics-server|cluster-agent|sidecar-injector)/i;

export interface PolicyContext {
  knowledge: KnowledgeBase;
  locations: readonly PodSpecLocation[];
  /** `namespace/name` of ServiceAccounts bound by a RoleBinding or ClusterRoleBinding in the input. */
  boundServiceAccounts: ReadonlySet<string>;
  /** Rules the user named with --rules. */
  explicitRules: ReadonlySet<string>;
}

export type Decision = { apply: true } | { apply: false; why: string };

interface Located {
  workload: Workload;
  container: ContainerView | undefined;
}

/** The workload and container a finding is about, looked up in the current document. */
export function locateFinding(document: unknown, finding: Finding, locations: readonly PodSpecLocation[] = BUILTIN_POD_SPEC_LOCATIONS): Located | undefined {
  for (const { object } of documentObjects(document)) {
    const ref = objectReference(object);
    if (ref.kind !== finding.object.kind || ref.name !== finding.object.name || ref.namespace !== finding.object.namespace) continue;
    const workload = workloadOf(object, locations);
    if (!workload) return undefined;
    const container = workload.containers.find((c) => c.name === finding.container && c.type === finding.containerType);
    return { workload, container };
  }
  return undefined;
}

function runsAsNonRoot(located: Located): boolean {
  if (!located.container) return false;
  const effective = effectiveSecurityContext(located.workload, located.container);
  return effective.runAsNonRoot.value === true || (typeof effective.runAsUser.value === 'number' && effective.runAsUser.value > 0);
}

function apiUseSignal(located: Located, context: PolicyContext, namespace: string | undefined): string | undefined {
  const spec = located.workload.podSpec;
  const account = typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : typeof spec['serviceAccount'] === 'string' ? spec['serviceAccount'] : 'default';
  if (context.boundServiceAccounts.has(`${namespace ?? ''}/${account}`)) return `its ServiceAccount "${account}" is granted RBAC permissions in the same input`;
  const volumes = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  const projectsToken = volumes.some((v) => isObject(v) && isObject(v['projected']) && Array.isArray(v['projected']['sources']) && v['projected']['sources'].some((s) => isObject(s) && 'serviceAccountToken' in s));
  if (projectsToken) return 'it mounts a projected service account token';
  const client = located.workload.containers.find((c) => c.image !== undefined && API_CLIENT_IMAGE.test(c.image));
  if (client) return `its image ${client.image} looks like a Kubernetes API client`;
  return undefined;
}

export function decide(finding: Finding, document: unknown, context: PolicyContext): Decision {
  if (!finding.edits?.length) return { apply: false, why: MANUAL_REASONS[finding.rule] ?? finding.hint };
  const optIn = OPT_IN_FIXES.get(finding.rule);
  if (optIn && !context.explicitRules.has(finding.rule)) {
    return { apply: false, why: `${optIn}; run rootlock fix --rules ${finding.rule} to apply it` };
  }
  if (finding.rule === 'drop-all-capabilities') {
    const located = locateFinding(document, finding, context.locations);
    const known = located?.container?.image !== undefined && context.knowledge.lookup(located.container.image) !== undefined;
    if (located && !known && !runsAsNonRoot(located)) {
      return { apply: false, why: `image ${located.container?.image ?? '(none)'} is not in the knowledge base and may run as root; dropping ALL capabilities can stop it from starting (chown or setuid at start): confirm what it needs, add that back, then drop ALL` };
    }
  }
  if (finding.rule === 'no-service-account-token-automount') {
    const located = locateFinding(document, finding, context.locations);
    const signal = located ? apiUseSignal(located, context, finding.object.namespace) : undefined;
    if (signal) return { apply: false, why: `the pod may use the Kubernetes API: ${signal}` };
  }
  return { apply: true };
}
