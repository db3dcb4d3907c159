import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeContainer, listInWords, quotedList } from './container-label.js';

describe('container-label', () => {
  it('names each container type in words', () => {
    assert.equal(describeContainer({ type: 'container', name: 'app' }), 'container "app"');
    assert.equal(describeContainer({ type: 'initContainer', name: 'setup' }), 'init container "setup"');
    assert.equal(describeContainer({ type: 'ephemeralContainer', name: 'debug' }), 'ephemeral container "debug"');
  });

  it('joins names the way a sentence does', () => {
    assert.equal(quotedList([]), '');
    assert.equal(quotedList(['a']), '"a"');
    assert.equal(quotedList(['a', 'b']), '"a" and "b"');
    assert.equal(quotedList(['a', 'b', 'c']), '"a", "b" and "c"');
    assert.equal(listInWords(['container "a"', 'init container "b"']), 'container "a" and init container "b"');
  });
});
