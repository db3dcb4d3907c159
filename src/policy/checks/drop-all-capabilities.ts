import type { AdmissionCheck } from './types.js';

// The literal "ALL", as the Restricted Pod Security Standard compares it.
export const dropAllCapabilities: AdmissionCheck = {
  rule: 'drop-all-capabilities',
  scope: 'container',
  lists: 'all',
  skipWindows: true,
  message: 'must drop ALL capabilities (securityContext.capabilities.drop: [ALL])',
  regoFails: ['not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])'],
  celOk: "'ALL' in c.?securityContext.?capabilities.?drop.orValue([])",
};
