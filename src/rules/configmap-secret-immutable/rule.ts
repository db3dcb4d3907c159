import { defineRule } from '../../core/rule.js';
import { apiGroup } from '../../core/workloads.js';

// The token controller writes the token into this Secret after it is created; immutable would stop it.
const CONTROLLER_FILLED_SECRET_TYPES = new Set(['kubernetes.io/service-account-token']);

export default defineRule({
  id: 'configmap-secret-immutable',
  severity: 'info',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  notInClusterAudit:
    'ConfigMaps and Secrets are not read from clusters (Secret data must never be fetched, and `immutable` is not part of the metadata), so configmap-secret-immutable did not run; audit their manifests instead',
  fixable: true,
  fixSafety: { optIn: 'an immutable ConfigMap or Secret can no longer be edited, only replaced under a new name' },
  docs: {
    summary: 'ConfigMap or Secret without immutable: true',
    rationale:
      'An immutable container gets its configuration at startup, but a mutable ConfigMap or Secret can still be ' +
      'edited underneath it: files mounted from it change inside running pods (environment variables do not), so ' +
      'pods of one workload can run with different configuration and an edit bypasses review and rollout. With ' +
      'immutable: true the API server refuses changes to data, and kubelets stop watching the object, which also ' +
      'lightens the load on the API server.',
    remediation:
      'Set immutable: true on each ConfigMap and Secret. Immutable ConfigMaps and Secrets must be replaced, not ' +
      'edited: neither the data nor the immutable field can change afterwards, so ship a change as a new object ' +
      'with a new name (Kustomize configMapGenerator and secretGenerator add a content hash to the name), point the ' +
      'workload at it so it rolls out, then delete the old one. Secrets of type kubernetes.io/service-account-token ' +
      'are skipped because the token controller fills them in after creation. rootlock reads only the immutable ' +
      'and type fields, never Secret data.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/configmap/#configmap-immutable',
      'https://kubernetes.io/docs/concepts/configuration/secret/#secret-immutable',
    ],
  },
  check(context) {
    const { kind, apiVersion, name } = context.ref;
    if ((kind !== 'ConfigMap' && kind !== 'Secret') || apiGroup(apiVersion) !== '') return;
    const type = context.object['type'];
    if (kind === 'Secret' && typeof type === 'string' && CONTROLLER_FILLED_SECRET_TYPES.has(type)) return;
    const setting = context.object['immutable'];
    if (setting === true) return;
    const state = setting === false
      ? 'sets immutable: false'
      : setting === undefined || setting === null
        ? 'does not set immutable: true'
        : `sets immutable to ${JSON.stringify(setting)}, which is not the boolean true`;
    context.report({
      path: ['immutable'],
      message: `${kind} "${name}" ${state}, so its data can be changed under the pods that use it`,
      hint: `set immutable: true and ship changes as a new ${kind} with a new name`,
      fix: (fix) => fix.set(['immutable'], true),
    });
  },
});
