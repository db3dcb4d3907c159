import type { AdmissionForm } from '../../core/admission.js';

// Quantities as numbers: OPA's units.parse reads the Kubernetes suffixes
// (Ki..Ei, m, k..E); a number stands for itself.
export const MEMORY_EMPTYDIR_REGO_HELPERS = `quantity_value(q) := q if is_number(q)

quantity_value(q) := units.parse(q) if {
  is_string(q)
  regex.match("^[+-]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)((Ki|Mi|Gi|Ti|Pi|Ei)|[mkMGTPE])?$", q)
}

memory_limit(c) := quantity_value(c.resources.limits.memory)

memory_limit(c) := quantity_value(pod_spec.resources.limits.memory) if {
  not quantity_value(object.get(c, ["resources", "limits", "memory"], null))
}`;

// A memory-backed emptyDir needs a sizeLimit (a quantity), and that limit may
// not exceed the memory limit (the container's, else the pod's) of a
// container that mounts it; ephemeral containers have no memory limit.
const admission: AdmissionForm = {
  scope: 'container',
  regoHelpers: [MEMORY_EMPTYDIR_REGO_HELPERS],
  lists: 'not-ephemeral',
  message: 'mounts a memory-backed emptyDir whose sizeLimit exceeds its memory limit',
  regoFails: [
    'some m in c.volumeMounts\nsome v in object.get(pod_spec, "volumes", [])\nv.name == m.name\nv.emptyDir.medium == "Memory"\n' +
      'size := quantity_value(v.emptyDir.sizeLimit)\nlimit := memory_limit(c)\nsize > limit',
  ],
  celOk:
    "c.?volumeMounts.orValue([]).all(m, variables.podSpec.?volumes.orValue([]).filter(v, v.name == m.name && " +
    "v.?emptyDir.?medium.orValue('') == 'Memory' && v.emptyDir.?sizeLimit.orValue('') != '').all(v, " +
    "[c.?resources.?limits[?'memory'].orValue(variables.podSpec.?resources.?limits[?'memory'].orValue(''))].all(l, " +
    "l == '' || !quantity(v.emptyDir.sizeLimit).isGreaterThan(quantity(l)))))",
  pod: {
    message: 'pod spec: every memory-backed emptyDir must set a sizeLimit',
    regoFails: [
      'some v in object.get(pod_spec, "volumes", [])\nis_object(v.emptyDir)\nv.emptyDir.medium == "Memory"\nnot quantity_value(object.get(v.emptyDir, "sizeLimit", null))',
    ],
    celOk: "variables.podSpec.?volumes.orValue([]).all(v, v.?emptyDir.?medium.orValue('') != 'Memory' || v.emptyDir.?sizeLimit.orValue('') != '')",
  },
};

export default admission;
