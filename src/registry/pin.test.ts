import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pinImage } from './pin.js';
import { isPinnedByDigest, parseImageReference } from '../knowledge/image-ref.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('pinImage', () => {
  it('keeps the tag and the spelling, and adds the digest', () => {
    assert.equal(pinImage('nginx:1.25', DIGEST), `nginx:1.25@${DIGEST}`);
    assert.equal(pinImage('ghcr.io/org/app:v2.0.1', DIGEST), `ghcr.io/org/app:v2.0.1@${DIGEST}`);
    assert.equal(pinImage('localhost:5000/team/app:1.0', DIGEST), `localhost:5000/team/app:1.0@${DIGEST}`);
    assert.equal(pinImage('redis', DIGEST), `redis@${DIGEST}`);
  });

  it('replaces an existing digest, wrong or short', () => {
    assert.equal(pinImage(`nginx:1.25@sha256:${'0'.repeat(64)}`, DIGEST), `nginx:1.25@${DIGEST}`);
    assert.equal(pinImage('nginx:1.25@sha256:abc123', DIGEST), `nginx:1.25@${DIGEST}`);
    assert.equal(pinImage(`app@sha256:${'0'.repeat(64)}`, DIGEST), `app@${DIGEST}`);
  });

  it('produces references the audit accepts as pinned, naming the same image and tag', () => {
    for (const image of ['nginx:1.25', 'registry.example.com:5000/a/b:tag', 'busybox']) {
      const pinned = pinImage(image, DIGEST);
      assert.ok(isPinnedByDigest(pinned), pinned);
      const before = parseImageReference(image)!;
      const after = parseImageReference(pinned)!;
      assert.deepEqual([after.name, after.tag, after.digest], [before.name, before.tag, DIGEST]);
    }
  });

  it('trims surrounding whitespace and refuses non-digests', () => {
    assert.equal(pinImage(' nginx:1.25 ', DIGEST), `nginx:1.25@${DIGEST}`);
    assert.throws(() => pinImage('nginx:1.25', 'sha256:abc'), /not a sha256 or sha512 digest/);
    assert.throws(() => pinImage('nginx:1.25', 'latest'), TypeError);
    assert.throws(() => pinImage('@sha256:abc', DIGEST), /names no repository/);
  });
});
