import type { AdmissionForm } from '../../core/admission.js';
import { NORMALIZED_CAPABILITY_CEL } from '../../policy/fragments/capabilities.js';

// Kubernetes forbids allowPrivilegeEscalation: false on privileged containers and those that add SYS_ADMIN.
const FORCED = "c.?securityContext.?privileged.orValue(false) == true || c.?securityContext.?capabilities.?add.orValue([]).exists(d, " + NORMALIZED_CAPABILITY_CEL + " == 'SYS_ADMIN')";

const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  skipWindows: true,
  message: 'must set securityContext.allowPrivilegeEscalation: false',
  regoFails: ['not c.securityContext.allowPrivilegeEscalation == false'],
  celOk: 'c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false',
  mutation: {
    field: (applies) => `?allowPrivilegeEscalation: (${applies} && c.?securityContext.?allowPrivilegeEscalation.orValue(true) != false && !(${FORCED})) ? optional.of(false) : optional.none()`,
  },
};

export default admission;
