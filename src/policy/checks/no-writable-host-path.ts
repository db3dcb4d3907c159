import { RUNTIME_SOCKETS } from '../../rules/no-writable-host-path/rule.js';
import type { AdmissionCheck } from './types.js';

// A mount of a hostPath volume must be readOnly: true, and even then must not
// expose a container runtime socket (readOnly does not stop connect()). Paths
// are compared as rootlock's canonicalPath does: slashes collapsed, no
// trailing slash, /var/run spelled /run; a subPath narrows the host path.
const SOCKETS = RUNTIME_SOCKETS.map(([path]) => path);

// The API server's CEL has no cel.bind: [value].all(name, body) binds name to value instead.
const bind = (name: string, value: string, body: string): string => `[${value}].all(${name}, ${body})`;

/** A predicate on the canonical form of a path. */
const WITH_CANONICAL_CEL = (path: string, name: string, body: string): string =>
  bind('s', `'/' + (${path}).split('/').filter(x, x != '').join('/')`,
    bind(name, "(s == '/var/run' || s.startsWith('/var/run/')) ? '/run' + s.substring(8) : s", body));

const HOST_PATH_CEL = "(m.?subPath.orValue('') != '' ? vols[0].hostPath.path + '/' + m.subPath : vols[0].hostPath.path)";

const EXPOSES_SOCKET_CEL = WITH_CANONICAL_CEL(HOST_PATH_CEL, 'p',
  `[${SOCKETS.map((s) => `'${s}'`).join(', ')}].exists(k, p == k || p.startsWith(k + '/') || p == '/' || k.startsWith(p + '/'))`);

export const noWritableHostPath: AdmissionCheck = {
  rule: 'no-writable-host-path',
  scope: 'container',
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

export const HOST_PATH_REGO_HELPERS = `# The first pod volume with the mount's name, when it is a hostPath volume.
mount_volume(m) := vols[0] if {
  vols := [v | some v in object.get(pod_spec, "volumes", []); v.name == m.name]
  count(vols) > 0
}

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

canonical(path) := run if {
  collapsed := regex.replace(concat("", ["/", path]), "/+", "/")
  trimmed := trim_trailing_slash(collapsed)
  run := var_run_as_run(trimmed)
}

trim_trailing_slash(p) := p if p == "/"

trim_trailing_slash(p) := trim_suffix(p, "/") if p != "/"

var_run_as_run(p) := concat("", ["/run", substring(p, 8, -1)]) if {
  var_run(p)
}

var_run_as_run(p) := p if not var_run(p)

var_run(p) if p == "/var/run"

var_run(p) if startswith(p, "/var/run/")

sockets := ${JSON.stringify(SOCKETS)}

same_or_below(child, parent) if parent == "/"

same_or_below(child, parent) if child == parent

same_or_below(child, parent) if startswith(child, concat("", [parent, "/"]))

exposes_socket(path) if {
  some socket in sockets
  same_or_below(path, socket)
}

exposes_socket(path) if {
  some socket in sockets
  same_or_below(socket, path)
}`;
