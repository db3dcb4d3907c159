import type { AdmissionForm } from '../../core/admission.js';

// Admission sees one object: a ServiceAccount that disables automount cannot
// be consulted, so the pod spec itself must say false (as rootlock audit
// requires when the ServiceAccount is not in its input).
const admission: AdmissionForm = {
  scope: 'pod',
  message: 'pod spec must set automountServiceAccountToken: false',
  regoFails: ['not pod_spec.automountServiceAccountToken == false'],
  celOk: 'variables.podSpec.?automountServiceAccountToken.orValue(true) == false',
};

export default admission;
