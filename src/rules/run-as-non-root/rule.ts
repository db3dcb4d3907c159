import { containerSecurityContextPath } from '../../core/security-context.js';
import { defineRule } from '../../core/rule.js';
import type { FixBuilder } from '../../core/rule.js';
import type { EffectiveValue } from '../../core/security-context.js';
import { describeContainer, isWindowsPod } from '../describe.js';

function origin(setting: EffectiveValue<unknown>): string {
  return setting.from === 'pod' ? ' in the pod securityContext' : '';
}

function runAsNonRootState(setting: EffectiveValue<unknown>): string {
  if (setting.value === undefined) return 'does not set runAsNonRoot';
  if (setting.value === false) return `sets runAsNonRoot: false${origin(setting)}`;
  return `sets runAsNonRoot to ${JSON.stringify(setting.value)}${origin(setting)}, which is not the boolean true`;
}

export default defineRule({
  id: 'run-as-non-root',
  severity: 'error',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  fixable: true,
  fixSafety: { manualReason: 'the knowledge base does not say which non-root uid this image can run as, so forcing runAsNonRoot could stop it from starting' },
  checklist: 'runAsNonRoot: true to prevent root access',
  docs: {
    summary: 'Container that may run as root: runAsNonRoot is not true, or runAsUser is 0',
    rationale:
      'A process running as uid 0 owns most of the container filesystem, so it can undo much of what immutability ' +
      'buys: it can write to any volume regardless of file modes, change ownership of mounted files, and it turns ' +
      'every kernel or runtime escape into root on the node. With runAsNonRoot: true the kubelet refuses to start a ' +
      'container whose user is 0, whether the manifest or the image chose it. The container setting overrides the ' +
      'pod setting, so a container can undo a pod-level runAsNonRoot: true with its own runAsUser: 0 or ' +
      'runAsNonRoot: false. The Restricted Pod Security Standard requires both.',
    remediation:
      'Set runAsNonRoot: true in the pod securityContext (or on each container) and make sure the image runs as a ' +
      'numeric non-zero user, or set runAsUser to such a uid. rootlock fix only acts when the uid is known to be ' +
      'non-zero: runAsUser is already set to one, or the image knowledge base knows the image\'s user; then it also ' +
      'writes that runAsUser, because the kubelet cannot verify a user the image names only by name (USER nobody). ' +
      'Images that run as root, such as the official nginx, need a non-root variant (nginxinc/nginx-unprivileged) ' +
      'or a runAsUser the image supports, which a human has to choose.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    ],
  },
  check(context) {
    const windows = isWindowsPod(context.workload);
    for (const container of context.containers()) {
      const effective = context.effective(container);
      const runAsUser = effective.runAsUser;
      const runAsNonRoot = effective.runAsNonRoot;
      if (runAsUser.value === 0) {
        context.report({
          container,
          path: runAsUser.path,
          message: () => runAsNonRoot.value === true
            ? `${describeContainer(container)} sets runAsUser: 0${origin(runAsUser)} together with runAsNonRoot: true, so the kubelet refuses to start it`
            : `${describeContainer(container)} runs as root: runAsUser is 0${origin(runAsUser)}`,
          hint: 'set runAsUser to a non-zero uid the image supports and runAsNonRoot: true',
        });
        continue;
      }
      if (runAsNonRoot.value === true) continue;

      const knowledge = context.knowledge.lookup(container.image);
      const imageUser = knowledge?.runsAsUser;
      const explicitUser = Number.isInteger(runAsUser.value) ? (runAsUser.value as number) : undefined;
      // The uid the container will run as, when it is known to be non-root.
      const nonRootUser = explicitUser ?? (imageUser !== undefined && imageUser > 0 ? imageUser : undefined);
      const detail = (): string => {
        if (explicitUser !== undefined) return `; runAsUser is ${explicitUser}${origin(runAsUser)}, so runAsNonRoot: true only makes that binding`;
        if (imageUser !== undefined && imageUser > 0) return `; image ${container.image ?? ''} runs as uid ${imageUser} by default, so runAsNonRoot: true is safe to set`;
        if (imageUser === 0) return `; image ${container.image ?? ''} runs as root by default, so it needs a non-root runAsUser or image before runAsNonRoot: true can be set`;
        return '';
      };

      const securityContext = containerSecurityContextPath(container);
      const canFix = nonRootUser !== undefined && !windows;
      context.report({
        container,
        path: runAsNonRoot.path,
        message: () => `${describeContainer(container)} ${runAsNonRootState(runAsNonRoot)}, so it may run as root${detail()}`,
        hint: canFix
          ? `set securityContext.runAsNonRoot: true${explicitUser === undefined ? ` and runAsUser: ${nonRootUser}` : ''}`
          : windows
            ? 'run as a non-administrator user (windowsOptions.runAsUserName) and set runAsNonRoot: true'
            : 'choose a non-root uid the image supports, then set runAsUser to it and runAsNonRoot: true',
        ...(canFix
          ? {
              fix: (fix: FixBuilder) => {
                // Always on the container: writing the pod level would also bind containers that may run as root.
                fix.set([...securityContext, 'runAsNonRoot'], true);
                // Pin the uid the knowledge base vouches for: the kubelet cannot verify an image user given by name.
                if (explicitUser === undefined) fix.set([...securityContext, 'runAsUser'], nonRootUser);
              },
            }
          : {}),
      });
    }
  },
});
