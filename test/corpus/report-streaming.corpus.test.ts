// Streamed reports equal whole ones over the whole third-party corpus.
import { describe, it } from 'node:test';
import { corpusDir } from '../helpers/corpus.js';
import { checkStreamedReports } from '../helpers/streamed-reports.js';

describe('streamed reports over the corpus', () => {
  it('equal the whole reports in every format when findings spill to disk', () => checkStreamedReports(corpusDir(), 97));
});
