// `rootlock fix` with every rule over the corpus excerpts kept in the repository.
import { describe, it } from 'node:test';
import { checkFixWithEveryRule } from './helpers/fix-all-rules.js';
import { corpusExcerptsDir } from './helpers/repo.js';

describe('fix over the corpus excerpts with every rule', () => {
  it('keeps every file intact apart from the fixes, and is idempotent', () => checkFixWithEveryRule(corpusExcerptsDir(), 10));
});
