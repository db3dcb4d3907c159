// The block-YAML fast path must read every document it accepts exactly as
// the js-yaml path does (values, key order, errors, positions of every node),
// and leave everything else to js-yaml. Checked on hand-picked corner cases,
// on real manifests, and on mutated documents.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseBlockDocument } from './block-yaml.js';
import { DocumentSplitter, parseManifests } from './kube-yaml.js';
import type { Path } from '../core/types.js';
import { manifestFiles, repoRoot, sharedDir } from '../../test/helpers/repo.js';

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
function difference(text: string): string | undefined {
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

const ACCEPTED = [
  `a: 'it''s'\nb: "x\\"y"\nc: "\\u00e9\\x41\\U0001F600\\t"\nd: ''\ne: ""\nf: "\\/\\\\ \\0 \\a \\b \\e \\N \\_ \\L \\P \\ "`,
  'a: b #c\nb: b#c\nc: http://x:80/y\nd: a:b\na:b: c',
  '80: x\n0x51: y\nyes: 1\n~: 1\n1.0: a\nfalse: 0\n',
  'v:\n- yes\n- No\n- on\n- OFF\n- y\n- ~\n- 0755\n- 0o17\n- 1_000\n- +1\n- -0\n- .inf\n- -.Inf\n- .nan\n- 1e3\n- 1.\n- 0x\n- 0b101\n- 2024-01-01\n- 12:30\n- tRue',
  'a: |\n  x\n  y\n\n  z\n\n\nb: |-\n  x\n\nc: |+\n  x\n\n\nd: >\n  a\n  b\n\n  c\ne: >-\n  a\n\n\n  b\n\nf: >+\n  a\n\ng: |\n\n  lead\nh: |\ni: 1',
  'a: |\n  # not a comment\n  x\n# comment\nb: |\n    deeper\n    more\n',
  'a: |\n  x',
  'a: >\n\n  x\n\n  y\n',
  'l:\n- |\n  in seq\n- >\n  folded\n  seq\n- x',
  'a: [ ]\nb: {}\nc: [a, b]\nd: [ "a" , \'b\' ]\ne: {a: 1, b: [x]}\nf: [a,b]\ng: {a: 1,b: 2}\nh: [[1],[2]]\ni: {"q": \'v\'}\nj: [a b, c d ]',
  'a:\n- b\n- c\nd:\n  - e\n  -\n    f: 1\n  - \n  - # c\n  - g: 1\n    h: 2\n',
  'a  : 1\nkey with spaces: 2\n"quoted key": 3\n\'single\': 4\nünï: 5\n"a b" : 6',
  '--- # c\na: 1\n',
  '# lead\n\n---\n# x\na: 1\n# trail\n',
  '- a: 1\n  b: 2\n- c: 3\n-   d: 4\n    e: 5',
  'resources: {}\n  # limits:\n  #   cpu: 100m\nx: 1',
  'a: \'x\' # c\nb: "y"   # c\nc: [1] # c\nd: 1 \ne:  \n',
  'a: -1\nb: -x\nc: --flag',
  '# Source: chart/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n',
];

const DECLINED = [
  'a: &x 1\nb: *x', 'a: !!str 1', '<<: {a: 1}', 'a: 1\na: 2', 'a: b\n  c', 'a: "x\n  y"', 'a:\tb', 'a: b\r\n', '%YAML 1.1\n---\na: 1',
  'a: |2\n   x', 'a: >\n  x\n    more\n  y', '? a\n: b', 'a: b: c', 'a: [a,\n b]', 'a: - b', 'a: @x', 'a: `x`', 'a:\n  - x\n - y', '1',
  '[a, b]', '{"a": 1}', 'a: "x\\\n y"', 'a: |\n  \n   \n  x', '__proto__: 1', 'constructor: 1', 'a: [a, ]', 'a: [a:b]', 'a: [#x]',
  '---\na: 1\n...\n', 'a: "\\U00110000"', '- - a', 'a: {a:1}', 'a: |\n\n', '# only a comment\n', '',
];

describe('block-YAML fast path', () => {
  it('reads the block style manifests are written in, exactly as js-yaml does', () => {
    for (const text of ACCEPTED) {
      assert.notEqual(parseBlockDocument(text), undefined, `fast path declined ${JSON.stringify(text)}`);
      assert.equal(difference(text), undefined, JSON.stringify(text));
    }
  });

  it('leaves anchors, tags, merges, multi-line scalars, odd characters and every error to js-yaml', () => {
    for (const text of DECLINED) {
      assert.equal(parseBlockDocument(text), undefined, `fast path took ${JSON.stringify(text)}`);
      assert.equal(difference(text), undefined, JSON.stringify(text));
    }
  });

  it('agrees with js-yaml on the real-world corpus, the examples and the rule fixtures, and reads nearly all of them', () => {
    const files = [
      ...manifestFiles(join(sharedDir(), 'corpus', 'real-world')),
      ...manifestFiles(join(repoRoot(), 'examples')),
      ...manifestFiles(join(sharedDir(), 'seed', 'examples')),
      ...manifestFiles(join(repoRoot(), 'src', 'rules')),
    ];
    assert.ok(files.length > 200, `only ${files.length} files`);
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
    assert.ok(fast / pieces > 0.9, `fast path read ${fast} of ${pieces} documents`);
  });

  it('agrees with js-yaml on 12,000 mutated documents', (t) => {
    const seeds = manifestFiles(join(sharedDir(), 'corpus', 'real-world'))
      .map((file) => readFileSync(file, 'utf8'))
      .filter((text) => text.length < 6000);
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
    for (let n = 0; n < 12_000; n++) {
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
    // Many mutations break the YAML; enough must still be read by the fast path for the comparison to mean something.
    t.diagnostic(`the fast path read ${fast} of 12,000 mutated documents`);
    assert.ok(fast > 2000, `fast path read only ${fast} mutated documents`);
  });
});
