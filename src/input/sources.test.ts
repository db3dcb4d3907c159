import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ManifestTextDecoder, decodeStream, firstInvalidUtf8, readSources } from './sources.js';
import type { SourceItem } from './sources.js';
import type { InputError } from '../core/types.js';

async function collect(chunks: AsyncIterable<string | InputError>): Promise<{ text: string; errors: InputError[] }> {
  let text = '';
  const errors: InputError[] = [];
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') text += chunk;
    else errors.push(chunk);
  }
  return { text, errors };
}

function bytesIn(pieces: number[][]): AsyncIterable<Buffer> {
  return Readable.from(pieces.map((p) => Buffer.from(p)));
}

describe('UTF-8 checking', () => {
  it('finds the first invalid byte exactly as the WHATWG decoder rejects it', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 256;
    const interesting = [0x00, 0x41, 0x0a, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f];
    for (let round = 0; round < 3000; round++) {
      const length = 1 + (next() % 8);
      const bytes = Uint8Array.from({ length }, () => (next() % 3 === 0 ? next() : (interesting[next() % interesting.length] as number)));
      const bad = firstInvalidUtf8(bytes);
      let decodes = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        decodes = false;
      }
      assert.equal(bad === -1, decodes, `bytes ${Buffer.from(bytes).toString('hex')}`);
      if (bad !== -1) {
        assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bad)), 'everything before it decodes');
      }
    }
  });

  it('gives the line and column of the bad byte, counting characters, not bytes', async () => {
    const bytes = [...Buffer.from('a: 1\nname: café '), 0xff, ...Buffer.from('\n')];
    const { errors } = await collect(decodeStream('f.yaml', bytesIn([bytes])));
    assert.deepEqual(errors.map((e) => [e.line, e.column]), [[2, 12]]);
    assert.deepEqual(await collect(decodeStream('f.yaml', bytesIn([[...Buffer.from('fine: é\n')]]))), { text: 'fine: é\n', errors: [] });
  });

  it('reports the position across chunk boundaries, even inside a character split between chunks', async () => {
    const good = Buffer.from('x: 1\nname: café\n');
    const bad = Buffer.concat([good, Buffer.from('y: '), Buffer.from([0xe2, 0x82]), Buffer.from('z\n')]);
    for (const size of [1, 2, 3, 5, 8192, 10000]) {
      const pieces: number[][] = [];
      for (let at = 0; at < bad.length; at += size) pieces.push([...bad.subarray(at, at + size)]);
      const { text, errors } = await collect(decodeStream('f.yaml', bytesIn(pieces)));
      assert.equal(text, 'x: 1\nname: café\ny: ', `chunks of ${size}: the text before the error`);
      assert.deepEqual(errors, [{ file: 'f.yaml', line: 3, column: 4, code: 'invalid-utf8', message: 'invalid UTF-8 byte sequence (Kubernetes manifests must be UTF-8); the rest of the file is skipped' }]);
    }
  });

  it('keeps multi-byte characters whole when chunks split them', async () => {
    const text = 'name: ✓ 日本語 🚀\n'.repeat(50);
    const bytes = Buffer.from(text);
    const pieces: number[][] = [];
    for (let at = 0; at < bytes.length; at += 3) pieces.push([...bytes.subarray(at, at + 3)]);
    assert.deepEqual(await collect(decodeStream('f.yaml', bytesIn(pieces))), { text, errors: [] });
  });

  it('reports a truncated character at the very end', async () => {
    const { errors } = await collect(decodeStream('f.yaml', bytesIn([[0x61, 0x3a, 0x20, 0xf0, 0x9f]])));
    assert.deepEqual(errors.map((e) => [e.code, e.line, e.column]), [['invalid-utf8', 1, 4]]);
  });
});

