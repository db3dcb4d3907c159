import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Change } from '../drift/differ.js';
import { canonicalRunPath, proposeMounts } from './propose.js';

function added(path: string, size?: number): Change {
  return size === undefined
    ? { path, kind: 'added', aspects: [], type: 'dir', mode: 0o755, executableBit: true }
    : { path, kind: 'added', aspects: [], type: 'file', mode: 0o644, size, executableBit: false };
}

describe('proposeMounts', () => {
  it('proposes each written file\'s directory, with the bytes written there', () => {
    const result = proposeMounts([added('/tmp/a', 10), added('/tmp/b', 5), added('/var/log/nginx/error.log', 3)]);
    assert.deepEqual(result.proposals, [
      { path: '/tmp', bytes: 15, paths: ['/tmp/a', '/tmp/b'] },
      { path: '/var/log/nginx', bytes: 3, paths: ['/var/log/nginx/error.log'] },
    ]);
  });

  it('collapses directories below another proposal into it', () => {
    const result = proposeMounts([added('/tmp/x', 1), added('/tmp/sub'), added('/tmp/sub/y', 2)]);
    assert.deepEqual(result.proposals.map((p) => [p.path, p.bytes]), [['/tmp', 3]]);
  });

  it('maps /var/run to /run and merges both into one proposal', () => {
    assert.equal(canonicalRunPath('/var/run/nginx.pid'), '/run/nginx.pid');
    assert.equal(canonicalRunPath('/var/runner'), '/var/runner');
    const result = proposeMounts([added('/var/run/a.pid', 2), added('/run/b.sock', 0)]);
    assert.deepEqual(result.proposals.map((p) => p.path), ['/run']);
  });

  it('keeps /var/run apart from /run when the image has /var/run as a real directory', () => {
    const result = proposeMounts([added('/var/run/a.pid', 2)], ['/run'], false);
    assert.deepEqual(result.proposals.map((p) => p.path), ['/var/run']);
  });

  it('proposes a created empty directory itself, and not the parents of directories with files', () => {
    const result = proposeMounts([added('/var/lib/app'), added('/var/cache/app'), added('/var/cache/app/data', 7)]);
    assert.deepEqual(result.proposals.map((p) => p.path), ['/var/cache/app', '/var/lib/app']);
  });

  it('leaves out paths the pod\'s volumes cover (through /var/run too) and flags files written at the root', () => {
    const result = proposeMounts([added('/tmp/a', 1), added('/run/x.pid', 1), added('/stray', 1)], ['/tmp', '/var/run']);
    assert.deepEqual(result.proposals, []);
    assert.deepEqual(result.coveredByVolumes, ['/run/x.pid', '/tmp/a']);
    assert.deepEqual(result.atRoot, ['/stray']);
  });

  it('ignores directories only touched by their children\'s changes', () => {
    const touched: Change = { path: '/etc', kind: 'touched', aspects: [], type: 'dir', executableBit: true };
    const deleted: Change = { path: '/etc/motd', kind: 'deleted', aspects: [], type: 'file', executableBit: false };
    assert.deepEqual(proposeMounts([touched, deleted]).proposals, [{ path: '/etc', bytes: 0, paths: ['/etc/motd'] }]);
  });

  it('collapses sibling directories into their parent only when the image\'s parent is empty and no volume lies below it', () => {
    const nginx = [added('/var/lib/nginx/body'), added('/var/lib/nginx/proxy'), added('/var/lib/nginx/scgi'), added('/run/nginx.pid', 2)];
    const empty = (dir: string): boolean => dir === '/var/lib/nginx' || dir === '/var/lib';
    assert.deepEqual(proposeMounts(nginx, [], true, empty).proposals.map((p) => [p.path, p.paths.length]), [['/run', 1], ['/var/lib/nginx', 3]]);
    assert.deepEqual(proposeMounts(nginx).proposals.map((p) => p.path), ['/run', '/var/lib/nginx/body', '/var/lib/nginx/proxy', '/var/lib/nginx/scgi'], 'an image directory with content is not hidden');
    assert.deepEqual(proposeMounts(nginx, ['/var/lib/nginx/body'], true, empty).proposals.map((p) => p.path), ['/run', '/var/lib/nginx/proxy', '/var/lib/nginx/scgi']);
    assert.deepEqual(proposeMounts([added('/var/lib/nginx/body')], [], true, empty).proposals.map((p) => p.path), ['/var/lib/nginx/body'], 'one directory stays itself');
  });
});
