import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extendBaseline, matchesGlob, readBaseline, suppression } from './allow.js';

describe('drift allow-lists and baselines', () => {
  it('matches globs: * within a segment, ** across, ? one character', () => {
    assert.ok(matchesGlob('/tmp/a/b.txt', '/tmp/**'));
    assert.ok(matchesGlob('/var/cache/nginx/x', '/var/cache/**/x'));
    assert.ok(matchesGlob('/var/cache/x', '/var/cache/**/x'));
    assert.ok(matchesGlob('/etc/nginx/conf.d/a.conf', '/etc/nginx/*/*.conf'));
    assert.ok(!matchesGlob('/etc/nginx/conf.d/sub/a.conf', '/etc/nginx/*/*.conf'));
    assert.ok(matchesGlob('/run/a1', '/run/a?'));
    assert.ok(!matchesGlob('/etc/passwdx', '/etc/passwd'));
    assert.ok(matchesGlob('docker.io/library/nginx:1.27', 'docker.io/library/nginx:*'));
  });

  it('accepts a change when an entry for its image lists its path, or the image baseline has it', () => {
    const allow = [{ images: ['nginx:*'], paths: ['/var/cache/nginx/**'], reason: 'nginx cache', index: 0 }];
    const baseline = { version: 1 as const, images: { 'sha256:abc': [{ path: '/etc/motd', kind: 'changed' as const }] } };
    assert.deepEqual(suppression({ path: '/var/cache/nginx/x', kind: 'added' }, ['nginx:1.27'], undefined, allow, undefined), { by: 'allow', reason: 'nginx cache', entry: 0 });
    assert.equal(suppression({ path: '/var/cache/nginx/x', kind: 'added' }, ['redis:7'], undefined, allow, undefined), undefined);
    assert.deepEqual(suppression({ path: '/etc/motd', kind: 'changed' }, [], 'sha256:abc', [], baseline), { by: 'baseline', reason: 'in the baseline for sha256:abc' });
    assert.equal(suppression({ path: '/etc/motd', kind: 'deleted' }, [], 'sha256:abc', [], baseline), undefined);
    assert.equal(suppression({ path: '/etc/motd', kind: 'changed' }, [], 'sha256:other', [], baseline), undefined);
  });

  it('extends baselines without duplicates and validates them', () => {
    let baseline = extendBaseline({ version: 1, images: {} }, 'img', [{ path: '/b', kind: 'added' }, { path: '/a', kind: 'changed' }]);
    baseline = extendBaseline(baseline, 'img', [{ path: '/a', kind: 'changed' }]);
    assert.deepEqual(baseline, { version: 1, images: { img: [{ path: '/a', kind: 'changed' }, { path: '/b', kind: 'added' }] } });
    assert.deepEqual(readBaseline(baseline), { baseline });
    assert.equal(readBaseline({ version: 2, images: {} }).error, 'baseline version must be 1');
    assert.equal(readBaseline({ version: 1, images: { x: [{ path: 1 }] } }).error, 'baseline entry for x must be a list of { path, kind }');
  });
});
