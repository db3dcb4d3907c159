import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, lstatSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TEMPORARY_FILE, writeFileAtomic } from './atomic-write.js';

const directory = mkdtempSync(join(tmpdir(), 'rootlock-write-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const ORIGINAL = 'apiVersion: v1\nkind: Pod\n'.repeat(2000);
const WRITE_MODULE = pathToFileURL(fileURLToPath(new URL('./atomic-write.js', import.meta.url))).href;

/** Runs writeFileAtomic in a child process that kills itself with SIGKILL once the temporary file is complete, before the rename. */
function crashingWriter(path: string, content: string): ReturnType<typeof spawnSync> {
  const script = `const { writeFileAtomic } = await import(${JSON.stringify(WRITE_MODULE)});
    await writeFileAtomic(${JSON.stringify(path)}, ${JSON.stringify(content)}, { beforeRename: () => process.kill(process.pid, 'SIGKILL') });`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('writeFileAtomic', () => {
  it('replaces the content and keeps the file mode', async () => {
    const path = join(directory, 'mode.yaml');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o640);
    await writeFileAtomic(path, 'new\n');
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(directory).filter((name) => TEMPORARY_FILE.test(name)), []);
  });

  it('writes through a symlink and keeps the link', async () => {
    const target = join(directory, 'target.yaml');
    const link = join(directory, 'link.yaml');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    await writeFileAtomic(link, 'new\n');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
  });

  it('leaves the original intact when the process dies between writing the temporary file and renaming it', () => {
    const path = join(directory, 'crash.yaml');
    writeFileSync(path, ORIGINAL);
    const result = crashingWriter(path, 'apiVersion: v1\nkind: Pod\nspec: {}\n');
    assert.equal(result.signal, 'SIGKILL', `the child must have been killed: ${String(result.stderr)}`);
    assert.equal(readFileSync(path, 'utf8'), ORIGINAL);
    // The complete temporary file is what a crash leaves behind, beside the untouched original.
    const leftovers = readdirSync(directory).filter((name) => TEMPORARY_FILE.test(name) && name.includes('crash.yaml'));
    assert.equal(leftovers.length, 1);
    assert.equal(readFileSync(join(directory, leftovers[0] as string), 'utf8'), 'apiVersion: v1\nkind: Pod\nspec: {}\n');
  });

  it('removes the temporary file when the write fails', async () => {
    const path = join(directory, 'fail.yaml');
    writeFileSync(path, 'old\n');
    await assert.rejects(writeFileAtomic(path, 'new\n', { beforeRename: () => { throw new Error('disk full'); } }), /disk full/);
    assert.equal(readFileSync(path, 'utf8'), 'old\n');
    assert.deepEqual(readdirSync(directory).filter((name) => TEMPORARY_FILE.test(name) && name.includes('fail.yaml')), []);
  });

  it('creates a new file with create, and the directories it needs only with createDirectories', async () => {
    const path = join(directory, 'new', 'deeper', 'patch.yaml');
    await assert.rejects(writeFileAtomic(path, 'created\n', { create: true }), /ENOENT/);
    await writeFileAtomic(path, 'created\n', { create: true, createDirectories: true });
    assert.equal(readFileSync(path, 'utf8'), 'created\n');
    assert.deepEqual(readdirSync(join(directory, 'new', 'deeper')), ['patch.yaml']);
    await writeFileAtomic(path, 'replaced\n', { create: true });
    assert.equal(readFileSync(path, 'utf8'), 'replaced\n');
  });

  it('refuses to create a file that does not exist', async () => {
    await assert.rejects(writeFileAtomic(join(directory, 'missing.yaml'), 'x'), /ENOENT/);
  });
});
