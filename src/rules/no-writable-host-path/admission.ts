import { RUNTIME_SOCKETS } from './host-paths.js';
import type { AdmissionForm } from '../../core/admission.js';
import { bind, CANONICAL_PATH_REGO_HELPERS, MOUNT_VOLUME_REGO_HELPER, withCanonicalCel } from '../../policy/fragments/paths.js';

// A mount of a hostPath volume must be readOnly: true, and even then must not
// expose a container runtime socket (readOnly does not stop connect()). Paths
// are compared as rootlock's canonicalPath does: slashes collapsed, no
// trailing slash, /var/run spelled /run; a subPath narrows the host path.
const SOCKETS = RUNTIME_SOCKETS.map(([path]) => path);

const HOST_PATH_CEL = "(m.?subPath.orValue('') != '' ? vols[0].hostPath.path + '/' + m.subPath : vols[0].hostPath.path)";

const EXPOSES_SOCKET_CEL = withCanonicalCel(HOST_PATH_CEL, 'p',
  `[${SOCKETS.map((s) => `'${s}'`).join(', ')}].exists(k, p == k || p.startsWith(k + '/') || p == '/' || k.startsWith(p + '/'))`);

export const HOST_PATH_REGO_HELPERS = `${MOUNT_VOLUME_REGO_HELPER}

is_host_path_volume(m) if mount_volume(m).hostPath != null

host_path(m) := concat("/", [trim_right(mount_volume(m).hostPath.path, "/"), m.subPath]) if {
  is_string(m.subPath)
  m.subPath != ""
}

host_path(m) := mount_volume(m).hostPath.path if {
  not non_empty_sub_path(m)
}

non_empty_sub_path(m) if {
  is_string(m.subPath)
  m.subPath != ""
}

${CANONICAL_PATH_REGO_HELPERS}

sockets := ${JSON.stringify(SOCKETS)}

exposes_socket(path) if {
  some socket in sockets
  same_or_below(path, socket)
}

exposes_socket(path) if {
  some socket in sockets
  same_or_below(socket, path)
}`;

const admission: AdmissionForm = {
  scope: 'container',
  regoHelpers: [HOST_PATH_REGO_HELPERS],
  lists: 'all',
  message: 'must mount hostPath volumes readOnly: true, and no container runtime socket at all',
  regoFails: [
    'some m in c.volumeMounts\nis_host_path_volume(m)\nnot m.readOnly == true',
    'some m in c.volumeMounts\nis_host_path_volume(m)\nm.readOnly == true\nexposes_socket(canonical(host_path(m)))',
  ],
  celOk:
    'c.?volumeMounts.orValue([]).all(m, ' +
    bind('vols', 'variables.podSpec.?volumes.orValue([]).filter(v, v.name == m.name)',
      `size(vols) == 0 || !has(vols[0].hostPath) || (m.?readOnly.orValue(false) == true && !(${EXPOSES_SOCKET_CEL}))`) + ')',
};

export default admission;
