import { defineRule } from '../../core/rule.js';
import { getAt, isObject } from '../../core/path.js';
import { apiGroup } from '../../core/workloads.js';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

const LEVELS = ['privileged', 'baseline', 'restricted'];
const VERSION = /^v\d+\.\d+$/;

export default defineRule({
  id: 'namespace-pod-security',
  severity: 'warning',
  enforcement: 'warn',
  admission: {
    none: 'applies to Namespaces: `rootlock policy psa` writes the Pod Security labels and `--check` audits them',
  },
  fixable: true,
  fixSafety: { optIn: 'enforcing a Pod Security level rejects every non-compliant pod created in the namespace afterwards' },
  docs: {
    summary: 'Namespace that does not enforce the restricted (or at least baseline) Pod Security Standard',
    rationale:
      'Pod Security Admission enforces a Pod Security Standard per namespace, chosen by the ' +
      `${ENFORCE_LABEL} label. Without it, pods are admitted at the cluster's default level, which is privileged ` +
      'unless the API server is configured otherwise, so nothing stops a pod that runs as root, adds capabilities, ' +
      'mounts host paths or turns seccomp off. The restricted level enforces allowPrivilegeEscalation: false, ' +
      'runAsNonRoot, dropped capabilities and a seccomp profile at admission time, cluster side, for every pod; it ' +
      'does not require readOnlyRootFilesystem, which the other rootlock rules and policies cover.',
    remediation:
      `Label each application namespace with ${ENFORCE_LABEL}: restricted and ${ENFORCE_VERSION_LABEL}: latest ` +
      '(or a pinned version such as v1.30); `rootlock fix` adds both when the enforce label is missing and leaves an ' +
      'existing version alone. Roll out with the warn and audit labels first to see which pods would be rejected. ' +
      'A baseline namespace is reported at info severity as a nudge toward restricted; privileged and unknown ' +
      'levels, and versions that are neither "latest" nor vX.Y, are reported and left for you to change.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-admission/',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/',
    ],
  },
  check(context) {
    if (context.ref.kind !== 'Namespace' || apiGroup(context.ref.apiVersion) !== '') return;
    const labelsPath = ['metadata', 'labels'];
    const rawLabels = getAt(context.object, labelsPath);
    const labels = isObject(rawLabels) ? rawLabels : {};
    const enforcePath = [...labelsPath, ENFORCE_LABEL];
    const versionPath = [...labelsPath, ENFORCE_VERSION_LABEL];
    const namespace = `namespace "${context.ref.name}"`;
    const level = labels[ENFORCE_LABEL];
    const version = labels[ENFORCE_VERSION_LABEL];
    const versionMissing = version === undefined || version === null;

    if (level === undefined || level === null) {
      context.report({
        path: enforcePath,
        message: `${namespace} has no ${ENFORCE_LABEL} label, so its pods are admitted at the cluster's default level, privileged unless configured otherwise`,
        hint: `add the labels ${ENFORCE_LABEL}: restricted and ${ENFORCE_VERSION_LABEL}: latest`,
        fix: (fix) => {
          fix.set(enforcePath, 'restricted');
          if (versionMissing) fix.set(versionPath, 'latest');
        },
      });
    } else if (level === 'baseline') {
      context.report({
        path: enforcePath,
        severity: 'info',
        message: `${namespace} enforces the baseline Pod Security Standard, which still admits pods that run as root, keep their capabilities or have no seccomp profile`,
        hint: `move to ${ENFORCE_LABEL}: restricted once the warn label shows its pods comply`,
      });
    } else if (level === 'privileged') {
      context.report({
        path: enforcePath,
        message: `${namespace} enforces the privileged Pod Security Standard, which admits any pod, privileged and host-namespace pods included`,
        hint: `set ${ENFORCE_LABEL}: restricted (or baseline), and keep privileged only for system namespaces that need it`,
      });
    } else if (level !== 'restricted') {
      context.report({
        path: enforcePath,
        message: `${namespace} sets ${ENFORCE_LABEL} to ${JSON.stringify(level)}, which is not one of ${LEVELS.join(', ')}, so Pod Security Admission does not accept it`,
        hint: `set ${ENFORCE_LABEL}: restricted`,
      });
    }

    if (!versionMissing && version !== 'latest' && !(typeof version === 'string' && VERSION.test(version))) {
      context.report({
        path: versionPath,
        message: `${namespace} sets ${ENFORCE_VERSION_LABEL} to ${JSON.stringify(version)}, which is neither "latest" nor a Kubernetes minor version such as "v1.30"`,
        hint: `set ${ENFORCE_VERSION_LABEL}: latest, or a quoted version such as "v1.30"`,
      });
    }
  },
});
