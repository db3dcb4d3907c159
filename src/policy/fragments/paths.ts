// Paths compared as rootlock's canonicalPath (src/core/volumes.ts) does:
// slashes collapsed, no trailing slash, /var/run spelled /run. Shared by the
// checks that reason about where a volume is mounted or what it exposes.

// The API server's CEL has no cel.bind: [value].all(name, body) binds name to value instead (body a bool).
export const bind = (name: string, value: string, body: string): string => `[${value}].all(${name}, ${body})`;

/** The same for a body of any type: [value].map(name, body)[0]. */
export const bindValue = (name: string, value: string, body: string): string => `[${value}].map(${name}, ${body})[0]`;

export type Binder = typeof bind;

/** CEL: `body` with `name` bound to the canonical form of the string expression `path`. */
export const withCanonicalCel = (path: string, name: string, body: string): string =>
  bind('s', `'/' + (${path}).split('/').filter(x, x != '').join('/')`,
    bind(name, "(s == '/var/run' || s.startsWith('/var/run/')) ? '/run' + s.substring(8) : s", body));

/** Rego: canonical(path) and same_or_below(child, parent) on canonical paths. */
export const CANONICAL_PATH_REGO_HELPERS = `canonical(path) := run if {
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

same_or_below(child, parent) if parent == "/"

same_or_below(child, parent) if child == parent

same_or_below(child, parent) if startswith(child, concat("", [parent, "/"]))`;

/** Rego: the first pod volume with the mount's name (pod volume names are unique; rootlock takes the first). */
export const MOUNT_VOLUME_REGO_HELPER = `mount_volume(m) := vols[0] if {
  vols := [v | some v in object.get(pod_spec, "volumes", []); is_object(v); v.name == m.name]
  count(vols) > 0
}`;
