import { capabilityEntries } from '../../core/capabilities.js';
import { defineRule } from '../../core/rule.js';
import { describeContainer, isWindowsPod } from '../describe.js';

export default defineRule({
  id: 'no-privilege-escalation',
  severity: 'error',
  enforcement: 'deny',
  admission: () => import('./admission.js'),
  fixable: true,
  checklist: 'allowPrivilegeEscalation: false to prevent privilege escalation',
  docs: {
    summary: 'Container without securityContext.allowPrivilegeEscalation: false',
    rationale:
      'allowPrivilegeEscalation controls the no_new_privs flag of the container process. Unless it is false, a ' +
      'setuid binary or a file capability in the image (or dropped into a writable volume) can give a process more ' +
      'privileges than its parent, for example root inside a container that started as a non-root user, which can ' +
      'then write everywhere the root filesystem and volumes allow. The field defaults to true, so it must be set ' +
      'explicitly. Kubernetes forces it to true for a privileged container and for one that adds CAP_SYS_ADMIN, and ' +
      'the API server rejects allowPrivilegeEscalation: false next to either. The Restricted Pod Security Standard ' +
      'requires false.',
    remediation:
      'Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral ' +
      'container (it is a container-only field: at pod level Kubernetes drops it). rootlock fix sets it, except on ' +
      'containers that are privileged or add SYS_ADMIN: remove those first (see no-privileged and ' +
      'no-added-capabilities), because the API server would reject the combination.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    ],
  },
  check(context) {
    // Windows pods may not set the field at all.
    if (isWindowsPod(context.workload)) return;
    for (const container of context.containers()) {
      const effective = context.effective(container);
      const setting = effective.allowPrivilegeEscalation;
      if (setting.value === false) continue;
      const privileged = effective.privileged.value === true;
      const sysAdmin = capabilityEntries(effective.capabilities.value, 'add').find((entry) => entry.capability === 'SYS_ADMIN');
      const forcedBy = privileged ? 'privileged: true' : sysAdmin ? `the added capability ${sysAdmin.name}` : undefined;
      const state = setting.value === undefined
        ? 'does not set allowPrivilegeEscalation: false'
        : setting.value === true
          ? 'sets allowPrivilegeEscalation: true'
          : `sets allowPrivilegeEscalation to ${JSON.stringify(setting.value)}, which is not the boolean false`;
      const forced = forcedBy ? `, and Kubernetes forces it to true anyway because of ${forcedBy}` : '';
      context.report({
        container,
        path: setting.path,
        message: `${describeContainer(container)} ${state}, so setuid binaries and file capabilities can raise its privileges${forced}`,
        hint: forcedBy
          ? `remove ${privileged ? 'privileged: true' : sysAdmin?.name ?? 'SYS_ADMIN'} first, then set securityContext.allowPrivilegeEscalation: false`
          : 'set securityContext.allowPrivilegeEscalation: false',
        // With privileged or SYS_ADMIN the API server rejects false: no fix until those are gone.
        ...(forcedBy ? {} : { fix: (fix) => fix.set(setting.path, false) }),
      });
    }
  },
});
