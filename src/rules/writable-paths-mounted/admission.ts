import { BUILTIN_IMAGE_KNOWLEDGE } from '../../knowledge/images.js';
import { imageKnowledgeRego, knowledgeTable, mayBeKnownCel, withKnownPathsCel } from '../../policy/fragments/image-knowledge.js';
import { bind, CANONICAL_PATH_REGO_HELPERS, MOUNT_VOLUME_REGO_HELPER, withCanonicalCel } from '../../policy/fragments/paths.js';
import type { AdmissionForm } from '../../core/admission.js';

// A container with a read-only root filesystem whose image the knowledge base
// knows needs, for each path the image writes, a writable mount at that path
// or a parent directory (/var/run and /run being one). Writable: not readOnly,
// from an emptyDir, generic ephemeral, hostPath or persistentVolumeClaim (not
// attached readOnly) volume the pod declares (src/core/volumes.ts).
const TABLE = knowledgeTable(BUILTIN_IMAGE_KNOWLEDGE);

const WRITABLE_MOUNT_CEL =
  'has(m.mountPath) && m.?readOnly.orValue(false) != true && ' +
  bind('vols', 'variables.podSpec.?volumes.orValue([]).filter(v, v.name == m.name)',
    'size(vols) > 0 && (has(vols[0].emptyDir) || has(vols[0].ephemeral) || has(vols[0].hostPath) || ' +
    '(has(vols[0].persistentVolumeClaim) && vols[0].persistentVolumeClaim.?readOnly.orValue(false) != true))');

const COVERS_CEL = withCanonicalCel('m.mountPath', 'mp', "mp == '/' || p == mp || p.startsWith(mp + '/')");

const WRITABLE_PATHS_REGO_HELPERS = `covered(c, path) if {
  some m in c.volumeMounts
  is_string(m.mountPath)
  writable_mount(m)
  same_or_below(path, canonical(m.mountPath))
}

writable_mount(m) if {
  not m.readOnly == true
  writable_volume(mount_volume(m))
}

writable_volume(v) if v.emptyDir != null

writable_volume(v) if v.ephemeral != null

writable_volume(v) if v.hostPath != null

writable_volume(v) if {
  v.persistentVolumeClaim != null
  not v.persistentVolumeClaim.readOnly == true
}`;

const admission: AdmissionForm = {
  scope: 'container',
  lists: 'all',
  message: 'with a read-only root filesystem must mount a writable volume (emptyDir) at each path its image writes, per the rootlock image knowledge base',
  note:
    `The image table inside the policy is rootlock's built-in knowledge base (${TABLE.length} entries) as of generation: images it ` +
    'does not know pass, and entries added in a rootlock config are not included; regenerate after upgrading rootlock.',
  // Paths an image writes only in some configurations are reported at info and are not in the table.
  infoNotEnforced: true,
  regoHelpers: [imageKnowledgeRego(TABLE), MOUNT_VOLUME_REGO_HELPER, CANONICAL_PATH_REGO_HELPERS, WRITABLE_PATHS_REGO_HELPERS],
  regoFails: [
    'c.securityContext.readOnlyRootFilesystem == true\nis_string(c.image)\nsome path in known_paths(c.image)\nnot covered(c, path)',
  ],
  celOk:
    "c.?securityContext.?readOnlyRootFilesystem.orValue(false) != true || !has(c.image) || " +
    `!${mayBeKnownCel(TABLE)} || ` +
    withKnownPathsCel(TABLE, 'paths', `paths.all(p, c.?volumeMounts.orValue([]).exists(m, ${WRITABLE_MOUNT_CEL} && ${COVERS_CEL}))`),
};

export default admission;
