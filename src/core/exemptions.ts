// Exemptions: annotations on the object (or its pod template) and config
// entries. Exempted findings are kept, marked, and counted, so an audit shows
// what was waived and why.
import { imageMatches, globToRegExp } from '../knowledge/image-ref.js';
import { isObject } from './path.js';
import type { Exemption } from './config.js';
import type { JsonObject, ObjectReference } from './types.js';

export const IGNORE_ANNOTATION = 'rootlock.dev/ignore';
export const IGNORE_REASON_ANNOTATION = 'rootlock.dev/ignore-reason';

function annotations(metadata: unknown): Record<string, unknown> {
  if (!isObject(metadata)) return {};
  const value = metadata['annotations'];
  return isObject(value) ? value : {};
}

function listed(value: unknown, rule: string): boolean {
  if (typeof value !== 'string') return false;
  return value.split(',').map((s) => s.trim()).some((s) => s === rule || s === '*' || s === 'all');
}

/** Annotation exemption for a finding: object metadata first, then the pod template's. */
export function annotationExemption(
  metadatas: readonly unknown[],
  rule: string,
  container: string | undefined,
): { reason?: string } | undefined {
  for (const metadata of metadatas) {
    const notes = annotations(metadata);
    const hit = listed(notes[IGNORE_ANNOTATION], rule) || (container !== undefined && listed(notes[`${IGNORE_ANNOTATION}.${container}`], rule));
    if (hit) {
      const reason = notes[IGNORE_REASON_ANNOTATION];
      return typeof reason === 'string' ? { reason } : {};
    }
  }
  return undefined;
}

/**
 * The metadatas that have an annotation annotationExemption reads (its keys all
 * start with rootlock.dev/ignore), in order: the others can never exempt anything.
 */
export function ignoreAnnotated(metadatas: readonly unknown[]): unknown[] {
  return metadatas.filter((metadata) => {
    const notes = annotations(metadata);
    // for-in, like the lookups in annotationExemption, also sees keys a `__proto__` entry may have put on the prototype.
    for (const key in notes) if (key.startsWith(IGNORE_ANNOTATION)) return true;
    return false;
  });
}

function anyGlob(patterns: readonly string[] | undefined, value: string | undefined): boolean {
  if (!patterns) return true;
  if (value === undefined) return false;
  return patterns.some((p) => globToRegExp(p).test(value));
}

export interface ExemptionSubject {
  rule: string;
  ref: ObjectReference;
  container?: string;
  image?: string;
}

export function isExpired(exemption: Exemption, today: string): boolean {
  return exemption.expires !== undefined && exemption.expires < today;
}

export function configExemption(exemptions: readonly Exemption[], subject: ExemptionSubject, today: string): Exemption | undefined {
  for (const exemption of exemptions) {
    if (isExpired(exemption, today)) continue;
    if (exemption.rules !== '*' && !exemption.rules.includes(subject.rule)) continue;
    if (!anyGlob(exemption.namespaces, subject.ref.namespace ?? 'default')) continue;
    if (!anyGlob(exemption.kinds, subject.ref.kind)) continue;
    if (!anyGlob(exemption.names, subject.ref.name)) continue;
    if (!anyGlob(exemption.containers, subject.container)) continue;
    if (exemption.images && !(subject.image !== undefined && exemption.images.some((p) => imageMatches(p, subject.image as string)))) continue;
    return exemption;
  }
  return undefined;
}

export function objectReference(object: JsonObject): ObjectReference {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const ref: ObjectReference = {
    apiVersion: typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '',
    kind: typeof object['kind'] === 'string' ? object['kind'] : '',
    name: typeof metadata['name'] === 'string' ? metadata['name'] : typeof metadata['generateName'] === 'string' ? `${metadata['generateName']}*` : '(unnamed)',
  };
  if (typeof metadata['namespace'] === 'string') ref.namespace = metadata['namespace'];
  return ref;
}
