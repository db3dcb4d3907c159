import type { AdmissionForm } from '../../core/admission.js';

// A Kubernetes quantity (src/core/quantity.ts). The API server rejects
// anything else before admission; Gatekeeper's audit and `gator` do not.
const QUANTITY = '^[+-]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)((Ki|Mi|Gi|Ti|Pi|Ei)|[eE][+-]?[0-9]+|[mkMGTPE])?$';

/** Rego helpers the resource-limits check uses. */
export const RESOURCE_LIMITS_REGO_HELPERS = `limit_set(value) if {
  value != null
  value != ""
}

is_quantity(value) if {
  is_number(value)
}

is_quantity(value) if {
  is_string(value)
  regex.match("${QUANTITY}", value)
}`;

const admission: AdmissionForm = {
  scope: 'container',
  regoHelpers: [RESOURCE_LIMITS_REGO_HELPERS],
  lists: 'not-ephemeral',
  message: 'must set resources.limits.cpu and resources.limits.memory (or the pod spec.resources.limits)',
  regoFails: [
    'some resource in ["cpu", "memory"]\nnot limit_set(object.get(c, ["resources", "limits", resource], null))\nnot limit_set(object.get(pod_spec, ["resources", "limits", resource], null))',
    'some resource in ["cpu", "memory"]\nvalue := object.get(c, ["resources", "limits", resource], null)\nlimit_set(value)\nnot is_quantity(value)',
  ],
  celOk:
    "['cpu', 'memory'].all(r, c.?resources.?limits[?r].orValue('') != '' || " +
    "variables.podSpec.?resources.?limits[?r].orValue('') != '')",
};

export default admission;
