import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Edit } from '../core/types.js';
import { applyFileEdits } from './apply-file.js';

const rorf = (path: Array<string | number>): Edit => ({ op: 'set', path: [...path, 'securityContext', 'readOnlyRootFilesystem'], value: true });

const MULTI = `# Source: chart/templates/a.yaml
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
  - name: app
# trailing comment of the first document

---
# Source: chart/templates/b.yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
data:
  key: "value"   # stays as it is
...
---
apiVersion: v1
kind: Pod
metadata:
  name: c
spec:
  containers:
    - name: app
      image: x
`;

describe('applyFileEdits', () => {
  it('edits each document in its own slice and keeps separators, comments and other documents byte for byte', () => {
    const result = applyFileEdits('multi.yaml', MULTI, new Map([
      [0, [rorf(['spec', 'containers', 0])]],
      [2, [rorf(['spec', 'containers', 0])]],
    ]));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.changedDocuments, [0, 2]);
    assert.equal(result.text, MULTI
      .replace('  - name: app\n# trailing', '  - name: app\n    securityContext:\n      readOnlyRootFilesystem: true\n# trailing')
      .replace('      image: x\n', '      image: x\n      securityContext:\n        readOnlyRootFilesystem: true\n'));
  });

  it('returns the text unchanged when every edit is already satisfied', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, securityContext: {readOnlyRootFilesystem: yes}}\n';
    const result = applyFileEdits('p.yaml', text, new Map([[0, [rorf(['spec', 'containers', 0])]]]));
    assert.equal(result.text, text);
    assert.deepEqual(result.changedDocuments, []);
  });

  it('edits items of a kind: List', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers:\n    - name: a\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers:\n    - name: b\n';
    const result = applyFileEdits('list.yaml', text, new Map([[0, [rorf(['items', 1, 'spec', 'containers', 0])]]]));
    assert.equal(result.text, text + '      securityContext:\n        readOnlyRootFilesystem: true\n');
  });

  it('keeps a JSON file JSON', () => {
    const text = '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "spec": {\n        "containers": [\n            {"name": "a"}\n        ]\n    }\n}\n';
    const result = applyFileEdits('pod.json', text, new Map([[0, [
      rorf(['spec', 'containers', 0]),
      { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
    ]]]));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(JSON.parse(result.text), {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { containers: [{ name: 'a', securityContext: { readOnlyRootFilesystem: true } }], volumes: [{ name: 'tmp', emptyDir: {} }] },
    });
    assert.equal(result.text, '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "spec": {\n        "containers": [\n            {"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}\n        ],\n        "volumes": [\n            {\n                "name": "tmp",\n                "emptyDir": {}\n            }\n        ]\n    }\n}\n');
  });

  it('never rewrites a document that does not parse, and says where', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: dup\n  name: again\nspec:\n  containers: [{name: b}]\n';
    const result = applyFileEdits('bad.yaml', text, new Map([
      [0, [rorf(['spec', 'containers', 0])]],
      [1, [rorf(['spec', 'containers', 0])]],
    ]));
    assert.deepEqual(result.changedDocuments, [0]);
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.equal(error?.code, 'fix-parse-error');
    assert.equal(error?.line, 11);
    assert.ok(error?.column !== undefined);
    assert.ok(result.text.endsWith(text.slice(text.indexOf('---'))), 'the broken document is copied unchanged');
  });

  it('refuses invalid edits and unsupported constructs with a position, leaving the document alone', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers: "none"\n---\napiVersion: v1\nkind: Pod\nx: &sc {readOnlyRootFilesystem: false}\nspec:\n  containers:\n  - name: a\n    securityContext: *sc\n';
    const result = applyFileEdits('odd.yaml', text, new Map([
      [0, [rorf(['spec', 'containers', 0])]],
      [1, [rorf(['spec', 'containers', 0])]],
    ]));
    assert.equal(result.text, text);
    assert.deepEqual(result.errors.map((e) => e.code), ['fix-invalid-edit', 'fix-unsupported']);
    assert.deepEqual(result.errors.map((e) => e.line), [1, 12]);
    assert.ok(result.errors.every((e) => /not rewritten/.test(e.message)));
  });

  it('applies edits to a document preceded by comments only and followed by an empty one', () => {
    const text = '# just a comment\n---\napiVersion: v1\nkind: Pod\nspec: {containers: [{name: a}]}\n---\n';
    const result = applyFileEdits('c.yaml', text, new Map([[0, [rorf(['spec', 'containers', 0])]]]));
    assert.deepEqual(result.errors, []);
    assert.equal(result.text, '# just a comment\n---\napiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, securityContext: {readOnlyRootFilesystem: true}}]}\n---\n');
  });
});

describe('applyFileEdits: files split plainly at --- lines', () => {
  const pod = (name: string, indent = '  ') => `apiVersion: v1\nkind: Pod\nmetadata:\n${indent}name: ${name}\nspec:\n${indent}containers:\n${indent}- name: app\n${indent}  image: x\n`;
  const edits: Edit[] = [
    rorf(['spec', 'containers', 0]),
    { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'allowPrivilegeEscalation'], value: false },
    { op: 'append', path: ['spec', 'containers', 0, 'volumeMounts'], value: { name: 'tmp', mountPath: '/tmp' } },
    { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
    { op: 'set', path: ['spec', 'automountServiceAccountToken'], value: false },
  ];
  const files: Record<string, string> = {
    'content first': `${pod('a')}---\n${pod('b', '    ')}`,
    'leading comments and ---': `# head\n\n---\n${pod('a')}# tail\n--- # b\n${pod('b')}`,
    'empty documents': `---\n---\n${pod('a')}---\n\n---\n${pod('b')}---\n`,
    'no final line break': `${pod('a')}---\n${pod('b').trimEnd()}`,
    'CRLF': `${pod('a')}---\n${pod('b')}`.replace(/\n/g, '\r\n'),
    'JSON and YAML': `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "app"}]}}\n---\n${pod('b')}`,
    'a document that does not parse': `${pod('a')}---\nkind: [\n---\n${pod('b')}`,
    'a duplicate key': `${pod('a')}---\n${pod('b')}kind: Pod\n`,
    'directives and end markers': `%YAML 1.1\n---\n${pod('a')}...\n---\n${pod('b')}`,
    'a --- inside a block scalar': `${pod('a')}  note: |\n    ---\n    text\n---\n${pod('b')}`,
    'a Helm source above each document': `---\n# Source: c/a.yaml\n${pod('a')}---\n# Source: c/b.yaml\n${pod('b')}`,
  };
  for (const [name, text] of Object.entries(files)) {
    it(`gives what parsing the whole file gives: ${name}`, () => {
      const byDocument = new Map<number, Edit[]>([0, 1, 2, 3, 4].map((i) => [i, edits]));
      const plain = applyFileEdits('f.yaml', text, byDocument);
      const whole = applyFileEdits('f.yaml', text, byDocument, { wholeFileParse: true });
      assert.deepEqual(plain, whole);
      if (!name.includes('parse') && !name.includes('duplicate')) assert.ok(plain.changedDocuments.length >= 2, `${name}: ${JSON.stringify(plain.errors)}`);
    });
  }
});
