// Runs the rule engine over the object of one admission request and sorts the
// findings into those that deny and those that only warn.
import { Engine } from '../core/engine.js';
import { objectReference } from '../core/exemptions.js';
import { severityRank } from '../core/types.js';
import type { Finding, InputError, ObjectReference, Severity } from '../core/types.js';
import type { AdmissionRequest } from './review.js';
import type { WebhookSettings } from './settings.js';

export const EPHEMERAL_CONTAINERS_SUBRESOURCE = 'ephemeralcontainers';

export interface Verdict {
  object?: ObjectReference;
  /** Non-exempted findings, denying ones first. */
  findings: Finding[];
  /** The findings that deny in enforce mode. */
  denying: Finding[];
  exempted: number;
  /** Input the engine could not understand (wrong field types): reported, never a crash. */
  errors: InputError[];
  /** Why the request was not evaluated at all (DELETE, a subresource we do not check). */
  skipped?: string;
}

function denies(rule: string, severity: Severity, settings: WebhookSettings): boolean {
  if (severityRank(severity) < severityRank(settings.failOn)) return false;
  return settings.denyRules === 'all' || settings.denyRules.has(rule);
}

export function evaluate(request: AdmissionRequest, settings: WebhookSettings): Verdict {
  const empty: Verdict = { findings: [], denying: [], exempted: 0, errors: [] };
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return { ...empty, skipped: `operation ${request.operation} is not checked` };
  const ephemeral = request.subResource === EPHEMERAL_CONTAINERS_SUBRESOURCE;
  if (request.subResource !== undefined && !ephemeral) return { ...empty, skipped: `subresource ${request.subResource} is not checked` };
  const object = request.object;
  if (!object) return { ...empty, skipped: 'no object' };
  // Objects the API server has not named yet (generateName) are audited under the request's namespace.
  const value = request.namespace !== undefined && (typeof object['metadata'] !== 'object' || object['metadata'] === null || !('namespace' in object['metadata']))
    ? { ...object, metadata: { ...(object['metadata'] as object | undefined), namespace: request.namespace } }
    : object;
  // Only an enforce-mode denial shows messages (validateResponse); warnings and audit annotations show rule, container and hint.
  // The review (with every string in it) is gone once the answer is sent, so no string needs a copy.
  const needsMessage = (rule: string, severity: Severity): boolean => settings.mode === 'enforce' && denies(rule, severity, settings);
  const engine = new Engine({ rules: settings.rules, config: settings.config, today: settings.today(), keepEdits: false, detachStrings: false, admission: { needsMessage } });
  const result = engine.audit({ file: `admission:${request.uid}`, value });
  const denying: Finding[] = [];
  const rest: Finding[] = [];
  let exempted = 0;
  // One pass over the findings of the object, then those that needed the whole input (none is left out).
  for (const list of [result.findings, engine.finish().findings]) {
    for (const finding of list) {
      // Adding a debug container to a running pod is judged by the new container alone: the pod was admitted before.
      if (ephemeral && finding.containerType !== 'ephemeralContainer') continue;
      if (finding.exempted) exempted++;
      else if (denies(finding.rule, finding.severity, settings)) denying.push(finding);
      else rest.push(finding);
    }
  }
  return { object: objectReference(value), findings: denying.concat(rest), denying, exempted, errors: result.errors };
}
