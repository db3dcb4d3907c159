import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentSplitter, parseManifests } from './kube-yaml.js';
import type { ParseResult } from './kube-yaml.js';
import { parseInChunks } from '../../test/helpers/chunked-parse.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x\n';

function values(result: ParseResult): unknown[] {
  return result.documents.map((d) => d.value);
}

describe('parseManifests: values the way Kubernetes decodes them', () => {
  it('reads YAML 1.1 plain scalars like go-yaml v2', () => {
    const { documents, errors } = parseManifests(
      'a: yes\nb: "true"\nc: 0755\nd: 2024-01-01\ne: ~\nf: on\ng: No\nh: 0x1F\ni: 1_000\nj: .inf\nk: "0755"\nl: 1e3\n',
      'f.yaml',
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(documents[0]?.value, {
      a: true, b: 'true', c: 493, d: '2024-01-01', e: null, f: true, g: false, h: 31, i: 1000, j: Infinity, k: '0755', l: 1000,
    });
  });

  it('resolves anchors, aliases and merge keys, explicit keys winning over merged ones', () => {
    const text = 'base: &b {u: 1, v: 1}\nother: &o {w: 3}\nm:\n  <<: [*b, *o]\n  v: 2\nref: *b\n';
    const { documents, errors } = parseManifests(text, 'f.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(documents[0]?.value, { base: { u: 1, v: 1 }, other: { w: 3 }, m: { u: 1, v: 2, w: 3 }, ref: { u: 1, v: 1 } });
  });

  it('reads JSON, including pretty-printed JSON with no document markers', () => {
    const { documents, errors } = parseManifests('{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "j"}\n}\n', 'pod.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(documents[0]?.value, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' } });
  });

  it('reports a JSON syntax error with its position', () => {
    const { documents, errors } = parseManifests('{\n  "apiVersion": "v1",,\n  "kind": "Pod"\n}\n', 'pod.json');
    assert.equal(documents.length, 0);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.file, 'pod.json');
    assert.equal(errors[0]?.code, 'yaml-syntax');
    assert.deepEqual([errors[0]?.line, errors[0]?.column], [2, 22]);
  });

  it('numbers documents and skips empty ones without losing count', () => {
    const { documents, errors } = parseManifests('# leading comment\n---\na: 1\n---\n---\nb: 2\n...\n---\nc: 3\n', 'f.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(values({ documents, errors }), [{ a: 1 }, null, { b: 2 }, { c: 3 }]);
    assert.deepEqual(documents.map((d) => d.index), [0, 1, 2, 3]);
    assert.deepEqual(documents.map((d) => d.position.line), [3, 4, 6, 9], 'an empty document sits at its marker');
  });

  it('keeps %YAML directives with the document they precede', () => {
    const { documents, errors } = parseManifests('a: 1\n...\n%YAML 1.1\n---\nb: 2\n', 'f.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(values({ documents, errors }), [{ a: 1 }, { b: 2 }]);
    assert.equal(documents[1]?.position.line, 5);
  });
});

describe('parseManifests: errors are records with positions, and the other documents survive', () => {
  it('rejects a duplicate key with its line, column and name, and audits the next document', () => {
    const text = `${POD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: dup\n  name: again\n---\n${POD}`;
    const { documents, errors } = parseManifests(text, 'dup.yaml');
    assert.deepEqual(documents.map((d) => d.index), [0, 2]);
    assert.equal(documents[1]?.position.line, 16);
    assert.deepEqual(errors, [{ file: 'dup.yaml', code: 'yaml-duplicate-key', message: 'duplicated mapping key "name"', line: 14, column: 3 }]);
  });

  it('rejects tabs in indentation at the tab', () => {
    const { errors } = parseManifests('apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n', 'tabs.yaml');
    assert.equal(errors[0]?.code, 'yaml-syntax');
    assert.match(errors[0]?.message ?? '', /tab/);
    assert.deepEqual([errors[0]?.line, errors[0]?.column], [4, 1]);
  });

  it('refuses a billion-laughs alias bomb the way Kubernetes does, without building it', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const prev = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const text = `${POD}---\n${lines.join('\n')}\n---\n${POD}`;
    const { documents, errors } = parseManifests(text, 'bomb.yaml');
    assert.equal(documents.length, 2, 'the documents around the bomb are still read');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'yaml-alias-limit');
    assert.equal(errors[0]?.line, 13, 'points at the alias that crossed the limit (line 4 of the bomb document)');
  });

  it('accepts ordinary alias use well below the limit', () => {
    const env = 'env: &env [{name: A, value: "1"}, {name: B, value: "2"}]\n';
    const uses = Array.from({ length: 200 }, (_, i) => `c${i}: *env`).join('\n');
    const { errors } = parseManifests(`${env}${uses}\n`, 'f.yaml');
    assert.deepEqual(errors, []);
  });

  it('refuses an alias inside its own anchor (a cycle) instead of building a circular value', () => {
    const { documents, errors } = parseManifests('a: &a {b: *a}\n---\nc: 1\n', 'cycle.yaml');
    assert.deepEqual(values({ documents, errors }), [{ c: 1 }]);
    assert.equal(errors[0]?.code, 'yaml-alias-cycle');
    assert.deepEqual([errors[0]?.line, errors[0]?.column], [1, 11]);
  });

  it('refuses documents nested deeper than any manifest, with a position', () => {
    const deep = `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const { documents, errors } = parseManifests(`${deep}---\nb: 1\n`, 'deep.yaml');
    assert.deepEqual(values({ documents, errors }), [{ b: 1 }]);
    assert.equal(errors[0]?.code, 'yaml-too-deep');
    assert.equal(errors[0]?.line, 1);
  });
});

describe('positions', () => {
  it('are the same with CRLF line endings', () => {
    const lf = parseManifests(POD, 'lf.yaml').documents[0];
    const crlf = parseManifests(POD.replace(/\n/g, '\r\n'), 'crlf.yaml').documents[0];
    for (const path of [['spec', 'containers', 0, 'image'], ['metadata', 'name'], ['spec', 'containers', 0, 'securityContext']]) {
      assert.deepEqual(crlf?.locate(path), lf?.locate(path), path.join('.'));
    }
    assert.deepEqual(lf?.locate(['spec', 'containers', 0, 'image']), { line: 8, column: 5, endLine: 8, endColumn: 13 });
  });

  it('do not count a byte order mark as a column', () => {
    const doc = parseManifests(`\ufeff${POD}`, 'bom.yaml').documents[0];
    assert.deepEqual(doc?.position, { line: 1, column: 1 });
    assert.deepEqual(doc?.locate(['kind']), { line: 2, column: 1, endLine: 2, endColumn: 10 });
  });

  it('point into List items', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${[0, 1, 2].map((i) => `- apiVersion: v1\n  kind: Pod\n  metadata: {name: p${i}}\n  spec:\n    containers:\n    - name: c${i}\n`).join('')}`;
    const doc = parseManifests(list, 'list.yaml').documents[0];
    assert.deepEqual(doc?.locate(['items', 2]), { line: 16, column: 3 });
    assert.deepEqual(doc?.locate(['items', 2, 'spec', 'containers', 0, 'name']), { line: 21, column: 7, endLine: 21, endColumn: 15 });
    assert.deepEqual(doc?.locate(['items', 9, 'spec']), { line: 3, column: 1 }, 'a missing item points at the list');
  });

  it('follow aliases and merge keys to where the value is written', () => {
    const text = [
      'defaults: &sc',
      '  readOnlyRootFilesystem: true',
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers:',
      '  - name: a',
      '    securityContext: *sc',
      '  - name: b',
      '    securityContext:',
      '      <<: *sc',
      '      runAsUser: 1',
      '',
    ].join('\n');
    const doc = parseManifests(text, 'f.yaml').documents[0];
    assert.deepEqual(doc?.locate(['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem']), { line: 2, column: 3, endLine: 2, endColumn: 31 });
    assert.deepEqual(doc?.locate(['spec', 'containers', 1, 'securityContext', 'readOnlyRootFilesystem']), { line: 2, column: 3, endLine: 2, endColumn: 31 });
    assert.deepEqual(doc?.locate(['spec', 'containers', 1, 'securityContext', 'runAsUser']), { line: 12, column: 7, endLine: 12, endColumn: 19 });
    assert.deepEqual(doc?.locate(['spec', 'containers', 0, 'securityContext', 'privileged']), { line: 8, column: 5 }, 'missing field: the nearest key that exists');
  });

  it('span from key to end of key for an empty value', () => {
    const doc = parseManifests('a:\n  b:\n', 'f.yaml').documents[0];
    assert.deepEqual(doc?.locate(['a', 'b']), { line: 2, column: 3, endLine: 2, endColumn: 4 });
  });
});

