import type { AdmissionForm } from '../../core/admission.js';

// Capability names as runtimes read them: trimmed, upper-cased, CAP_ prefix
// dropped; blank entries are ignored. Only NET_BIND_SERVICE may be added.
const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  message: 'must not add capabilities other than NET_BIND_SERVICE',
  regoFails: [
    'some name in object.get(c, ["securityContext", "capabilities", "add"], [])\n' +
      'capability := upper(trim_space(name))\ncapability != ""\ntrim_prefix(capability, "CAP_") != "NET_BIND_SERVICE"',
  ],
  celOk:
    "c.?securityContext.?capabilities.?add.orValue([]).all(a, a.trim() == '' || " +
    "(a.trim().upperAscii().startsWith('CAP_') ? a.trim().upperAscii().substring(4) : a.trim().upperAscii()) == 'NET_BIND_SERVICE')",
};

export default admission;
