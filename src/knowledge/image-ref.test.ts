import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, imageCandidates, imageMatches, imageReference, parseImageReference } from './image-ref.js';

test('globToRegExp: * is any run, ? one character, everything else literal', () => {
  assert.ok(globToRegExp('prod-*').test('prod-eu-1'));
  assert.ok(!globToRegExp('prod-*').test('staging-prod-1'));
  assert.ok(globToRegExp('proxy-?').test('proxy-1'));
  assert.ok(!globToRegExp('proxy-?').test('proxy-12'));
  assert.ok(!globToRegExp('a.b').test('axb'), 'a dot is a dot');
  assert.ok(globToRegExp('(x)+[y]').test('(x)+[y]'));
});

test('globToRegExp compiles a pattern once and hands out a stateless RegExp', () => {
  const first = globToRegExp('team-*');
  assert.equal(globToRegExp('team-*'), first);
  assert.equal(first.flags, '');
  assert.ok(first.test('team-a') && first.test('team-a'), 'no lastIndex state between calls');
});

test('imageMatches tries every spelling of the image', () => {
  assert.deepEqual([...imageCandidates('nginx:1.27')].sort(), [
    'docker.io/library/nginx', 'docker.io/library/nginx:1.27', 'library/nginx', 'library/nginx:1.27', 'nginx', 'nginx:1.27',
  ]);
  assert.ok(imageMatches('nginx', 'docker.io/library/nginx:1.27'));
  assert.ok(imageMatches('docker.io/library/nginx', 'nginx'));
  // A tag pattern written short matches the long spelling too, and the other way round.
  assert.ok(imageMatches('nginx:1.27', 'docker.io/library/nginx:1.27'));
  assert.ok(imageMatches('docker.io/library/nginx:1.27', 'nginx:1.27'));
  assert.ok(!imageMatches('nginx:1.27', 'docker.io/library/nginx:1.28'));
  assert.ok(imageMatches('quay.io/*', 'quay.io/prometheus/prometheus:v2'));
  assert.ok(!imageMatches('nginx', 'ghcr.io/acme/nginx'));
  assert.ok(imageMatches('busybox:1.*', 'busybox:1.36'));
});

test('imageReference remembers what parseImageReference answers, invalid references included', () => {
  for (const image of ['nginx', 'nginx:1.27', 'ghcr.io/acme/app@sha256:' + 'a'.repeat(64), 'localhost:5000/x:1', ' spaced', '', ':1.0', '@sha256:abc', 'A/B:latest']) {
    assert.deepEqual(imageReference(image), parseImageReference(image), image);
    assert.deepEqual(imageReference(image), parseImageReference(image), `${image}, asked again`);
  }
  assert.equal(imageReference('nginx:1.27'), imageReference('nginx:1.27'), 'one shared answer per image');
});
