// Kubernetes decodes manifests into typed structs: a quoted "true" where a
// boolean belongs is rejected by the API server, not read as true. These are
// the fields our rules read; a wrong type there is an input error with a
// position, reported beside whatever the rules then say.
import { getAt, isObject } from './path.js';
import type { Path } from './types.js';
import type { Workload } from './workloads.js';

type Expected = 'boolean' | 'integer' | 'string list';

/** Fields by the mapping that holds them, so that a missing mapping (the usual case) is one lookup, not one per field. */
type FieldGroup = readonly [parent: Path, fields: ReadonlyArray<readonly [string, Expected]>];

const CONTAINER_FIELDS: readonly FieldGroup[] = [
  [['securityContext'], [
    ['readOnlyRootFilesystem', 'boolean'],
    ['allowPrivilegeEscalation', 'boolean'],
    ['privileged', 'boolean'],
    ['runAsNonRoot', 'boolean'],
    ['runAsUser', 'integer'],
    ['runAsGroup', 'integer'],
  ]],
  [['securityContext', 'capabilities'], [
    ['add', 'string list'],
    ['drop', 'string list'],
  ]],
];

const POD_FIELDS: readonly FieldGroup[] = [
  [[], [['automountServiceAccountToken', 'boolean']]],
  [['securityContext'], [
    ['runAsNonRoot', 'boolean'],
    ['runAsUser', 'integer'],
    ['runAsGroup', 'integer'],
    ['fsGroup', 'integer'],
  ]],
];

function matches(value: unknown, expected: Expected): boolean {
  switch (expected) {
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return Number.isInteger(value);
    case 'string list': return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

export interface FieldTypeProblem {
  path: Path;
  message: string;
}

export function checkFieldTypes(workload: Workload): FieldTypeProblem[] {
  const problems: FieldTypeProblem[] = [];
  const check = (base: Path, root: unknown, groups: readonly FieldGroup[]) => {
    for (const [parent, fields] of groups) {
      const holder = getAt(root, parent);
      if (!isObject(holder)) continue;
      for (const [name, expected] of fields) {
        const value = Object.prototype.hasOwnProperty.call(holder, name) ? holder[name] : undefined;
        if (value === undefined || value === null || matches(value, expected)) continue;
        const field = [...parent, name];
        const hint = expected === 'boolean' && (value === 'true' || value === 'false') ? `; write ${value} without quotes` : '';
        problems.push({
          path: [...base, ...field],
          message: `${field.join('.')} must be a ${expected}, got ${describe(value)}: the API server rejects this object${hint}`,
        });
      }
    }
  };
  check(workload.podSpecPath, workload.podSpec, POD_FIELDS);
  for (const container of workload.containers) check(container.path, container.spec, CONTAINER_FIELDS);
  return problems;
}
