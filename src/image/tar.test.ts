import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tarLayer } from '../../test/helpers/oci-image.js';
import { readTar, walkTar } from './tar.js';

describe('readTar', () => {
  it('reads files with modes, directories, symlinks and long (prefixed) names', () => {
    const long = `${'d'.repeat(120)}/file.txt`;
    const entries = readTar(tarLayer([
      { path: 'etc', type: 'dir', mode: 0o750 },
      { path: 'etc/a', type: 'file', content: 'hello', mode: 0o600, uid: 7, gid: 8 },
      { path: 'bin/sh', type: 'symlink', target: 'busybox' },
      { path: long, type: 'file', content: 'x' },
    ]));
    assert.deepEqual(entries.map((e) => [e.path, e.type, e.mode]), [['etc', 'dir', 0o750], ['etc/a', 'file', 0o600], ['bin/sh', 'symlink', 0o777], [long, 'file', 0o644]]);
    assert.equal(entries[1]!.data.toString(), 'hello');
    assert.deepEqual([entries[1]!.uid, entries[1]!.gid], [7, 8]);
    assert.equal(entries[2]!.linkTarget, 'busybox');
  });

  it('rejects a corrupted header instead of unpacking garbage', () => {
    const archive = tarLayer([{ path: 'a', type: 'file', content: 'x' }]);
    archive[0] = 'b'.charCodeAt(0);
    assert.throws(() => readTar(archive), /bad header checksum/);
  });

  it('reads pax path records', () => {
    const name = 'very/long/pax/name';
    const record = ` path=${name}\n`;
    const length = record.length + String(record.length + 2).length;
    const paxData = `${length}${record}`;
    const pax = tarLayer([{ path: 'PaxHeader', type: 'file', content: paxData }]);
    pax[156] = 'x'.charCodeAt(0);
    // recompute the checksum for the changed type flag
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : pax[i]!;
    pax.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    const body = tarLayer([{ path: 'short', type: 'file', content: 'y' }]);
    const archive = Buffer.concat([pax.subarray(0, 1024), body]);
    assert.deepEqual(readTar(archive).map((e) => e.path), [name]);
  });
});

describe('walkTar', () => {
  it('reads headers only: a large file\'s data is located, not read', () => {
    const big = Buffer.alloc(1024 * 1024, 7);
    const archive = tarLayer([{ path: 'blobs', type: 'dir' }, { path: 'blobs/big', type: 'file', content: big }, { path: 'index.json', type: 'file', content: '{}' }]);
    let bytesRead = 0;
    const headers = [...walkTar((offset, length) => {
      bytesRead += length;
      return archive.subarray(offset, offset + length);
    }, archive.length)];
    assert.deepEqual(headers.map((h) => [h.path, h.size]), [['blobs', 0], ['blobs/big', big.length], ['index.json', 2]]);
    assert.ok(bytesRead <= 4 * 512, `read ${bytesRead} bytes`);
    const file = headers[1]!;
    assert.deepEqual(archive.subarray(file.dataOffset, file.dataOffset + file.size), big);
  });
});
