import { defineRule } from '../../core/rule.js';
import { describeContainer, isWindowsPod } from '../describe.js';

export default defineRule({
  id: 'read-only-root-filesystem',
  severity: 'error',
  enforcement: 'deny',
  admission: () => import('./admission.js'),
  fixable: true,
  checklist: 'readOnlyRootFilesystem: true set for all containers',
  docs: {
    summary: 'Container without securityContext.readOnlyRootFilesystem: true',
    rationale:
      'A writable root filesystem lets anything running in the container install packages, drop binaries and rewrite ' +
      'configuration, so the running container no longer matches its image. With a read-only root, malware and ' +
      'backdoors have nowhere to persist and drift is impossible outside the volumes you chose.',
    remediation:
      'Set securityContext.readOnlyRootFilesystem: true on every container, init container and ephemeral container, ' +
      'and mount an emptyDir at each directory the application writes to (see writable-paths-mounted).',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
    ],
  },
  check(context) {
    // The API server forbids readOnlyRootFilesystem on Windows pods (spec.os.name: windows).
    if (isWindowsPod(context.workload)) return;
    for (const container of context.containers()) {
      const setting = context.effective(container).readOnlyRootFilesystem;
      if (setting.value === true) continue;
      const state = setting.value === false ? 'sets readOnlyRootFilesystem: false' : setting.value === undefined ? 'does not set readOnlyRootFilesystem' : `sets readOnlyRootFilesystem to ${JSON.stringify(setting.value)}, which is not the boolean true`;
      context.report({
        container,
        path: setting.path,
        message: `${describeContainer(container)} ${state}, so its root filesystem is writable`,
        hint: 'set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the app writes',
        fix: (fix) => fix.set(setting.path, true),
      });
    }
  },
});
