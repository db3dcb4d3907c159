import type { AdmissionForm } from '../../core/admission.js';

const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  // The API server forbids readOnlyRootFilesystem on Windows pods.
  skipWindows: true,
  message: 'must set securityContext.readOnlyRootFilesystem: true',
  regoFails: ['not c.securityContext.readOnlyRootFilesystem == true'],
  celOk: 'c.?securityContext.?readOnlyRootFilesystem.orValue(false) == true',
  mutation: {
    field: (applies) => `?readOnlyRootFilesystem: (${applies} && c.?securityContext.?readOnlyRootFilesystem.orValue(false) != true) ? optional.of(true) : optional.none()`,
  },
};

export default admission;
