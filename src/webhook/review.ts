// Decoding an AdmissionReview (admission.k8s.io/v1) from an HTTP body. Every
// problem becomes a ReviewError with a message that says what was expected,
// which the server answers with 400; nothing here throws.
import { isObject } from '../core/path.js';
import type { JsonObject } from '../core/types.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** The fields of AdmissionRequest the webhook reads. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  /** The object as it will be stored; absent on DELETE. */
  object?: JsonObject;
  dryRun: boolean;
}

export type DecodeResult = { ok: true; request: AdmissionRequest } | { ok: false; message: string };

function gvk(value: unknown): GroupVersionKind | undefined {
  if (!isObject(value)) return undefined;
  const { group, version, kind } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string') return undefined;
  return { group, version, kind };
}

/** Parses and checks a review body. `text` is the raw UTF-8 body. */
export function decodeReview(text: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `body is not JSON (${(error as Error).message}); expected an AdmissionReview ${ADMISSION_API_VERSION}` };
  }
  if (!isObject(parsed)) return { ok: false, message: `body is not a JSON object; expected an AdmissionReview ${ADMISSION_API_VERSION}` };
  if (parsed['apiVersion'] !== ADMISSION_API_VERSION || parsed['kind'] !== 'AdmissionReview') {
    const got = `${typeof parsed['apiVersion'] === 'string' ? parsed['apiVersion'] : '(no apiVersion)'} ${typeof parsed['kind'] === 'string' ? parsed['kind'] : '(no kind)'}`;
    return { ok: false, message: `expected apiVersion ${ADMISSION_API_VERSION} kind AdmissionReview, got ${got.slice(0, 200)}; set admissionReviewVersions: ["v1"] in the webhook configuration` };
  }
  const request = parsed['request'];
  if (!isObject(request)) return { ok: false, message: 'AdmissionReview has no request object' };
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '' || uid.length > 256) return { ok: false, message: 'request.uid must be a non-empty string (at most 256 characters)' };
  const kind = gvk(request['kind']);
  if (!kind) return { ok: false, message: 'request.kind must be {group, version, kind} strings' };
  const operation = request['operation'];
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation)) return { ok: false, message: `request.operation must be one of ${OPERATIONS.join(', ')}` };
  const object = request['object'];
  if (object !== undefined && object !== null && !isObject(object)) return { ok: false, message: 'request.object must be an object or null' };
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isObject(object)) return { ok: false, message: `request.object is required for ${operation}` };
  const out: AdmissionRequest = { uid, kind, operation: operation as Operation, dryRun: request['dryRun'] === true };
  for (const field of ['subResource', 'name', 'namespace'] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && typeof value !== 'string') return { ok: false, message: `request.${field} must be a string` };
    if (typeof value === 'string' && value !== '') out[field] = value;
  }
  const resource = request['resource'];
  if (isObject(resource) && typeof resource['resource'] === 'string') {
    out.resource = { group: String(resource['group'] ?? ''), version: String(resource['version'] ?? ''), resource: resource['resource'] };
  }
  if (isObject(object)) out.object = object;
  return { ok: true, request: out };
}

/** The uid of a body that failed to decode, when one can be read, so even an error answer can name it in logs. */
export function salvageUid(text: string): string | undefined {
  const match = /"uid"\s*:\s*"([^"\\]{1,256})"/.exec(text.slice(0, 4096));
  return match?.[1];
}
