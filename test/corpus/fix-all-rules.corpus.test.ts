// `rootlock fix` with every rule over the whole third-party corpus.
import { describe, it } from 'node:test';
import { corpusDir } from '../helpers/corpus.js';
import { checkFixWithEveryRule } from '../helpers/fix-all-rules.js';

describe('fix over the real-world corpus with every rule', () => {
  it('keeps every file intact apart from the fixes, and is idempotent', () => checkFixWithEveryRule(corpusDir(), 50));
});
