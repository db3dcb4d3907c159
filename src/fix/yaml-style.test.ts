import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { SourceText } from './source-text.js';
import { DEFAULT_STYLE, detectStyle } from './yaml-style.js';

function styleOf(text: string) {
  return detectStyle(parseDocument(text), new SourceText(text));
}

describe('detectStyle', () => {
  it('measures mapping width, sequence indentation and the gap after "-"', () => {
    assert.deepEqual(styleOf('spec:\n    containers:\n    -   name: a\n        image: b\n        env:\n        -   name: X\n'), {
      mapIndent: 4, seqIndent: 0, itemIndent: 4, jsonIndent: DEFAULT_STYLE.jsonIndent, eol: '\n',
    });
    assert.deepEqual(styleOf('a:\n  b:\n    - x\n    - y\n  c:\n    - z\n'), {
      mapIndent: 2, seqIndent: 2, itemIndent: 2, jsonIndent: DEFAULT_STYLE.jsonIndent, eol: '\n',
    });
  });

  it('takes the most common habit and falls back to the defaults', () => {
    const mixed = 'a:\n  l1:\n  - x\n  l2:\n  - y\n  l3:\n    - z\n';
    assert.equal(styleOf(mixed).seqIndent, 0);
    assert.deepEqual(styleOf('a: 1\n'), { ...DEFAULT_STYLE, eol: '\n' });
  });

  it('measures pretty JSON and CRLF line breaks', () => {
    const style = styleOf('{\r\n    "a": {\r\n        "b": 1\r\n    }\r\n}\r\n');
    assert.equal(style.jsonIndent, 4);
    assert.equal(style.eol, '\r\n');
  });
});
