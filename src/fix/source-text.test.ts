import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SourceText } from './source-text.js';

describe('SourceText', () => {
  const source = new SourceText('ab\n  cd # x\r\nlast');

  it('maps offsets to lines and columns', () => {
    assert.equal(source.line(0), 0);
    assert.equal(source.line(3), 1);
    assert.equal(source.column(5), 2);
    assert.equal(source.indentOf(6), 2);
    assert.equal(source.line(16), 2);
  });

  it('finds line ends with and without a final line break', () => {
    assert.equal(source.nextLineStart(1), 3);
    assert.equal(source.nextLineStart(3), 3);
    assert.equal(source.lineBreakAfter(5), 11);
    assert.equal(source.lineAt(3), '  cd # x');
    assert.equal(source.nextLineStart(14), 17);
    assert.equal(source.lineBreakAfter(14), 17);
    assert.equal(source.eol, '\r\n');
  });
});
