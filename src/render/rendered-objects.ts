// A chart's rendered output as objects keyed by identity, so two renders of
// the same chart can be compared object by object.
import { objectReference } from '../core/exemptions.js';
import { documentObjects } from '../core/workloads.js';
import type { JsonObject, ObjectReference } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import { differingLeaves, flattenObject } from './object-diff.js';

export interface RenderedObject {
  ref: ObjectReference;
  object: JsonObject;
  /** The template it came from (`chart/templates/x.yaml`), from helm's `# Source:` comment. */
  helmSource?: string;
  leaves: Map<string, string>;
}

export function objectKeyOf(ref: ObjectReference): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/** Objects of a multi-document text; a document that does not parse is an error naming its position. */
export function renderedObjects(text: string, file: string): Map<string, RenderedObject> {
  const parsed = parseManifests(text, file);
  const error = parsed.errors[0];
  if (error) throw new Error(`${file}${error.line ? `:${error.line}:${error.column}` : ''}: ${error.message}`);
  const out = new Map<string, RenderedObject>();
  for (const document of parsed.documents) {
    for (const { object } of documentObjects(document.value)) {
      const ref = objectReference(object);
      out.set(objectKeyOf(ref), { ref, object, ...(document.helmSource !== undefined ? { helmSource: document.helmSource } : {}), leaves: flattenObject(object) });
    }
  }
  return out;
}

/** Leaves that differ between two renders of the same values (random passwords, generated certificates), per object. */
export function volatileLeaves(a: ReadonlyMap<string, RenderedObject>, b: ReadonlyMap<string, RenderedObject>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [key, object] of a) {
    const other = b.get(key);
    if (!other) continue;
    const leaves = differingLeaves(object.leaves, other.leaves);
    if (leaves.length) out.set(key, new Set(leaves));
  }
  return out;
}