describe('telling manifests from other files', () => {
  it('strips a UTF-8 byte order mark', async () => {
    assert.deepEqual(await collect(decodeStream('f', bytesIn([[0xef, 0xbb], [0xbf, 0x61, 0x3a, 0x20, 0x31]]))), { text: 'a: 1', errors: [] });
  });

  it('refuses binary files and UTF-16 with a clear error at 1:1', async () => {
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d];
    assert.deepEqual((await collect(decodeStream('logo.yaml', bytesIn([png])))).errors.map((e) => [e.code, e.line, e.column]), [['binary-file', 1, 1]]);
    const utf16 = [0xff, 0xfe, 0x61, 0x00, 0x3a, 0x00];
    assert.deepEqual((await collect(decodeStream('u.yaml', bytesIn([utf16])))).errors.map((e) => e.code), ['unsupported-encoding']);
  });

  it('looks at the whole start of a file, however it arrives', async () => {
    const decoder = new ManifestTextDecoder('f');
    assert.deepEqual(decoder.push(Buffer.from('a: 1\n')), [], 'waits for more before deciding');
    const out = decoder.push(Buffer.concat([Buffer.alloc(100, 0x20), Buffer.from([0]), Buffer.alloc(9000, 0x20)]));
    assert.deepEqual(out.map((o) => (typeof o === 'string' ? o : o.code)), ['binary-file']);
  });

  it('turns a read error into an InputError that ends the input', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('a: 1\n'.repeat(3000));
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const { text, errors } = await collect(decodeStream('disk.yaml', failing()));
    assert.equal(text, 'a: 1\n'.repeat(3000));
    assert.deepEqual(errors.map((e) => [e.file, e.code]), [['disk.yaml', 'unreadable']]);
  });
});

describe('readSources', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'rootlock-sources-'));
    mkdirSync(join(root, 'k8s/apps/b'), { recursive: true });
    mkdirSync(join(root, 'k8s/node_modules/x'), { recursive: true });
    mkdirSync(join(root, 'k8s/chart/templates'), { recursive: true });
    mkdirSync(join(root, 'empty/sub'), { recursive: true });
    writeFileSync(join(root, 'k8s/apps/b/z.yml'), 'a: 1\n');
    writeFileSync(join(root, 'k8s/apps/a.yaml'), 'a: 1\n');
    writeFileSync(join(root, 'k8s/apps/c.JSON'), '{}\n');
    writeFileSync(join(root, 'k8s/apps/notes.md'), '# not a manifest\n');
    writeFileSync(join(root, 'k8s/node_modules/x/skip.yaml'), 'a: 1\n');
    writeFileSync(join(root, 'k8s/chart/Chart.yaml'), 'name: chart\n');
    writeFileSync(join(root, 'k8s/chart/templates/d.yaml'), '{{ .Values.x }}\n');
    writeFileSync(join(root, 'empty/sub/readme.txt'), 'nothing\n');
    symlinkSync(join(root, 'k8s/apps'), join(root, 'k8s/apps/b/loop'));
    symlinkSync(join(root, 'k8s/apps/a.yaml'), join(root, 'k8s/linked.yaml'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function list(args: string[], stdin?: AsyncIterable<unknown>): Promise<string[]> {
    const out: string[] = [];
    const items: SourceItem[] = [];
    for await (const item of readSources(args, { cwd: root, ...(stdin ? { stdin } : {}) })) items.push(item);
    for (const item of items) {
      if (item.kind === 'input') {
        const { text } = await collect(item.chunks);
        out.push(`${item.file} ${JSON.stringify(text)}`);
      } else if (item.kind === 'error') out.push(`error ${item.error.file} ${item.error.code}`);
      else out.push(`notice ${item.notice.file} ${item.notice.code}`);
    }
    return out;
  }

  it('walks directories recursively in a stable order, following symlinks once, skipping node_modules and Helm charts', async () => {
    assert.deepEqual(await list(['k8s']), [
      'k8s/apps/a.yaml "a: 1\\n"',
      'k8s/apps/b/z.yml "a: 1\\n"',
      'k8s/apps/c.JSON "{}\\n"',
      'notice k8s/chart helm-chart',
      // k8s/linked.yaml is the same file as k8s/apps/a.yaml: read once.
    ]);
  });

  it('expands globs, reads files as named, and reads each input once', async () => {
    assert.deepEqual(await list(['k8s/apps/*.yaml', 'k8s/apps/a.yaml', 'k8s/**/z.yml', 'k8s/linked.yaml']), [
      'k8s/apps/a.yaml "a: 1\\n"',
      // also found as k8s/apps/b/loop/b/z.yml, through the symlink loop
      'k8s/apps/b/z.yml "a: 1\\n"',
    ]);
  });

  it('reports what it cannot find, and folders with nothing to audit', async () => {
    assert.deepEqual(await list(['missing.yaml', 'nothing-*.yaml', 'empty']), [
      'error missing.yaml not-found',
      'error nothing-*.yaml no-match',
      'error empty no-manifests',
    ]);
  });

  it('reads - from standard input', async () => {
    assert.deepEqual(await list(['-'], Readable.from([Buffer.from('a: '), Buffer.from('1\n')])), ['- "a: 1\\n"']);
  });
});
