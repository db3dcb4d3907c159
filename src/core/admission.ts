// A rule's admission form: its check restated for the admission engines (Rego
// for Gatekeeper, CEL for ValidatingAdmissionPolicy and Kyverno), kept in the
// rule's folder (admission.ts) and held to the rule's verdicts by the
// differential tests in test/policy/, so the two cannot drift apart unseen.

/**
 * Which containers a container check looks at: all of them (containers,
 * initContainers, ephemeralContainers), or all but ephemeral containers
 * (which cannot have resources).
 */
export type ContainerLists = 'all' | 'not-ephemeral';

export interface ContainerCheck {
  scope: 'container';
  lists: ContainerLists;
  /** The rule ignores pods with spec.os.name: windows (Linux-only fields). */
  skipWindows?: boolean;
  /** What a violation says after the container's name. */
  message: string;
  /**
   * Rego bodies, any of which is true when container `c` (the container
   * object) violates the rule; `pod_spec` is the pod spec.
   */
  regoFails: readonly string[];
  /** CEL expression, true when container `c` satisfies the rule; `variables.podSpec` is the pod spec. */
  celOk: string;
  /**
   * A pod-level condition the rule also reports without naming a container
   * (so only a rule-wide exemption waives it, not a container's).
   */
  pod?: { message: string; regoFails: readonly string[]; celOk: string };
}

export interface PodCheck {
  scope: 'pod';
  skipWindows?: boolean;
  message: string;
  /** Rego bodies, any of which is true when `pod_spec` violates the rule. */
  regoFails: readonly string[];
  /** CEL expression, true when `variables.podSpec` satisfies the rule. */
  celOk: string;
}

/** A check on objects without a pod spec (ConfigMaps, Secrets): only the object's own annotation exempts them. */
export interface ObjectCheck {
  scope: 'object';
  /** What the policy matches. */
  kinds: ReadonlyArray<{ apiGroup: string; kinds: string[]; resources: string[] }>;
  message: string;
  /** Rego bodies, any of which is true when `obj` violates the rule. */
  regoFails: readonly string[];
  /** CEL expression on `object`, true when it satisfies the rule. */
  celOk: string;
}

/**
 * How the MutatingAdmissionPolicy applies the rule's safe fix (the fixes that
 * need no knowledge of the workload beyond the object itself). `applies` is a
 * CEL condition on container `c`: the rule is not exempted for it and the pod
 * is not a Windows pod.
 */
export type MutationForm =
  /** An optional field of the container's securityContext in the apply configuration. */
  | { field: (applies: string) => string }
  /** A JSONPatch expression per pod spec shape (`typePath`: where the pod spec sits in the object), run before the apply configuration. */
  | { jsonPatch: (typePath: readonly string[], applies: string) => string };

export type AdmissionForm = (ContainerCheck | PodCheck | ObjectCheck) & {
  /** Why this check is generated only when --rules names it (enforcing it everywhere would break clusters). */
  optIn?: string;
  /** Rego rules and functions the check's Rego bodies call, appended to its module. */
  regoHelpers?: readonly string[];
  /** What the generated policy's comment should add about how far the check reaches. */
  note?: string;
  /** The rule's info-level findings only inform, and the policy does not refuse what they name. */
  infoNotEnforced?: boolean;
  mutation?: MutationForm;
};

/**
 * Loads a rule's admission form (its folder's admission.ts). Loaded only by
 * what generates or checks policies: an audit never needs the Rego and CEL,
 * and some forms carry the whole image knowledge base as a table.
 */
export type AdmissionLoader = () => Promise<{ default: AdmissionForm }>;

/** A rule admission cannot enforce, and why (`rootlock policy` says so when the rule is asked for). */
export interface NoAdmission {
  readonly none: string;
}

export function hasAdmissionForm(admission: AdmissionLoader | NoAdmission): admission is AdmissionLoader {
  return typeof admission === 'function';
}
