// Randomised check of the YAML writer against the reference semantics:
// documents of random shape written in random styles (indent widths,
// sequences indented or not, flow collections, JSON, comments), random
// edits on existing and new paths. A fixed seed keeps runs reproducible; a
// failure prints the seed, the input and the edits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Document, isCollection, visit } from 'yaml';
import type { Edit, Path } from '../core/types.js';
import { isObject } from '../core/path.js';
import { parseManifests } from '../input/kube-yaml.js';
import { applyEdits } from './edit-semantics.js';
import { applyEditsToDocumentText } from './yaml-edits.js';
import { mulberry32 } from '../../test/helpers/seeded-random.js';


const KEYS = ['name', 'image', 'securityContext', 'readOnlyRootFilesystem', 'volumes', 'items', 'a/b', 'x.y', 'data', 'args', 'empty'];
const STRINGS = ['nginx', 'registry:5000/app:1.0', '/tmp', 'a b', 'yes', '0755', '', 'multi\nline', 'say "hi"', "it's", '#not-a-comment'];

function generate(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth > 3 || roll < 0.35) {
    const kind = Math.floor(next() * 5);
    if (kind === 0) return STRINGS[Math.floor(next() * STRINGS.length)];
    if (kind === 1) return Math.floor(next() * 2000) - 1000;
    if (kind === 2) return next() < 0.5;
    if (kind === 3) return null;
    return 'v' + Math.floor(next() * 100);
  }
  if (roll < 0.65) {
    const out: Record<string, unknown> = {};
    const size = Math.floor(next() * 4);
    for (let i = 0; i < size; i++) out[KEYS[Math.floor(next() * KEYS.length)] as string] = generate(next, depth + 1);
    return out;
  }
  const size = Math.floor(next() * 4);
  return Array.from({ length: size }, () => generate(next, depth + 1));
}

function render(value: Record<string, unknown>, next: () => number): string {
  if (next() < 0.15) return JSON.stringify(value, null, next() < 0.5 ? 2 : 4) + '\n';
  const document = new Document(value);
  visit(document, {
    Node(_, node) {
      if (isCollection(node) && next() < 0.15) node.flow = true;
      if (next() < 0.1) (node as { commentBefore?: string }).commentBefore = ' note';
      if (next() < 0.1) (node as { comment?: string }).comment = ' trailing';
    },
  });
  return document.toString({ indent: next() < 0.7 ? 2 : 4, indentSeq: next() < 0.5, lineWidth: 0 });
}

