// The fewest edits that turn one document value into another. The planner
// reaches its result through many small edits (one field at a time, round
// after round); the text writer is fastest and its output tidiest when each
// new mapping is written once, whole, so fix writes this shorter list.
import { isObject } from '../core/path.js';
import type { Edit, Path } from '../core/types.js';
import { deepEqual } from './edit-semantics.js';

export function minimalEdits(before: unknown, after: unknown, path: Path = []): Edit[] {
  if (deepEqual(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const out: Edit[] = [];
    for (const key of Object.keys(before)) {
      if (!Object.prototype.hasOwnProperty.call(after, key)) out.push({ op: 'delete', path: [...path, key] });
    }
    for (const [key, value] of Object.entries(after)) {
      if (!Object.prototype.hasOwnProperty.call(before, key)) out.push({ op: 'set', path: [...path, key], value });
      else out.push(...minimalEdits(before[key], value, [...path, key]));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && after.length >= before.length) {
    const out: Edit[] = [];
    before.forEach((item, index) => out.push(...minimalEdits(item, after[index], [...path, index])));
    for (const item of after.slice(before.length)) out.push({ op: 'append', path, value: item });
    return out;
  }
  return [{ op: 'set', path, value: after }];
}
