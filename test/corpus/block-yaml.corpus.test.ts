// The block-YAML fast path against js-yaml over the whole third-party corpus:
// every file read alike, nearly every document read by the fast path, and
// 12,000 mutations of its smaller files read alike.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { agreeOnFiles, agreeOnMutations } from '../helpers/block-yaml-agreement.js';
import { corpusDir } from '../helpers/corpus.js';
import { manifestFiles } from '../helpers/repo.js';

describe('block-YAML fast path over the corpus', () => {
  it('agrees with js-yaml on every corpus file and reads nearly all of its documents', () => {
    const files = manifestFiles(corpusDir());
    assert.ok(files.length > 150, `only ${files.length} files`);
    const { pieces, fast } = agreeOnFiles(files);
    assert.ok(fast / pieces > 0.9, `fast path read ${fast} of ${pieces} documents`);
  });

  it('agrees with js-yaml on 12,000 mutated corpus documents', (t) => {
    const seeds = manifestFiles(corpusDir()).map((file) => readFileSync(file, 'utf8')).filter((text) => text.length < 6000);
    const fast = agreeOnMutations(seeds, 12_000);
    t.diagnostic(`the fast path read ${fast} of 12,000 mutated documents`);
    assert.ok(fast > 2000, `fast path read only ${fast} mutated documents`);
  });
});
