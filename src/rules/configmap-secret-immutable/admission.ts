import type { AdmissionForm } from '../../core/admission.js';

export const CONFIGMAP_SECRET_REGO_HELPERS = `service_account_token if {
  obj.kind == "Secret"
  obj.type == "kubernetes.io/service-account-token"
}`;

// Service-account token Secrets are filled in by a controller after creation,
// so they cannot be immutable; the rule skips them.
const admission: AdmissionForm = {
  scope: 'object',
  regoHelpers: [CONFIGMAP_SECRET_REGO_HELPERS],
  optIn:
    'controllers and tools keep mutable ConfigMaps and Secrets of their own (kube-root-ca.crt in every namespace, ' +
    'Helm release Secrets, leader-election ConfigMaps), which a cluster-wide policy would refuse; name the rule in ' +
    '--rules and limit it with --namespaces',
  kinds: [{ apiGroup: '', kinds: ['ConfigMap', 'Secret'], resources: ['configmaps', 'secrets'] }],
  message: 'ConfigMaps and Secrets must set immutable: true',
  regoFails: [
    'obj.kind in {"ConfigMap", "Secret"}\nnot service_account_token\nnot obj.immutable == true',
  ],
  celOk: "(object.kind == 'Secret' && object.?type.orValue('') == 'kubernetes.io/service-account-token') || object.?immutable.orValue(false) == true",
};

export default admission;
