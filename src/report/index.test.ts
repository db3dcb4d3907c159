import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadRenderer, REPORT_FORMATS } from './index.js';
import { contextOf, richReport } from '../../test/helpers/audit-report.js';

describe('report formats', () => {
  it('loads a renderer for every format the CLI offers, and each renders a real report', async () => {
    const context = contextOf(await richReport());
    // Findings sort by file, and standard input (`-` in text) sorts first.
    const starts = { text: '-', json: '{', sarif: '{', junit: '<?xml', markdown: '## rootlock audit', html: '<!DOCTYPE html>' };
    for (const format of REPORT_FORMATS) {
      const output = (await loadRenderer(format))(context);
      assert.ok(output.startsWith(starts[format]), `${format}: ${output.slice(0, 40)}`);
      assert.ok(output.endsWith('\n'), `${format} ends with a newline`);
    }
  });
});
