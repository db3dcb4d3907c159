import type { AdmissionForm } from '../../core/admission.js';

// A container's own seccompProfile must confine it (RuntimeDefault, or
// Localhost with a file); containers without one take the pod's, which must
// then exist and confine them. Pods with os.name: windows are exempt.
const CONFINED_CEL = (profile: string): string =>
  `(${profile}.?type.orValue('') == 'RuntimeDefault' || (${profile}.?type.orValue('') == 'Localhost' && ${profile}.?localhostProfile.orValue('') != ''))`;

export const SECCOMP_REGO_HELPERS = `confined(profile) if profile.type == "RuntimeDefault"

confined(profile) if {
  profile.type == "Localhost"
  is_string(profile.localhostProfile)
  profile.localhostProfile != ""
}`;

const admission: AdmissionForm = {
  scope: 'container',
  regoHelpers: [SECCOMP_REGO_HELPERS],
  lists: 'all',
  skipWindows: true,
  message: 'must not set a seccompProfile that is Unconfined or incomplete',
  regoFails: ['profile := c.securityContext.seccompProfile\nprofile != null\nnot confined(profile)'],
  celOk: `!c.?securityContext.?seccompProfile.hasValue() || ${CONFINED_CEL('c.securityContext.seccompProfile')}`,
  pod: {
    message: 'pod securityContext.seccompProfile must be RuntimeDefault or Localhost for the containers that set none',
    regoFails: ['some entry in containers\nnot has_own(entry.c, "seccompProfile")\nnot confined(object.get(pod_spec, ["securityContext", "seccompProfile"], null))'],
    celOk: `variables.containers.all(c, c.?securityContext.?seccompProfile.hasValue()) || ${CONFINED_CEL('variables.podSpec.?securityContext.?seccompProfile.orValue({})')}`,
  },
};

export default admission;