/** Paths that exist in `value`, and some that do not. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

function randomEdit(value: unknown, next: () => number): Edit {
  const all = paths(value);
  let path = [...(all[Math.floor(next() * all.length)] as Path)];
  const roll = next();
  if (roll < 0.3) path = [...path, KEYS[Math.floor(next() * KEYS.length)] as string];
  if (roll < 0.1) path = [...path, 'new'];
  // Rules edit fields, never a whole document: the empty path gets a field of its own.
  if (path.length === 0) path = [KEYS[Math.floor(next() * KEYS.length)] as string];
  const op = next();
  const payload = generate(next, 2);
  if (op < 0.45) return { op: 'set', path, value: payload };
  if (op < 0.7) return { op: 'append', path, value: payload };
  return { op: 'delete', path };
}

function valueOf(text: string): unknown {
  const parsed = parseManifests(text, 'random.yaml');
  assert.deepEqual(parsed.errors, [], `does not parse:\n${text}`);
  return parsed.documents[0]?.value;
}

describe('applyEditsToDocumentText on random documents and edits', () => {
  it('always means what the reference semantics say, and is idempotent', () => {
    let applied = 0;
    let refused = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const next = mulberry32(seed);
      const root = generate(next, 0);
      const value = isObject(root) ? root : { data: root };
      const text = render(value, next);
      // The yaml library itself sometimes writes invalid YAML for comments on flow collections; those inputs are skipped.
      if (parseManifests(text, 'random.yaml').errors.length > 0) continue;
      const original = valueOf(text);
      const edits = Array.from({ length: 1 + Math.floor(next() * 4) }, () => randomEdit(original, next));
      let expected: unknown;
      try {
        expected = applyEdits(original, edits).value;
      } catch {
        refused++;
        continue; // The reference refuses these edits; apply-file never hands them to the writer.
      }
      const context = `seed ${seed}\n--- input\n${text}\n--- edits\n${JSON.stringify(edits)}`;
      let out: string;
      try {
        out = applyEditsToDocumentText(text, edits).text;
      } catch (error) {
        assert.fail(`${(error as Error).message}: ${context}`);
      }
      assert.deepEqual(valueOf(out), expected, `${context}\n--- output\n${out}`);
      // Deleting by index is not idempotent; otherwise a second pass means nothing new.
      let again: { value: unknown; changed: boolean } | undefined;
      try {
        again = applyEdits(expected, edits);
      } catch {
        again = undefined; // e.g. the first pass replaced the root with a list the edits cannot walk again
      }
      if (again) {
        const second = applyEditsToDocumentText(out, edits).text;
        assert.deepEqual(valueOf(second), again.value, `second application: ${context}`);
        // The text is stable too, except for chains that rebuild what an earlier edit wrote: a delete then a set of the
        // same key moves it to the end of its mapping, and a set of a whole collection that a later edit extends is
        // replaced again (dropping comments inside it). Fixes from rules set fields and append items, which must be stable.
        const rebuilds = edits.some((e) => e.op === 'delete' || (e.op === 'set' && typeof e.value === 'object' && e.value !== null));
        if (!again.changed && !rebuilds) assert.equal(second, out, `not idempotent: ${context}`);
      }
      for (const line of text.split('\n').filter((l) => l.trimStart().startsWith('#'))) {
        const removedByDelete = edits.some((e) => e.op !== 'append');
        if (!removedByDelete) assert.ok(out.includes(line), `lost comment ${line}: ${context}`);
      }
      applied++;
    }
    assert.ok(applied > 200, `only ${applied} cases applied (${refused} refused by the reference)`);
  });
});

/** Edits that add to what exists, the kind fixes make: new keys in mappings, new items in lists, a few others. */
function growingEdit(value: unknown, next: () => number): Edit {
  const all = paths(value);
  const path = [...(all[Math.floor(next() * all.length)] as Path)];
  let node: unknown = value;
  for (const segment of path) node = (node as Record<string | number, unknown>)[segment];
  const roll = next();
  if (roll < 0.15) return randomEdit(value, next);
  // A scalar replaced by another (depth 4 generates scalars only).
  if (path.length > 0 && !Array.isArray(node) && !isObject(node) && roll < 0.6) return { op: 'set', path, value: generate(next, 4) };
  const payload = generate(next, 2);
  if (Array.isArray(node)) return { op: 'append', path, value: payload };
  const key = KEYS[Math.floor(next() * KEYS.length)] as string;
  if (roll < 0.3) return { op: 'append', path: [...path, key], value: payload };
  return { op: 'set', path: path.length === 0 || next() < 0.8 ? [...path, key] : [...path, key, 'new'], value: payload };
}

describe('applyEditsToDocumentText: edits sharing a round', () => {
  it('writes exactly what one round per overlapping edit writes', () => {
    let batched = 0;
    let compared = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const next = mulberry32(seed * 7919);
      const root = generate(next, 0);
      const value = isObject(root) ? root : { data: root };
      const text = render(value, next);
      if (parseManifests(text, 'random.yaml').errors.length > 0) continue;
      const original = valueOf(text);
      const edits = Array.from({ length: 2 + Math.floor(next() * 6) }, () => growingEdit(original, next));
      const run = (batchTails: boolean): { text: string; rounds: number } | string => {
        try {
          return applyEditsToDocumentText(text, edits, { batchTails });
        } catch (error) {
          return (error as Error).message;
        }
      };
      const together = run(true);
      const apart = run(false);
      const context = `seed ${seed}\n--- input\n${text}\n--- edits\n${JSON.stringify(edits)}`;
      if (typeof together === 'string' || typeof apart === 'string') {
        assert.equal(together, apart, context);
        continue;
      }
      assert.equal(together.text, apart.text, context);
      compared++;
      if (together.rounds < apart.rounds) batched++;
    }
    // The comparison means something only if many cases did share rounds.
    assert.ok(compared > 450 && batched > 100, `${compared} compared, ${batched} with fewer rounds`);
  });
});
