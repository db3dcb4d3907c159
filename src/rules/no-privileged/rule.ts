import { defineRule } from '../../core/rule.js';
import { describeContainer } from '../describe.js';

export default defineRule({
  id: 'no-privileged',
  severity: 'error',
  enforcement: 'deny',
  admission: () => import('./admission.js'),
  fixable: false,
  fixSafety: { manualReason: 'dropping privileged mode can break a workload that really needs the host' },
  docs: {
    summary: 'Privileged container (securityContext.privileged: true)',
    rationale:
      'A privileged container gets every Linux capability, all host devices, an unconfined seccomp and AppArmor ' +
      'profile and a writable /sys. Its processes can remount the root filesystem read-write, so ' +
      'readOnlyRootFilesystem no longer holds, load kernel modules, and reach the node\'s disks: it is root on the ' +
      'node in all but name. Both the Baseline and the Restricted Pod Security Standards forbid it.',
    remediation:
      'Remove privileged: true and add back only the capabilities the workload needs (most need none), or use a ' +
      'device plugin for hardware access. Work that truly needs the host (CNI plugins, storage drivers, node ' +
      'tuning) belongs in a dedicated, reviewed node agent in its own namespace, exempted with a reason. rootlock ' +
      'does not remove the flag itself: the workload may depend on it and would break at run time.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    ],
  },
  check(context) {
    for (const container of context.containers()) {
      const setting = context.effective(container).privileged;
      if (setting.value !== true) continue;
      context.report({
        container,
        path: setting.path,
        message: `${describeContainer(container)} is privileged, so it has every capability and all host devices and can remount its root filesystem writable`,
        hint: 'remove privileged: true and add only the capabilities the workload needs; exempt a reviewed node agent with a reason',
      });
    }
  },
});
