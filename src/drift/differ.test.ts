import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffUpperLayer } from './differ.js';
import type { FileFacts, UpperEntry } from './differ.js';
import { classifyChange, classifyProcess, exeFacts } from './classify.js';

const file = (mode = 0o644, size = 10): FileFacts => ({ type: 'file', mode, uid: 0, gid: 0, size });
const dir = (mode = 0o755): FileFacts => ({ type: 'dir', mode, uid: 0, gid: 0, size: 0 });
const whiteout: Omit<UpperEntry, 'path'> = { type: 'char', mode: 0, uid: 0, gid: 0, size: 0, rdev: { major: 0, minor: 0 } };

function kinds(entries: UpperEntry[]): string[] {
  return diffUpperLayer(entries).map((c) => `${c.kind} ${c.path}${c.aspects.length ? ' ' + c.aspects.join(',') : ''}${c.via ? ' ' + c.via : ''}${c.metacopy ? ' metacopy' : ''}`);
}

describe('upper-layer differ', () => {
  it('tells added, changed, touched and deleted apart, sorted by path', () => {
    assert.deepEqual(kinds([
      { path: '/usr/bin/curl', ...file(0o755) },
      { path: '/etc/app.conf', ...file(), lower: file(0o644, 9) },
      { path: '/etc/hosts', ...file(), lower: file(), sameContentAsLower: true },
      { path: '/etc/same-size', ...file(), lower: file(), sameContentAsLower: false },
      { path: '/etc/old.conf', ...whiteout, lower: file() },
      { path: '/etc/gone-already', ...whiteout },
      { path: '/usr', ...dir(), lower: dir() },
    ]), [
      'changed /etc/app.conf content',
      'touched /etc/hosts',
      'deleted /etc/old.conf whiteout',
      'changed /etc/same-size content',
      'added /usr/bin/curl',
    ]);
  });

  it('reads xattr whiteouts, opaque directories, type changes, metadata and metacopy', () => {
    assert.deepEqual(kinds([
      { path: '/a', ...file(0o644, 0), lower: file(), whiteoutXattr: true },
      { path: '/opt/app', ...dir(), lower: dir(), opaque: true, lowerChildren: ['x', 'y'] },
      { path: '/srv', ...dir(), lower: file() },
      { path: '/bin/sh', ...file(0o4755), lower: file(0o755), sameContentAsLower: true },
      { path: '/bin/ls', ...file(0o755), lower: file(), metacopy: true },
      { path: '/bin/cat', ...file(), lower: file(), metacopy: true },
      { path: '/etc/owned', ...file(), uid: 1000, lower: file(), sameContentAsLower: true },
      { path: '/var/run', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkTarget: '/tmp', lower: { type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkTarget: '/run' } },
      { path: '/tmp', ...dir(0o777), lower: dir(0o1777) },
    ]), [
      'deleted /a whiteout-xattr',
      'touched /bin/cat metacopy',
      'changed /bin/ls mode metacopy',
      'changed /bin/sh mode',
      'changed /etc/owned owner',
      'changed /opt/app replaced',
      'deleted /opt/app/x opaque-directory',
      'deleted /opt/app/y opaque-directory',
      'changed /srv type',
      'changed /tmp mode',
      'changed /var/run target',
    ]);
  });
});

describe('classification', () => {
  const classOf = (entry: UpperEntry): string => classifyChange(diffUpperLayer([entry])[0]!);
  it('follows the seed\'s binary directories, package databases and /etc', () => {
    assert.equal(classOf({ path: '/usr/bin/curl', ...file(0o755) }), 'executable');
    assert.equal(classOf({ path: '/tmp/payload', ...file(), header: 'elf' }), 'executable');
    assert.equal(classOf({ path: '/app/run.sh', ...file(), header: 'shebang' }), 'executable');
    assert.equal(classOf({ path: '/usr/bin/README', ...file(), header: 'other' }), 'system-binary-dir');
    assert.equal(classOf({ path: '/usr/lib/x86_64-linux-gnu/libevil.so', ...file(), header: 'other' }), 'system-binary-dir');
    assert.equal(classOf({ path: '/sbin/init', ...whiteout, lower: file(0o755) }), 'system-binary-dir');
    assert.equal(classOf({ path: '/var/lib/dpkg/status', ...file(), lower: file(0o644, 3) }), 'package-database');
    assert.equal(classOf({ path: '/lib/apk/db/installed', ...file(), lower: file(0o644, 3) }), 'package-database');
    assert.equal(classOf({ path: '/var/lib/rpm/rpmdb.sqlite', ...file(), lower: file(0o644, 3) }), 'package-database');
    assert.equal(classOf({ path: '/etc/passwd', ...file(), lower: file(0o644, 3) }), 'config');
    assert.equal(classOf({ path: '/etcetera', ...file() }), 'other');
    assert.equal(classOf({ path: '/usr/bin/ls', ...file(0o755), lower: file(0o755), sameContentAsLower: true }), 'touched');
  });

  it('flags processes running from the upper layer, a memfd or a deleted file', () => {
    const added = diffUpperLayer([{ path: '/usr/bin/x', ...file(0o755) }])[0]!;
    const touched = diffUpperLayer([{ path: '/usr/bin/y', ...file(0o755), lower: file(0o755), sameContentAsLower: true }])[0]!;
    assert.equal(classifyProcess(exeFacts(7, 'x', '/run/root/usr/bin/x', '/run/root'), added)?.reason, 'upper-layer');
    assert.equal(classifyProcess(exeFacts(7, 'y', '/usr/bin/y', '/'), touched), undefined);
    // The process started from the image's file, which was replaced in the upper layer afterwards.
    assert.equal(classifyProcess({ ...exeFacts(7, 'x', '/usr/bin/x', '/'), sameFileAsPath: false }, added), undefined);
    assert.equal(classifyProcess({ ...exeFacts(7, 'x', '/usr/bin/x', '/'), sameFileAsPath: true }, added)?.reason, 'upper-layer');
    assert.equal(classifyProcess(exeFacts(7, 'sh', '/usr/bin/sh', '/'), undefined), undefined);
    assert.deepEqual(classifyProcess(exeFacts(8, 'k', '/memfd:kworker (deleted)', '/'), undefined), { pid: 8, command: 'k', exe: '/memfd:kworker', reason: 'memfd' });
    assert.deepEqual(classifyProcess(exeFacts(9, 'm', '/tmp/miner (deleted)', '/'), undefined), { pid: 9, command: 'm', exe: '/tmp/miner', reason: 'deleted' });
  });
});
