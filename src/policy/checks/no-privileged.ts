import type { AdmissionCheck } from './types.js';

export const noPrivileged: AdmissionCheck = {
  rule: 'no-privileged',
  scope: 'container',
  lists: 'all',
  message: 'must not be privileged',
  regoFails: ['c.securityContext.privileged == true'],
  celOk: 'c.?securityContext.?privileged.orValue(false) != true',
};
