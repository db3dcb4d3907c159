import type { AdmissionForm } from '../../core/admission.js';

// A reference with a repository name and a full sha256 digest, no whitespace
// (rootlock's isPinnedByDigest): `name[:tag]@sha256:<64 lowercase hex>`.
const PINNED = '^[^\\\\s@]+@sha256:[0-9a-f]{64}$';
// ":tag@sha256:..." names no repository.
const NO_REPOSITORY = '^:[^/@]*@';

const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  message: 'must use an image pinned by a full sha256 digest (name:tag@sha256:<64 hex digits>)',
  regoFails: [
    'not is_string(c.image)',
    `not regex.match("${PINNED}", c.image)`,
    `regex.match("${NO_REPOSITORY}", c.image)`,
  ],
  celOk: `has(c.image) && c.image.matches('${PINNED}') && !c.image.matches('${NO_REPOSITORY}')`,
};

export default admission;
