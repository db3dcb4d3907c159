// Whether the block-YAML fast path reads documents exactly as the js-yaml path
// does (values, key order, errors, positions of every node): shared by the
// parser's tests over the repository's manifests and by the corpus suite.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseBlockDocument } from '../../src/input/block-yaml.js';
import { DocumentSplitter, parseManifests } from '../../src/input/kube-yaml.js';
import type { Path } from '../../src/core/types.js';

/** Every path to a node of `value`, plus a missing key and a missing item below each. */
function* probePaths(value: unknown, prefix: Path = []): Generator<Path> {
  yield prefix;
  yield [...prefix, 'no-such-key'];
  yield [...prefix, 99];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* probePaths(value[i], [...prefix, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) yield* probePaths(child, [...prefix, key]);
  }
}

/** Why the fast path's reading of `text` differs from js-yaml's, or undefined when they agree. */
export function difference(text: string): string | undefined {
  const fast = parseManifests(text, 'in.yaml', { fastPath: true });
  const slow = parseManifests(text, 'in.yaml', { fastPath: false });
  if (!isDeepStrictEqual(fast.errors, slow.errors)) return `errors ${JSON.stringify(fast.errors)} vs ${JSON.stringify(slow.errors)}`;
  if (fast.documents.length !== slow.documents.length) return 'document count';
  for (let d = 0; d < fast.documents.length; d++) {
    const a = fast.documents[d]!;
    const b = slow.documents[d]!;
    // JSON also compares key order, which deep equality ignores.
    if (!isDeepStrictEqual(a.value, b.value) || JSON.stringify(a.value) !== JSON.stringify(b.value)) {
      return `value ${JSON.stringify(a.value)} vs ${JSON.stringify(b.value)}`;
    }
    if (!isDeepStrictEqual(a.position, b.position) || a.helmSource !== b.helmSource || a.index !== b.index) return 'document position';
    for (const path of probePaths(a.value)) {
      const x = a.locate(path);
      const y = b.locate(path);
      if (!isDeepStrictEqual(x, y)) return `locate ${JSON.stringify(path)}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
    }
  }
  return undefined;
}

/** Asserts agreement on every file; counts the documents, and those the fast path read. */
export function agreeOnFiles(files: readonly string[]): { pieces: number; fast: number } {
  let pieces = 0;
  let fast = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.equal(difference(text), undefined, file);
    const splitter = new DocumentSplitter();
    for (const piece of [...splitter.push(text), ...splitter.end()]) {
      if (piece.kind !== 'text' || !/^[^#\s-]/m.test(piece.text)) continue;
      pieces++;
      if (parseBlockDocument(piece.text) !== undefined) fast++;
    }
  }
  return { pieces, fast };
}

/** Asserts agreement on `count` documents made by mutating `seeds` (seeded, so every run is the same); returns how many the fast path read. */
export function agreeOnMutations(seeds: readonly string[], count: number): number {
  const tokens = [' ', '  ', '\n', ':', ': ', '-', '- ', '#', ' #', '"', "'", '|', '>', '|-', '|+', '>-', '[', ']', '{', '}', ',', '&a',
    '*a', '!!str ', '?', '\t', '0', 'yes', 'on', '0x1F', '017', '1e3', '.5', '~', '\\', '\\n', '\\x41', "''", '<<', '---', '...', '%',
    '@', 'key: v', '\n  ', '\n- ', '\n  - ', 'é', '😀', '\r\n', '  #c', '\n\n'];
  let state = 20261127;
  const random = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  let fast = 0;
  for (let n = 0; n < count; n++) {
    let text = pick(seeds);
    for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
      const at = Math.floor(random() * (text.length + 1));
      const r = random();
      if (r < 0.45) text = text.slice(0, at) + pick(tokens) + text.slice(at);
      else if (r < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
      else {
        const lines = text.split('\n');
        const k = Math.floor(random() * lines.length);
        if (r < 0.85) lines.splice(k, 0, pick(lines));
        else lines[k] = (random() < 0.5 ? ' ' : '') + (lines[k] as string).slice(random() < 0.5 ? 1 : 0);
        text = lines.join('\n');
      }
    }
    if (parseBlockDocument(text) !== undefined) fast++;
    const why = difference(text);
    assert.equal(why, undefined, `mutated document ${n}:\n${text}`);
  }
  return fast;
}
