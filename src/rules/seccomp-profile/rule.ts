import { defineRule } from '../../core/rule.js';
import { getAt, isObject } from '../../core/path.js';
import { podSecurityContextPath } from '../../core/security-context.js';
import type { ContainerView } from '../../core/workloads.js';
import { describeContainer, joinList } from '../describe.js';

// Deprecated since 1.19 and ignored since 1.27; still found in old manifests,
// where they give a false sense of protection.
const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

type Assessment =
  | { verdict: 'confined' }
  | { verdict: 'unconfined' }
  /** The API server rejects the profile; `field` is where the problem is, `problem` completes "sets ...". */
  | { verdict: 'invalid'; field: 'type' | 'localhostProfile'; problem: string };

function assess(profile: unknown): Assessment {
  if (!isObject(profile)) return { verdict: 'invalid', field: 'type', problem: `seccompProfile to ${JSON.stringify(profile)}, which is not a mapping with a type` };
  const type = profile['type'];
  if (type === 'RuntimeDefault') return { verdict: 'confined' };
  if (type === 'Unconfined') return { verdict: 'unconfined' };
  if (type === 'Localhost') {
    const file = profile['localhostProfile'];
    return typeof file === 'string' && file !== ''
      ? { verdict: 'confined' }
      : { verdict: 'invalid', field: 'localhostProfile', problem: 'seccompProfile type Localhost without a localhostProfile' };
  }
  if (type === undefined || type === null) return { verdict: 'invalid', field: 'type', problem: 'a seccompProfile without a type' };
  return { verdict: 'invalid', field: 'type', problem: `seccompProfile type ${JSON.stringify(type)}, which is not RuntimeDefault, Localhost or Unconfined` };
}

/** `; the ... annotations are deprecated and ignored ...` when the pod still relies on the old seccomp annotations, else ''. */
function deprecatedAnnotations(podMetadata: Record<string, unknown>, inheriting: readonly ContainerView[]): string {
  const annotations = isObject(podMetadata['annotations']) ? podMetadata['annotations'] : {};
  const annotated = [
    ...(annotations[POD_ANNOTATION] !== undefined ? [POD_ANNOTATION] : []),
    ...inheriting.map((c) => `${CONTAINER_ANNOTATION_PREFIX}${c.name}`).filter((key) => annotations[key] !== undefined),
  ];
  return annotated.length ? `; the ${joinList(annotated)} annotation${annotated.length > 1 ? 's are' : ' is'} deprecated and ignored since Kubernetes 1.27` : '';
}

export default defineRule({
  id: 'seccomp-profile',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  fixable: true,
  docs: {
    summary: 'No RuntimeDefault or Localhost seccomp profile in effect for a container',
    rationale:
      'Without a seccomp profile a container runs Unconfined (unless the kubelet enables seccompDefault) and may make ' +
      'any of the kernel\'s several hundred system calls, including the ones container escapes and kernel exploits ' +
      'rely on. The container runtime\'s RuntimeDefault profile blocks the dangerous ones while letting ordinary ' +
      'applications run, and it is what the restricted Pod Security Standard requires. An immutable root filesystem ' +
      'stops writes to the image; seccomp narrows what an attacker can ask the kernel for.',
    remediation:
      'Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec so every container inherits it; `rootlock fix` ' +
      'adds it when neither the pod nor the containers set a profile. Use type Localhost with a localhostProfile for a ' +
      'tighter custom profile. A container\'s own seccompProfile overrides the pod\'s: remove a container-level ' +
      'Unconfined (it is never fixed automatically, nor is an explicit pod-level Unconfined, because someone chose it). ' +
      `The annotations ${POD_ANNOTATION} and ${CONTAINER_ANNOTATION_PREFIX}<name> are deprecated and ignored since ` +
      'Kubernetes 1.27; replace them with the securityContext field. Pods with spec.os.name: windows are skipped, ' +
      'since seccomp is Linux only.',
    references: [
      'https://kubernetes.io/docs/tutorials/security/seccomp/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-the-seccomp-profile-for-a-container',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    ],
  },
  check(context) {
    const workload = context.workload;
    if (!workload) return;
    // Seccomp is Linux only; the restricted standard exempts pods that declare os.name: windows.
    if (getAt(workload.podSpec, ['os', 'name']) === 'windows') return;
    const podProfilePath = [...podSecurityContextPath(workload), 'seccompProfile'];
    // Containers that take the pod's profile because they set none of their own.
    const inheriting: ContainerView[] = [];

    for (const container of context.containers()) {
      const setting = context.effective(container).seccompProfile;
      if (setting.from !== 'container') {
        inheriting.push(container);
        continue;
      }
      const assessment = assess(setting.value);
      const who = describeContainer(container);
      if (assessment.verdict === 'unconfined') {
        context.report({
          container,
          path: [...setting.path, 'type'],
          message: `${who} sets seccompProfile type Unconfined, which switches seccomp off so it can make any system call the kernel offers`,
          hint: "remove the container's seccompProfile so it inherits the pod's RuntimeDefault, or give it a Localhost profile that allows what it needs",
        });
      } else if (assessment.verdict === 'invalid') {
        context.report({
          container,
          path: [...setting.path, assessment.field],
          message: `${who} sets ${assessment.problem}, so the API server rejects it`,
          hint: 'set seccompProfile.type to RuntimeDefault, or to Localhost together with a localhostProfile',
        });
      }
    }
    if (inheriting.length === 0) return;

    const podSecurityContext = workload.podSpec['securityContext'];
    const podProfile = isObject(podSecurityContext) ? podSecurityContext['seccompProfile'] : undefined;
    const names = (): string => joinList(inheriting.map(describeContainer));
    const deprecation = (): string => deprecatedAnnotations(workload.podMetadata, inheriting);
    const hint = 'set securityContext.seccompProfile.type: RuntimeDefault in the pod spec';

    if (podProfile === undefined || podProfile === null) {
      context.report({
        path: [...podProfilePath, 'type'],
        message: () => `pod sets no seccomp profile for ${names()}, so ${inheriting.length > 1 ? 'they run' : 'it runs'} Unconfined, able to make any system call, unless the kubelet enables seccompDefault${deprecation()}`,
        hint,
        fix: (fix) => fix.set([...podProfilePath, 'type'], 'RuntimeDefault'),
      });
      return;
    }
    const assessment = assess(podProfile);
    if (assessment.verdict === 'confined') return;
    if (assessment.verdict === 'unconfined') {
      // Someone chose Unconfined: say so plainly, but leave the change to them.
      context.report({
        path: [...podProfilePath, 'type'],
        message: () => `pod sets seccompProfile type Unconfined, which switches seccomp off for ${names()}, so any system call the kernel offers is allowed${deprecation()}`,
        hint,
      });
      return;
    }
    context.report({
      path: [...podProfilePath, assessment.field],
      message: () => `pod sets ${assessment.problem}, so the API server rejects it and ${names()} ${inheriting.length > 1 ? 'get' : 'gets'} no seccomp profile${deprecation()}`,
      hint,
      // Replace the whole profile: a stale localhostProfile beside RuntimeDefault is itself rejected.
      fix: (fix) => fix.set(podProfilePath, { type: 'RuntimeDefault' }),
    });
  },
});
