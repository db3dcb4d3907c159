import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileShapeProblem, readProfileFile } from './profile-file.js';
import { NGINX_PROFILE } from '../../test/helpers/profile-fixture.js';

describe('readProfileFile', () => {
  const work = mkdtempSync(join(tmpdir(), 'rootlock-profile-file-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(work, name), text);
    return join(work, name);
  };

  it('reads what rootlock profile writes', async () => {
    assert.equal(profileShapeProblem(NGINX_PROFILE), undefined);
    assert.deepEqual(await readProfileFile(write('nginx.json', JSON.stringify(NGINX_PROFILE, null, 2)), 'nginx.json'), NGINX_PROFILE);
  });

  it('names the file, and the line and column of broken JSON', async () => {
    await assert.rejects(readProfileFile(write('broken.json', '{\n  "image": "x",\n  "proposals": [,]\n}\n'), 'broken.json'), /^Error: broken\.json:3:17: not JSON/);
    await assert.rejects(readProfileFile(join(work, 'none.json'), 'none.json'), /^Error: cannot read none\.json/);
  });

  it('refuses other JSON, saying what is missing', async () => {
    await assert.rejects(readProfileFile(write('drift.json', '{"tool": {"name": "rootlock"}, "containers": []}'), 'drift.json'), /^Error: drift\.json: not the output of `rootlock profile --format json` \(no "image"\)$/);
    const { proposals: _, ...noProposals } = NGINX_PROFILE;
    assert.equal(profileShapeProblem(noProposals), 'no "proposals"');
    assert.equal(profileShapeProblem({ ...NGINX_PROFILE, proposals: [{ path: '/tmp' }] }), 'a proposal without "path", "bytes" and "paths"');
    assert.equal(profileShapeProblem({ ...NGINX_PROFILE, atRoot: [1] }), '"atRoot" is not a list of paths');
    assert.equal(profileShapeProblem({ ...NGINX_PROFILE, imageName: 7 }), '"imageName" is not a string');
    assert.equal(profileShapeProblem([]), 'not an object');
  });

  it('cleans up', () => rmSync(work, { recursive: true, force: true }));
});
