// AdmissionReview responses: the verdict of the rules in the shape the API
// server expects, per mode. Messages name the object, each container and rule,
// and the fix hint; warnings respect the API server's 120-character advice.
import type { Finding, ObjectReference } from '../core/types.js';
import { ADMISSION_API_VERSION } from './review.js';
import type { JsonPatchOperation } from '../fix/json-patch.js';
import type { Verdict } from './evaluate.js';
import type { WebhookMode } from './settings.js';

export const MAX_WARNING_LENGTH = 120;
/** The API server keeps warnings short; more than this many are summarised in one line. */
export const MAX_WARNINGS = 20;
/** Keeps a deny message readable in kubectl and well below etcd's event limits. */
export const MAX_MESSAGE_LENGTH = 4096;

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patch?: string;
  patchType?: 'JSONPatch';
}

export interface AdmissionReviewOut {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export function review(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

function describeObject(ref: ObjectReference | undefined): string {
  if (!ref) return 'object';
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function where(finding: Finding): string {
  return finding.container !== undefined ? `container "${finding.container}"` : describeObject(finding.object);
}

/** One line per finding: where, rule, what is wrong, how to fix it. */
export function denyMessage(verdict: Verdict): string {
  const lines = verdict.denying.map((f) => `${where(f)}: ${f.rule}: ${f.message}; fix: ${f.hint}`);
  let message = `rootlock denied ${describeObject(verdict.object)}: ${lines.join('; ')}. Run "rootlock fix" on the manifest, or exempt it with the rootlock.dev/ignore annotation and a rootlock.dev/ignore-reason.`;
  message = truncate(message, MAX_MESSAGE_LENGTH);
  return message;
}

/** Shortens to `max` characters with an ASCII ellipsis: warnings travel in HTTP Warning headers, which are not UTF-8 safe. */
export function truncate(text: string, max = MAX_WARNING_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** A warning that fits in 120 characters: where, rule and the start of the fix hint. */
export function warningFor(finding: Finding): string {
  const who = finding.container !== undefined ? `container ${finding.container}` : finding.object.kind;
  return truncate(`rootlock ${finding.severity}: ${who}: ${finding.rule}: ${finding.hint}`);
}

export function warningsFor(findings: readonly Finding[]): string[] {
  const shown = findings.filter((f) => f.severity !== 'info');
  const out = shown.slice(0, MAX_WARNINGS).map(warningFor);
  if (shown.length > MAX_WARNINGS) out.push(truncate(`rootlock: ${shown.length - MAX_WARNINGS} more findings; run rootlock audit on the manifest`));
  return out;
}

/** Audit annotations: keys are qualified-name suffixes the API server prefixes with the webhook's name. */
export function auditAnnotationsFor(verdict: Verdict): Record<string, string> {
  const findings = verdict.findings.map((f) => `${f.rule}${f.container !== undefined ? `:${f.container}` : ''}`);
  const denying = verdict.denying.map((f) => `${f.rule}${f.container !== undefined ? `:${f.container}` : ''}`);
  return {
    findings: truncate(findings.join(','), 1024) || 'none',
    'would-deny': denying.length ? 'true' : 'false',
    ...(denying.length ? { 'would-deny-rules': truncate(denying.join(','), 1024) } : {}),
  };
}

export function validateResponse(uid: string, verdict: Verdict, mode: WebhookMode): AdmissionResponse {
  if (verdict.skipped !== undefined) return { uid, allowed: true };
  if (mode === 'audit') return { uid, allowed: true, auditAnnotations: auditAnnotationsFor(verdict) };
  if (mode === 'enforce' && verdict.denying.length > 0) {
    // Findings list the denying ones first (Verdict).
    const others = verdict.findings.slice(verdict.denying.length);
    const warnings = warningsFor(others);
    return { uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: denyMessage(verdict) }, ...(warnings.length ? { warnings } : {}) };
  }
  const warnings = warningsFor(verdict.findings);
  return { uid, allowed: true, ...(warnings.length ? { warnings } : {}) };
}

export function mutateResponse(uid: string, patch: readonly JsonPatchOperation[], warnings: readonly string[] = []): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: true };
  if (patch.length) {
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
    response.patchType = 'JSONPatch';
  }
  if (warnings.length) response.warnings = warnings.map((w) => truncate(w));
  return response;
}

/** The body of a 4xx answer: a Status the API server will log as the webhook's failure. */
export function errorStatus(code: number, message: string): { apiVersion: 'v1'; kind: 'Status'; status: 'Failure'; code: number; message: string } {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, message };
}
