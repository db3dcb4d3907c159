import type { AdmissionCheck } from './types.js';

// Admission sees one object: a ServiceAccount that disables automount cannot
// be consulted, so the pod spec itself must say false (as rootlock audit
// requires when the ServiceAccount is not in its input).
export const noServiceAccountTokenAutomount: AdmissionCheck = {
  rule: 'no-service-account-token-automount',
  scope: 'pod',
  message: 'pod spec must set automountServiceAccountToken: false',
  regoFails: ['not pod_spec.automountServiceAccountToken == false'],
  celOk: 'variables.podSpec.?automountServiceAccountToken.orValue(true) == false',
};
