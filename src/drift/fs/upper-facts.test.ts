// Reading an upper layer's facts from plain directories (no overlay mount
// needed: the reader only lists the upper and lower directories): which files
// get their first bytes read, and what the header says.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { classifyChange } from '../classify.js';
import { diffUpperLayer } from '../differ.js';
import type { UpperEntry } from '../differ.js';
import { readUpperLayer } from './upper-facts.js';

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]);

function put(layer: string, path: string, content: string | Buffer, mode = 0o644): void {
  const target = join(layer, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

describe('readUpperLayer: file headers', () => {
  let dir: string;
  let lower: string;
  let upper: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootlock-upper-facts-'));
    lower = join(dir, 'lower');
    upper = join(dir, 'upper');
    put(lower, 'etc/app.conf', 'listen=8080\n');
    put(lower, 'usr/bin/tool', '#!/bin/sh\necho tool\n', 0o755);
    put(lower, 'opt/loader.js', 'module.exports = 1;\n');
    // Added files, none with an exec bit unless said.
    put(upper, 'app/foo.js', ELF); // an ELF named like a script: the loader runs it all the same
    put(upper, 'app/run', '#!/bin/sh\necho run\n');
    put(upper, 'app/data.txt', 'hello\n');
    put(upper, 'app/one-byte', '#');
    put(upper, 'app/empty', '');
    put(upper, 'app/exec-bit', ELF, 0o755);
    symlinkSync('foo.js', join(upper, 'app/link-to-elf'));
    execFileSync('mkfifo', [join(upper, 'app/fifo')]);
    // Copy-ups: unchanged content, and content changed to an ELF without exec bit.
    put(upper, 'etc/app.conf', 'listen=8080\n');
    put(upper, 'opt/loader.js', ELF);
    // A copy-up that lost its exec bit and became a script.
    put(upper, 'usr/bin/tool', '#!/bin/bash\necho changed\n', 0o644);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const byPath = (entries: UpperEntry[]): Map<string, UpperEntry> => new Map(entries.map((e) => [e.path, e]));

  it('reads the first bytes of added and changed regular files without exec bit, and only those', () => {
    const result = readUpperLayer({ upperdir: upper, lowerdirs: [lower] });
    assert.deepEqual(result.problems, []);
    const entries = byPath(result.entries);
    const headers = Object.fromEntries([...entries].map(([path, e]) => [path, e.header ?? null]));
    assert.deepEqual(headers, {
      '/app': null,
      '/app/foo.js': 'elf',
      '/app/run': 'shebang',
      '/app/data.txt': 'other',
      '/app/one-byte': null, // too short for either magic: not read
      '/app/empty': null,
      '/app/exec-bit': null, // the exec bit already makes it an executable: not read
      '/app/link-to-elf': null, // a symlink is not followed
      '/app/fifo': null, // not opened (opening a FIFO would wait for a writer)
      '/etc': null,
      '/etc/app.conf': null, // same content as the image: not read
      '/opt': null,
      '/opt/loader.js': 'elf',
      '/usr': null,
      '/usr/bin': null,
      '/usr/bin/tool': 'shebang',
    });
    assert.equal(entries.get('/app/link-to-elf')?.type, 'symlink');
    assert.equal(entries.get('/app/link-to-elf')?.linkTarget, 'foo.js');
    assert.equal(entries.get('/app/fifo')?.type, 'fifo');
    assert.equal(entries.get('/etc/app.conf')?.sameContentAsLower, true);
  });

  it('gives a file whose header it read the same facts lstat gives', () => {
    const entry = byPath(readUpperLayer({ upperdir: upper, lowerdirs: [lower] }).entries).get('/app/foo.js')!;
    const stats = lstatSync(join(upper, 'app/foo.js'));
    assert.deepEqual(
      { type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, size: entry.size },
      { type: 'file', mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, size: stats.size },
    );
  });

  it('classifies an ELF or #! file without exec bit as an executable, whatever its name', () => {
    const changes = diffUpperLayer(readUpperLayer({ upperdir: upper, lowerdirs: [lower] }).entries);
    const classes = Object.fromEntries(changes.filter((c) => c.type === 'file').map((c) => [c.path, `${c.kind} ${classifyChange(c)}`]));
    assert.deepEqual(classes, {
      '/app/data.txt': 'added other',
      '/app/empty': 'added other',
      '/app/exec-bit': 'added executable',
      '/app/foo.js': 'added executable',
      '/app/one-byte': 'added other',
      '/app/run': 'added executable',
      '/etc/app.conf': 'touched touched',
      '/opt/loader.js': 'changed executable',
      '/usr/bin/tool': 'changed executable',
    });
  });

  it('reads no file content beyond copy-up comparison with sniffHeaders: false', () => {
    const entries = readUpperLayer({ upperdir: upper, lowerdirs: [lower], sniffHeaders: false }).entries;
    assert.deepEqual(entries.filter((e) => e.header !== undefined).map((e) => e.path), []);
    assert.equal(byPath(entries).get('/etc/app.conf')?.sameContentAsLower, true);
  });
});
