import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeContainer, joinList, quotedList } from './describe.js';

describe('rule wording', () => {
  it('names each container type in words', () => {
    assert.equal(describeContainer({ type: 'container', name: 'app' }), 'container "app"');
    assert.equal(describeContainer({ type: 'initContainer', name: 'setup' }), 'init container "setup"');
    assert.equal(describeContainer({ type: 'ephemeralContainer', name: 'debug' }), 'ephemeral container "debug"');
    assert.equal(describeContainer({ type: 'initContainer', name: 'proxy', restartableSidecar: true }), 'sidecar container "proxy"');
  });

  it('joins names the way a sentence does', () => {
    assert.equal(quotedList([]), '');
    assert.equal(quotedList(['a']), '"a"');
    assert.equal(quotedList(['a', 'b']), '"a" and "b"');
    assert.equal(quotedList(['a', 'b', 'c']), '"a", "b" and "c"');
    assert.equal(joinList(['container "a"', 'init container "b"']), 'container "a" and init container "b"');
  });
});
