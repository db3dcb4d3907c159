import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('prints git-style file headers and hunks with three lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\n';
    assert.equal(unifiedDiff('./k8s/app.yaml', before, after), [
      '--- a/k8s/app.yaml',
      '+++ b/k8s/app.yaml',
      '@@ -2,6 +2,6 @@',
      ' b',
      ' c',
      ' d',
      '-e',
      '+E',
      ' f',
      ' g',
      '',
    ].join('\n'));
  });

  it('is empty for equal texts and marks a missing final line break', () => {
    assert.equal(unifiedDiff('x.yaml', 'a\n', 'a\n'), '');
    assert.match(unifiedDiff('x.yaml', 'a', 'a\nb'), /\\ No newline at end of file/);
  });
});
