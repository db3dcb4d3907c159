import type { AdmissionCheck } from './types.js';

export const noPrivilegeEscalation: AdmissionCheck = {
  rule: 'no-privilege-escalation',
  scope: 'container',
  lists: 'all',
  skipWindows: true,
  message: 'must set securityContext.allowPrivilegeEscalation: false',
  regoFails: ['not c.securityContext.allowPrivilegeEscalation == false'],
  celOk: 'c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false',
};