describe('Helm output', () => {
  const rendered = [
    '---',
    '# Source: app/templates/sa.yaml',
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata: {name: app}',
    '---',
    '# Source: app/templates/broken.yaml',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: broken',
    '---',
    '# Source: app/templates/deploy.yaml',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: app}',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: no-source}',
    '',
  ].join('\n');

  it('attributes each document to the template named above it, also around a document that fails to parse', () => {
    const { documents, errors } = parseManifests(rendered, 'helm.yaml');
    assert.deepEqual(documents.map((d) => [d.index, d.helmSource]), [[0, 'app/templates/sa.yaml'], [2, 'app/templates/deploy.yaml'], [3, undefined]]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.helmSource, 'app/templates/broken.yaml');
    assert.equal(errors[0]?.line, 11);
  });

  it('attributes documents separated by `...` inside one piece', () => {
    const text = '# Source: c/templates/a.yaml\na: 1\n...\n# Source: c/templates/b.yaml\nb: 2\n...\nc: 3\n';
    const { documents } = parseManifests(text, 'f.yaml');
    assert.deepEqual(documents.map((d) => d.helmSource), ['c/templates/a.yaml', 'c/templates/b.yaml', undefined]);
  });
});

describe('streaming: ManifestReader and DocumentSplitter', () => {
  const stream = [
    '%YAML 1.1',
    '---',
    '# Source: c/templates/a.yaml',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: a}',
    '--- # a comment after the marker',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: b, name: b}',
    '---',
    '--- {apiVersion: v1, kind: Pod, metadata: {name: c}}',
    '---\r',
    'data: |',
    '  ---not a marker: indented',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: d',
  ].join('\n');

  const chunked = (text: string, sizes: (i: number) => number, maxDocumentChars?: number): ParseResult =>
    parseInChunks(text, 's.yaml', sizes, maxDocumentChars === undefined ? {} : { maxDocumentChars });

  const summary = (r: ParseResult) => ({
    documents: r.documents.map((d) => ({ index: d.index, value: d.value, position: d.position, helmSource: d.helmSource, name: d.locate(['metadata', 'name']) })),
    errors: r.errors,
  });

  it('gives the same documents, errors and positions however the text is cut into chunks', () => {
    const whole = summary(parseManifests(stream, 's.yaml'));
    assert.deepEqual(whole.documents.map((d) => d.index), [0, 2, 3, 4]);
    assert.deepEqual(whole.documents.map((d) => d.position.line), [4, 11, 12, 14]);
    assert.equal(whole.documents[0]?.helmSource, 'c/templates/a.yaml');
    assert.deepEqual(whole.documents[3]?.value, { data: '---not a marker: indented\n' });
    assert.deepEqual(whole.errors.map((e) => [e.code, e.line]), [['yaml-duplicate-key', 10], ['yaml-syntax', 19]]);
    for (const size of [1, 2, 3, 4, 5, 7, 16, 64]) {
      assert.deepEqual(summary(chunked(stream, () => size)), whole, `chunks of ${size}`);
    }
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % 11) + 1;
    assert.deepEqual(summary(chunked(stream, random)), whole, 'random chunk sizes');
  });

  it('skips a document over the size limit without holding it, and keeps line numbers right after it', () => {
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: |\n${'    0123456789abcdef\n'.repeat(200)}`;
    const text = `${POD}---\n${big}---\n${POD}`;
    const unlimited = parseManifests(text, 's.yaml');
    const expectedLine = unlimited.documents[2]?.locate(['spec', 'containers', 0, 'image']);
    for (const size of [1, 13, 100, 5000]) {
      const limited = chunked(text, () => size, 1000);
      assert.deepEqual(limited.documents.map((d) => d.index), [0, 2], `chunks of ${size}`);
      assert.deepEqual(limited.errors, [{ file: 's.yaml', line: 9, column: 1, code: 'document-too-large', message: 'document 2 is over the 1.0 KiB limit (--max-document-size); skipped' }]);
      assert.deepEqual(limited.documents[1]?.locate(['spec', 'containers', 0, 'image']), expectedLine);
    }
  });

  it('bounds what the splitter holds while it skips', () => {
    const splitter = new DocumentSplitter(100);
    const pieces = [...splitter.push('---\na: 1\n---\n')];
    for (let i = 0; i < 1000; i++) pieces.push(...splitter.push('x'.repeat(50) + '\n'));
    pieces.push(...splitter.push('---\nb: 2\n'), ...splitter.end());
    assert.deepEqual(pieces, [
      { kind: 'text', text: '---\na: 1\n', lineOffset: 0 },
      { kind: 'too-large', lineOffset: 2 },
      { kind: 'text', text: '---\nb: 2\n', lineOffset: 1003 },
    ]);
  });

  it('treats a one-line document over the limit that starts with --- as one piece', () => {
    const splitter = new DocumentSplitter(10);
    const pieces = [...splitter.push('--- '), ...splitter.push('x'.repeat(40)), ...splitter.push('y'.repeat(40)), ...splitter.push('\n---\na: 1\n'), ...splitter.end()];
    assert.deepEqual(pieces, [{ kind: 'too-large', lineOffset: 0 }, { kind: 'text', text: '---\na: 1\n', lineOffset: 1 }]);
  });
});
