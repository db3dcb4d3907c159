import { defineRule } from '../../core/rule.js';
import type { FixBuilder } from '../../core/rule.js';
import { detached } from '../../core/strings.js';
import { apiUseSignal, serviceAccountOf } from './service-account.js';

const HINT = 'set automountServiceAccountToken: false in the pod spec, or mount a projected token only in the container that calls the API';

export default defineRule({
  id: 'no-service-account-token-automount',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  // The edit is offered; rootlock fix applies it only where nothing suggests the pod calls the API.
  fixable: true,
  fixSafety: { risk: apiUseSignal },
  checklist: 'automountServiceAccountToken: false if API access is not needed',
  docs: {
    summary: 'Pod that mounts a Kubernetes API token it may not need',
    rationale:
      'Unless automount is turned off, the kubelet mounts a token for the pod\'s ServiceAccount into every container at ' +
      '/var/run/secrets/kubernetes.io/serviceaccount. Anyone who gets code running in the container can read it and ' +
      'talk to the API server with the ServiceAccount\'s permissions, which turns a compromised, supposedly immutable ' +
      'container into a foothold for changing the cluster around it. Most applications never call the API.',
    remediation:
      'Set automountServiceAccountToken: false in the pod spec (the pod template of a Deployment, Job or CronJob), or ' +
      'on the ServiceAccount the pod uses; the pod\'s setting wins when both are set. rootlock reads a ServiceAccount ' +
      'given in the same input, in the same namespace, and reports nothing when it disables automount and the pod ' +
      'does not turn it back on. Workloads that do call the API can mount a projected serviceAccountToken volume in ' +
      'just the container that needs it, with a short expiry and an audience.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
      'https://kubernetes.io/docs/concepts/security/service-accounts/',
      'https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken',
    ],
  },
  check(context) {
    const workload = context.workload;
    if (!workload) return;
    const path = [...workload.podSpecPath, 'automountServiceAccountToken'];
    const setting = workload.podSpec['automountServiceAccountToken'];
    if (setting === false) return;
    const serviceAccount = serviceAccountOf(workload.podSpec);
    const fix = (builder: FixBuilder) => builder.set(path, false);
    if (setting === true) {
      context.report({
        path,
        message: `pod spec sets automountServiceAccountToken: true, so every container gets an API token of ServiceAccount "${serviceAccount}"`,
        hint: HINT,
        fix,
      });
      return;
    }
    if (setting !== undefined && setting !== null) {
      context.report({
        path,
        message: `pod spec sets automountServiceAccountToken to ${JSON.stringify(setting)}, which is not the boolean false, so it does not stop the API token mount`,
        hint: HINT,
        fix,
      });
      return;
    }
    // Kept until the whole input is read: a copy, so it does not keep this file's text alive (see detached).
    const key = detached(`${context.ref.namespace ?? ''}/${serviceAccount}`);
    context.report({
      path,
      message: `pod spec leaves automountServiceAccountToken unset and no ServiceAccount "${serviceAccount}" in the input sets it to false, so every container gets an API token`,
      hint: HINT,
      fix,
      // The pod inherits its ServiceAccount's setting when it sets none itself.
      unlessInInput: (index) => index.serviceAccounts.get(key) === false,
    });
  },
});
