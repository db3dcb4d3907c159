// Shared vocabulary of the pure core. Nothing here touches the file system,
// the network, processes or the clock.

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** The --fail-on threshold: findings at or above it fail the run; `none` never fails it. */
export type FailOn = Severity | 'none';

/** Ordering used for --fail-on: a finding fails the run when its rank >= the threshold's. */
export function severityRank(severity: Severity): number {
  return severity === 'error' ? 3 : severity === 'warning' ? 2 : 1;
}

/** A field path inside one Kubernetes object: object keys and array indices. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** 1-based line and column, as editors and SARIF count them. */
export interface Position {
  line: number;
  column: number;
  /** Where the region ends, when known (SARIF regions use it). */
  endLine?: number;
  endColumn?: number;
}

export type JsonObject = { [key: string]: unknown };

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type ContainerType = 'container' | 'initContainer' | 'ephemeralContainer';

/** A change a fix wants, as a path edit. Rendered as a YAML edit by `fix` and as JSONPatch by the webhook. */
export type Edit =
  | { op: 'set'; path: Path; value: unknown }
  | { op: 'append'; path: Path; value: unknown }
  | { op: 'delete'; path: Path };

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  /** One-line hint that says how to fix it. */
  hint: string;
  file: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  object: ObjectReference;
  container?: string;
  containerType?: ContainerType;
  /** Dotted field path such as spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem */
  path: string;
  fixable: boolean;
  exempted: boolean;
  exemption?: { source: 'annotation' | 'config'; reason?: string };
  /** Template a Helm-rendered object came from (its `# Source:` comment). */
  helmSource?: string;
  /** Index of the YAML document inside its file (0-based). */
  documentIndex?: number;
  /** Live workloads only: how many of the workload's Pods have this finding. */
  pods?: number;
  /** Live objects only: the controller that owns the object when rootlock did not list it or does not know its kind. */
  owner?: ObjectReference;
  edits?: Edit[];
  /** Set when a fix option asked for the edits (fix mode only): what they do. */
  fixFromOption?: string;
}

/** Input that could not be read, parsed or understood. Never an exception. */
export interface InputError {
  file: string;
  line?: number;
  column?: number;
  code: string;
  message: string;
  /** Template a Helm-rendered document came from, when its `# Source:` comment is known. */
  helmSource?: string;
}

/** Something worth telling the user that is not a problem with their workload (skipped documents, expired exemptions). */
export interface Notice {
  file: string;
  line?: number;
  column?: number;
  code: string;
  message: string;
}
