// The findings over the corpus excerpts kept in the repository (test/fixtures/corpus), held to a snapshot.
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { checkFindingsSnapshot } from './helpers/findings-snapshot.js';
import { corpusExcerptsDir, repoRoot } from './helpers/repo.js';

describe('corpus excerpts', () => {
  it('parse without errors but the known ones, and keep their findings', () => {
    checkFindingsSnapshot(corpusExcerptsDir(), join(repoRoot(), 'test', 'corpus', 'excerpts.snapshot.json'), { files: 20, documents: 25 });
  });
});
