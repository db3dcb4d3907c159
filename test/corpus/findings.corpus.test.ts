// The findings over the whole third-party corpus, held to test/corpus/findings.snapshot.json.
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { corpusDir } from '../helpers/corpus.js';
import { checkFindingsSnapshot } from '../helpers/findings-snapshot.js';
import { repoRoot } from '../helpers/repo.js';

describe('real-world corpus', () => {
  it('parses every document without errors and keeps findings stable', () => {
    checkFindingsSnapshot(corpusDir(), join(repoRoot(), 'test', 'corpus', 'findings.snapshot.json'), { files: 100, documents: 200 });
  });
});
