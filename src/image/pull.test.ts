import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isImageReference } from './pull.js';

describe('isImageReference', () => {
  it('reads registry references, tags and digests as references', () => {
    for (const spec of ['busybox', 'busybox:1', '127.0.0.1:5000/busybox:1', 'registry.example/team/app@sha256:' + 'a'.repeat(64), 'localhost/app']) {
      assert.equal(isImageReference(spec), true, spec);
    }
  });

  it('never reads a path as one: absolute, ./ or ../, or with a backslash', () => {
    for (const spec of ['/srv/image', './image', '../image:1', 'dir\\image', 'two words', '']) assert.equal(isImageReference(spec), false, spec);
  });
});
