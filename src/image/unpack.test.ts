import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tarLayer } from '../../test/helpers/oci-image.js';
import { unpackLayerInto } from './unpack.js';

describe('unpackLayerInto', () => {
  it('keeps owners and modes, setuid, setgid and sticky bits included (chown would clear setuid after chmod)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-unpack-test-'));
    try {
      unpackLayerInto(tarLayer([
        { path: 'usr/bin', type: 'dir', mode: 0o755 },
        { path: 'usr/bin/su', type: 'file', content: 'x', mode: 0o4755 },
        { path: 'usr/bin/wall', type: 'file', content: 'y', mode: 0o2755, uid: 0, gid: 5 },
        { path: 'srv', type: 'dir', mode: 0o2775 },
        { path: 'tmp', type: 'dir', mode: 0o1777 },
        { path: 'home/app/file', type: 'file', content: 'z', mode: 0o600, uid: 1000, gid: 1000 },
      ]), join(dir, 'root'));
      const mode = (path: string): number => lstatSync(join(dir, 'root', path)).mode & 0o7777;
      assert.equal(mode('usr/bin/su'), 0o4755);
      assert.equal(mode('usr/bin/wall'), 0o2755);
      assert.equal(lstatSync(join(dir, 'root', 'usr/bin/wall')).gid, 5);
      assert.equal(mode('srv'), 0o2775);
      assert.equal(mode('tmp'), 0o1777);
      const file = lstatSync(join(dir, 'root', 'home/app/file'));
      assert.deepEqual([file.uid, file.gid, file.mode & 0o7777], [1000, 1000, 0o600]);
      assert.equal(readFileSync(join(dir, 'root', 'home/app/file'), 'utf8'), 'z');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
