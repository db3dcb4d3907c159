import type { AdmissionForm } from '../../core/admission.js';

// Container settings override the pod's: runAsUser 0 fails even beside
// runAsNonRoot: true; otherwise the effective runAsNonRoot must be true.
const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  message: 'must run as non-root (runAsNonRoot: true, runAsUser not 0; the container setting overrides the pod)',
  regoFails: [
    'effective(c, "runAsUser") == 0',
    'effective(c, "runAsNonRoot") != true',
  ],
  celOk:
    "c.?securityContext.?runAsUser.orValue(variables.podSpec.?securityContext.?runAsUser.orValue(-1)) != 0 && " +
    'c.?securityContext.?runAsNonRoot.orValue(variables.podSpec.?securityContext.?runAsNonRoot.orValue(false)) == true',
};

export default admission;
