import type { AdmissionForm } from '../../core/admission.js';

const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  message: 'must not be privileged',
  regoFails: ['c.securityContext.privileged == true'],
  celOk: 'c.?securityContext.?privileged.orValue(false) != true',
};

export default admission;
