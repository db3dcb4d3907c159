// The block-YAML fast path must read every document it accepts exactly as
// the js-yaml path does (values, key order, errors, positions of every node),
// and leave everything else to js-yaml. Checked on hand-picked corner cases,
// on real manifests, and on mutated documents.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBlockDocument } from './block-yaml.js';
import { agreeOnFiles, agreeOnMutations, difference } from '../../test/helpers/block-yaml-agreement.js';
import { corpusExcerptsDir, manifestFiles, repoRoot, seedExamplesDir } from '../../test/helpers/repo.js';

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

  it('agrees with js-yaml on the corpus excerpts, the examples, the study guide\'s examples and the rule fixtures, and reads nearly all of them', () => {
    const files = [
      ...manifestFiles(corpusExcerptsDir()),
      ...manifestFiles(join(repoRoot(), 'examples')),
      ...manifestFiles(seedExamplesDir()),
      ...manifestFiles(join(repoRoot(), 'src', 'rules')),
    ];
    assert.ok(files.length > 60, `only ${files.length} files`);
    const { pieces, fast } = agreeOnFiles(files);
    assert.ok(fast / pieces > 0.9, `fast path read ${fast} of ${pieces} documents`);
  });

  it('agrees with js-yaml on 12,000 mutated documents', (t) => {
    const seeds = [...manifestFiles(corpusExcerptsDir()), ...manifestFiles(seedExamplesDir())].map((file) => readFileSync(file, 'utf8')).filter((text) => text.length < 6000);
    const fast = agreeOnMutations(seeds, 12_000);
    // Many mutations break the YAML; enough must still be read by the fast path for the comparison to mean something.
    t.diagnostic(`the fast path read ${fast} of 12,000 mutated documents`);
    assert.ok(fast > 2000, `fast path read only ${fast} mutated documents`);
  });
});
