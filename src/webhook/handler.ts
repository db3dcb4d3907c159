// One admission call, independent of HTTP: body text in, status and JSON body
// out, plus what metrics and logs need. Any exception inside the engine is
// caught here and answered (validate: by the failure mode; mutate: unpatched).
import { decodeReview, salvageUid } from './review.js';
import type { AdmissionRequest } from './review.js';
import { evaluate } from './evaluate.js';
import { planMutation } from './mutate.js';
import { errorStatus, mutateResponse, review, validateResponse } from './response.js';
import type { AdmissionResponse } from './response.js';
import type { WebhookSettings } from './settings.js';

export type Endpoint = 'validate' | 'mutate';

/** allow, deny, warn, patch, error (a 4xx/5xx answer): the label of the requests metric. */
export type Outcome = 'allow' | 'deny' | 'warn' | 'patch' | 'error';

export interface HandlerResult {
  status: number;
  body: unknown;
  outcome: Outcome;
  uid?: string;
  request?: AdmissionRequest;
  /** Rules that denied (validate) or were applied (mutate). */
  rules: string[];
  /** Time spent in the rule or fix engine, in milliseconds. */
  engineMs: number;
  error?: string;
}

function outcomeOf(response: AdmissionResponse): Outcome {
  if (!response.allowed) return 'deny';
  if (response.patch !== undefined) return 'patch';
  if (response.warnings?.length) return 'warn';
  return 'allow';
}

export function handleAdmission(endpoint: Endpoint, text: string, settings: WebhookSettings, now: () => number = () => performance.now()): HandlerResult {
  const decoded = decodeReview(text);
  if (!decoded.ok) {
    const uid = salvageUid(text);
    return { status: 400, body: errorStatus(400, decoded.message), outcome: 'error', ...(uid !== undefined ? { uid } : {}), rules: [], engineMs: 0, error: decoded.message };
  }
  const request = decoded.request;
  const started = now();
  try {
    if (endpoint === 'validate') {
      const verdict = evaluate(request, settings);
      const engineMs = now() - started;
      const response = validateResponse(request.uid, verdict, settings.mode);
      return { status: 200, body: review(response), outcome: outcomeOf(response), uid: request.uid, request, rules: verdict.denying.map((f) => f.rule), engineMs };
    }
    const plan = planMutation(request, settings);
    const engineMs = now() - started;
    const notes = plan.refused.length ? [`rootlock: left ${plan.refused.length} fix(es) out to keep settings the manifest sets explicitly`] : [];
    const response = mutateResponse(request.uid, plan.patch, notes);
    return { status: 200, body: review(response), outcome: outcomeOf(response), uid: request.uid, request, rules: plan.rules, engineMs };
  } catch (error) {
    // A bug in a rule or fix must not decide admission by accident: answer with an explicit 500, which failurePolicy governs.
    const message = `rootlock could not evaluate ${request.kind.kind}: ${(error as Error).message}`;
    return { status: 500, body: errorStatus(500, message), outcome: 'error', uid: request.uid, request, rules: [], engineMs: now() - started, error: message };
  }
}
