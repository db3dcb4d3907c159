// Mutation: the fix engine's plan for the admitted object, rendered as
// JSONPatch. Only what the planner's policy calls safe is applied (opt-in and
// risky fixes are refused there), and on top of that the webhook never
// weakens a setting the user wrote: it adds what is missing and tightens the
// security switches below, but never removes a field or replaces a value with
// a different one. Applying the plan to its own result plans nothing, so the
// patch is idempotent and safe with reinvocationPolicy: IfNeeded.
import { getAt } from '../core/path.js';
import { deepEqual, exists } from '../fix/edit-semantics.js';
import { toJsonPatch } from '../fix/json-patch.js';
import type { JsonPatchOperation } from '../fix/json-patch.js';
import { planDocumentFixes } from '../fix/plan.js';
import type { Edit, JsonObject } from '../core/types.js';
import { EPHEMERAL_CONTAINERS_SUBRESOURCE } from './evaluate.js';
import type { AdmissionRequest } from './review.js';
import type { WebhookSettings } from './settings.js';

/** Fields whose only safe direction is known: replacing a user's value is allowed when it moves there. */
const TIGHTER_VALUE: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['readOnlyRootFilesystem', true],
  ['allowPrivilegeEscalation', false],
  ['privileged', false],
  ['runAsNonRoot', true],
  ['automountServiceAccountToken', false],
]);

export interface MutationPlan {
  patch: JsonPatchOperation[];
  /** Rules whose fixes are in the patch. */
  rules: string[];
  /** Edits left out because they would change what the user wrote. */
  refused: Edit[];
  skipped?: string;
}

/** True when the edit only adds, or moves a known security switch in its safe direction. */
export function keepsUserSettings(object: unknown, edit: Edit): boolean {
  if (edit.op === 'delete') return !exists(object, edit.path);
  if (edit.op === 'append') return true;
  if (!exists(object, edit.path)) return true;
  const current = getAt(object, edit.path);
  if (current === null || deepEqual(current, edit.value)) return true;
  const field = edit.path[edit.path.length - 1];
  return typeof field === 'string' && TIGHTER_VALUE.has(field) && TIGHTER_VALUE.get(field) === edit.value;
}

export function planMutation(request: AdmissionRequest, settings: WebhookSettings): MutationPlan {
  const none = (skipped: string): MutationPlan => ({ patch: [], rules: [], refused: [], skipped });
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return none(`operation ${request.operation} is not mutated`);
  // A running pod's spec is immutable apart from new ephemeral containers, which cannot bring volumes: leave them to validation.
  if (request.subResource === EPHEMERAL_CONTAINERS_SUBRESOURCE) return none('ephemeral containers are validated, not mutated');
  if (request.subResource !== undefined) return none(`subresource ${request.subResource} is not mutated`);
  // Pods are immutable after creation except for a few fields; fixes to an existing Pod would be refused.
  if (request.operation === 'UPDATE' && request.kind.kind === 'Pod' && request.kind.group === '') return none('an existing Pod spec cannot change');
  const object = request.object as JsonObject;
  const plan = planDocumentFixes(object, undefined, { rules: settings.rules, config: settings.config, today: settings.today() });
  const kept: Edit[] = [];
  const refused: Edit[] = [];
  for (const edit of plan.edits) (keepsUserSettings(object, edit) ? kept : refused).push(edit);
  const patch = toJsonPatch(object, kept);
  const rules = new Set<string>();
  for (const entry of plan.objects) for (const change of entry.changes) {
    if (change.edits.some((e) => kept.some((k) => deepEqual(k, e)))) rules.add(change.rule);
  }
  return { patch, rules: [...rules], refused };
}
