import type { AdmissionCheck } from './types.js';

export const readOnlyRootFilesystem: AdmissionCheck = {
  rule: 'read-only-root-filesystem',
  scope: 'container',
  lists: 'all',
  // The API server forbids readOnlyRootFilesystem on Windows pods.
  skipWindows: true,
  message: 'must set securityContext.readOnlyRootFilesystem: true',
  regoFails: ['not c.securityContext.readOnlyRootFilesystem == true'],
  celOk: 'c.?securityContext.?readOnlyRootFilesystem.orValue(false) == true',
};
