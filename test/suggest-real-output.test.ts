// suggestFromLogs on what real programs print, not on strings written from
// memory: each program runs in its own mount namespace (util-linux unshare,
// so the mount disappears with it even if the test fails) against a tmpfs
// remounted read-only, and its real error output is parsed. The programs are
// the ones every test machine has: dash, bash, coreutils, busybox (the
// sandbox tests install busybox-static) and node. nginx and Python output
// from the Debian image tests goes through the same function.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { suggestFromLogs } from '../src/suggest/logs.js';
import { hostBusybox } from './helpers/busybox-image.js';

let root: string;
let busybox: string;

/** stderr of `command` run against `${root}`, a read-only tmpfs holding empty app/ and tmp/ directories. */
function readOnlyRun(command: string[], env: Record<string, string> = {}): string {
  const setup = `mount -t tmpfs -o size=1m tmpfs "$ROOT" && mkdir "$ROOT/app" "$ROOT/tmp" && mount -o remount,ro "$ROOT" && exec "$@"`;
  const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', setup, 'sh', ...command], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', ROOT: root, ...env },
  });
  if (result.error) throw result.error;
  assert.notEqual(result.status, 0, `${command.join(' ')} was expected to fail; it printed: ${result.stdout}${result.stderr}`);
  return result.stderr;
}

/** One line of real output: the program it was read as, the path it names, and the directory suggested. */
function readOne(stderr: string): { program: string; path: string | undefined; suggestion: string } {
  const found = suggestFromLogs(stderr);
  assert.equal(found.suggestions.length, 1, `one suggestion from:\n${stderr}\n${JSON.stringify(found, null, 2)}`);
  const suggestion = found.suggestions[0]!;
  return { program: suggestion.evidence[0]!.program, path: suggestion.evidence[0]!.path, suggestion: suggestion.path };
}

describe('suggestFromLogs on real programs\' errors on a read-only filesystem', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'rootlock-rofs-'));
    busybox = hostBusybox();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('dash redirect: the file\'s directory', () => {
    assert.deepEqual(readOne(readOnlyRun(['dash', '-c', `echo x > "$ROOT/app/out.txt"`])), { program: 'shell', path: `${root}/app/out.txt`, suggestion: `${root}/app` });
  });

  it('bash redirect: the file\'s directory', () => {
    assert.deepEqual(readOne(readOnlyRun(['bash', '-c', `echo x > "$ROOT/app/out.txt"`])), { program: 'shell', path: `${root}/app/out.txt`, suggestion: `${root}/app` });
  });

  it('coreutils touch, mkdir and mktemp', () => {
    assert.deepEqual(readOne(readOnlyRun(['touch', `${root}/app/ready`])), { program: 'shell', path: `${root}/app/ready`, suggestion: `${root}/app` });
    assert.deepEqual(readOne(readOnlyRun(['mkdir', `${root}/app/cache`])), { program: 'shell', path: `${root}/app/cache`, suggestion: `${root}/app/cache` });
    assert.deepEqual(readOne(readOnlyRun(['mktemp', '-p', `${root}/tmp`])).suggestion, `${root}/tmp`);
  });

  it('coreutils mkdir in a UTF-8 locale (curly quotes)', () => {
    const stderr = readOnlyRun(['mkdir', `${root}/app/cache`], { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
    assert.deepEqual(readOne(stderr), { program: 'shell', path: `${root}/app/cache`, suggestion: `${root}/app/cache` });
  });

  it('busybox sh, mkdir and touch', () => {
    assert.deepEqual(readOne(readOnlyRun([busybox, 'sh', '-c', `echo 1 > "$ROOT/app/app.pid"`])), { program: 'shell', path: `${root}/app/app.pid`, suggestion: `${root}/app` });
    assert.deepEqual(readOne(readOnlyRun([busybox, 'mkdir', `${root}/app/x`])), { program: 'shell', path: `${root}/app/x`, suggestion: `${root}/app/x` });
    assert.deepEqual(readOne(readOnlyRun([busybox, 'touch', `${root}/app/y`])), { program: 'shell', path: `${root}/app/y`, suggestion: `${root}/app` });
  });

  it('node: an uncaught EROFS from writeFileSync and mkdirSync, stack and error object included', () => {
    const write = readOnlyRun([process.execPath, '-e', `require('fs').writeFileSync(process.env.ROOT + '/app/.cache', 'x')`]);
    assert.match(write, /errno: -30/, 'node printed the error object too');
    assert.deepEqual(readOne(write), { program: 'node', path: `${root}/app/.cache`, suggestion: `${root}/app` });
    assert.deepEqual(suggestFromLogs(write).unplaced, [], 'the error object\'s lines are not errors of their own');
    const mkdir = readOnlyRun([process.execPath, '-e', `require('fs').mkdirSync(process.env.ROOT + '/app/data')`]);
    assert.deepEqual(readOne(mkdir), { program: 'node', path: `${root}/app/data`, suggestion: `${root}/app/data` });
  });

  it('permission denied from a real non-root touch is listed apart, with no mount', () => {
    const result = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'touch', `${root}/denied`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C' } });
    assert.notEqual(result.status, 0);
    const found = suggestFromLogs(result.stderr);
    assert.deepEqual(found.suggestions, [], result.stderr);
    assert.deepEqual(found.permissionDenied.map((p) => p.path), [`${root}/denied`], result.stderr);
  });
});
