import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Edit } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import { applyEdits } from './edit-semantics.js';
import { applyEditsToDocumentText, YamlEditError } from './yaml-edits.js';

function valueOf(text: string): unknown {
  const parsed = parseManifests(text, 'test.yaml');
  assert.deepEqual(parsed.errors, [], `output must parse:\n${text}`);
  assert.equal(parsed.documents.length, 1);
  return parsed.documents[0]?.value;
}

/** Applies edits and checks the result against the reference semantics before returning it. */
function fix(text: string, edits: Edit[]): string {
  const out = applyEditsToDocumentText(text, edits).text;
  assert.deepEqual(valueOf(out), applyEdits(valueOf(text), edits).value, `result differs from the reference semantics:\n${out}`);
  assert.equal(applyEditsToDocumentText(out, edits).text, out, 'applying the same edits again must change nothing');
  return out;
}

const C0 = ['spec', 'containers', 0] as const;
const hardening: Edit[] = [
  { op: 'set', path: [...C0, 'securityContext', 'readOnlyRootFilesystem'], value: true },
  { op: 'set', path: [...C0, 'securityContext', 'allowPrivilegeEscalation'], value: false },
  { op: 'append', path: [...C0, 'volumeMounts'], value: { name: 'tmp', mountPath: '/tmp' } },
  { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
];

describe('applyEditsToDocumentText: block style', () => {
  it('inserts new keys after the last line of their mapping, at its indentation (sequences under the key)', () => {
    const input = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web   # keep this comment',
      'spec:',
      '  containers:',
      '  - name: app',
      '    image: "nginx:1.25"',
      '    # resources: {}',
      '  # a comment about the end of the containers',
      '',
      '  restartPolicy: Always',
      '',
    ].join('\n');
    assert.equal(fix(input, hardening), [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web   # keep this comment',
      'spec:',
      '  containers:',
      '  - name: app',
      '    image: "nginx:1.25"',
      '    securityContext:',
      '      readOnlyRootFilesystem: true',
      '      allowPrivilegeEscalation: false',
      '    volumeMounts:',
      '    - name: tmp',
      '      mountPath: /tmp',
      '    # resources: {}',
      '  # a comment about the end of the containers',
      '',
      '  restartPolicy: Always',
      '  volumes:',
      '  - name: tmp',
      '    emptyDir: {}',
      '',
    ].join('\n'));
  });

  it('matches 4-space mappings, indented sequences and a wider gap after "-"', () => {
    const input = 'spec:\n    containers:\n        -   name: app\n            image: nginx\n';
    assert.equal(fix(input, hardening), [
      'spec:',
      '    containers:',
      '        -   name: app',
      '            image: nginx',
      '            securityContext:',
      '                readOnlyRootFilesystem: true',
      '                allowPrivilegeEscalation: false',
      '            volumeMounts:',
      '                -   name: tmp',
      '                    mountPath: /tmp',
      '    volumes:',
      '        -   name: tmp',
      '            emptyDir: {}',
      '',
    ].join('\n'));
  });

  it('follows the sibling keys when a file mixes sequence styles', () => {
    const input = [
      'spec:',
      '  containers:',
      '    - name: app',
      '      ports:',
      '      - containerPort: 80',
      '      env:',
      '      - {name: A, value: b}',
      '',
    ].join('\n');
    assert.equal(fix(input, [hardening[2] as Edit, hardening[3] as Edit]), [
      'spec:',
      '  containers:',
      '    - name: app',
      '      ports:',
      '      - containerPort: 80',
      '      env:',
      '      - {name: A, value: b}',
      '      volumeMounts:',
      '      - name: tmp',
      '        mountPath: /tmp',
      '  volumes:',
      '    - name: tmp',
      '      emptyDir: {}',
      '',
    ].join('\n'));
  });

  it('adds to an existing mapping and list without touching their other lines', () => {
    const input = [
      'spec:',
      '  containers:',
      '    - name: app',
      '      securityContext:',
      '        runAsNonRoot: true   # required by PSA',
      '      volumeMounts:',
      '        - {name: data, mountPath: /data}',
      '  volumes:',
      '    - name: data',
      '      emptyDir: {}',
      '',
    ].join('\n');
    assert.equal(fix(input, hardening), [
      'spec:',
      '  containers:',
      '    - name: app',
      '      securityContext:',
      '        runAsNonRoot: true   # required by PSA',
      '        readOnlyRootFilesystem: true',
      '        allowPrivilegeEscalation: false',
      '      volumeMounts:',
      '        - {name: data, mountPath: /data}',
      '        - name: tmp',
      '          mountPath: /tmp',
      '  volumes:',
      '    - name: data',
      '      emptyDir: {}',
      '    - name: tmp',
      '      emptyDir: {}',
      '',
    ].join('\n'));
  });

  it('replaces a scalar in place, keeping its comment', () => {
    const input = 'spec:\n  containers:\n  - name: a\n    securityContext:\n      readOnlyRootFilesystem: false # legacy app\n';
    assert.equal(
      fix(input, [{ op: 'set', path: [...C0, 'securityContext', 'readOnlyRootFilesystem'], value: true }]),
      'spec:\n  containers:\n  - name: a\n    securityContext:\n      readOnlyRootFilesystem: true # legacy app\n',
    );
  });

  it('replaces a quoted "true" string with the boolean', () => {
    const input = 'spec:\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: "true"}\n';
    assert.equal(
      fix(input, [{ op: 'set', path: [...C0, 'securityContext', 'readOnlyRootFilesystem'], value: true }]),
      'spec:\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: true}\n',
    );
  });

  it('keeps the quote style of a string it replaces', () => {
    const input = "a: 'old'\nb: \"old\"\nc: old\n";
    const out = fix(input, [
      { op: 'set', path: ['a'], value: "it's" },
      { op: 'set', path: ['b'], value: 'new' },
      { op: 'set', path: ['c'], value: 'new' },
    ]);
    assert.equal(out, "a: 'it''s'\nb: \"new\"\nc: new\n");
  });

  it('quotes new strings that Kubernetes would read as something else', () => {
    const out = fix('a: 1\n', [
      { op: 'set', path: ['yes'], value: 'yes' },
      { op: 'set', path: ['octal'], value: '0755' },
      { op: 'set', path: ['go-octal'], value: '0o17' },
      { op: 'set', path: ['empty'], value: '' },
      { op: 'set', path: ['colon'], value: 'a: b' },
      { op: 'set', path: ['lines'], value: 'one\ntwo' },
      { op: 'set', path: ['image'], value: 'registry:5000/app:1.0' },
      { op: 'set', path: ['null-string'], value: 'null' },
    ]);
    assert.equal(out, [
      'a: 1',
      '"yes": "yes"',
      'octal: "0755"',
      'go-octal: "0o17"',
      'empty: ""',
      'colon: "a: b"',
      'lines: "one\\ntwo"',
      'image: registry:5000/app:1.0',
      'null-string: "null"',
      '',
    ].join('\n'));
  });

  it('fills an empty {} or [] placeholder in block style, keeping its comment', () => {
    const input = 'spec:\n  containers:\n    - name: a\n      securityContext: {} # todo\n      volumeMounts: []\n';
    assert.equal(fix(input, hardening.slice(0, 3)), [
      'spec:',
      '  containers:',
      '    - name: a',
      '      securityContext: # todo',
      '        readOnlyRootFilesystem: true',
      '        allowPrivilegeEscalation: false',
      '      volumeMounts:',
      '        - name: tmp',
      '          mountPath: /tmp',
      '',
    ].join('\n'));
  });

  it('fills a null value (key with nothing after it)', () => {
    const input = 'spec:\n  containers:\n  - name: a\n    securityContext:   # todo\n  volumes:\n';
    assert.equal(fix(input, [hardening[0] as Edit, hardening[3] as Edit]), [
      'spec:',
      '  containers:',
      '  - name: a',
      '    securityContext:   # todo',
      '      readOnlyRootFilesystem: true',
      '  volumes:',
      '  - name: tmp',
      '    emptyDir: {}',
      '',
    ].join('\n'));
  });

  it('keeps a non-empty flow collection in flow style', () => {
    const input = 'metadata:\n  annotations: {team: web}\nspec:\n  containers:\n  - name: a\n    securityContext:\n      capabilities: {drop: [NET_RAW]}\n';
    const out = fix(input, [
      { op: 'set', path: ['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/a'], value: 'runtime/default' },
      { op: 'set', path: [...C0, 'securityContext', 'capabilities', 'drop'], value: ['ALL'] },
      { op: 'append', path: [...C0, 'securityContext', 'capabilities', 'add'], value: 'NET_BIND_SERVICE' },
    ]);
    assert.equal(out, [
      'metadata:',
      '  annotations: {team: web, container.apparmor.security.beta.kubernetes.io/a: runtime/default}',
      'spec:',
      '  containers:',
      '  - name: a',
      '    securityContext:',
      '      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}',
      '',
    ].join('\n'));
  });

  it('replaces a block list with a block list', () => {
    const input = 'caps:\n  add:\n    - NET_ADMIN # why\n    - SYS_TIME\n  other: 1\n';
    assert.equal(fix(input, [{ op: 'set', path: ['caps', 'add'], value: ['NET_BIND_SERVICE'] }]), 'caps:\n  add:\n    - NET_BIND_SERVICE\n  other: 1\n');
  });

  it('inserts after a literal block scalar without changing it', () => {
    const input = 'spec:\n  containers:\n  - name: a\n    command:\n    - sh\n    args:\n    - |\n      echo hi\n      exec app\n\n  # end\n';
    const out = fix(input, [hardening[0] as Edit]);
    assert.equal(out, 'spec:\n  containers:\n  - name: a\n    command:\n    - sh\n    args:\n    - |\n      echo hi\n      exec app\n    securityContext:\n      readOnlyRootFilesystem: true\n\n  # end\n');
  });

  it('leaves the trailing lines of a keep-chomping block scalar with it', () => {
    const input = 'data:\n  script: |+\n    echo hi\n\nkind: ConfigMap\n';
    assert.equal(fix(input, [{ op: 'set', path: ['data', 'other'], value: 'x' }]), 'data:\n  script: |+\n    echo hi\n\n  other: x\nkind: ConfigMap\n');
  });

  it('keeps CRLF line breaks and a missing final line break', () => {
    const input = 'spec:\r\n  containers:\r\n  - name: a\r\n    image: b';
    const out = fix(input, [hardening[0] as Edit]);
    assert.equal(out, 'spec:\r\n  containers:\r\n  - name: a\r\n    image: b\r\n    securityContext:\r\n      readOnlyRootFilesystem: true');
  });
});

describe('applyEditsToDocumentText: delete', () => {
  it('removes the lines of a pair, its trailing comment with it, and keeps the comment above', () => {
    const input = 'a: 1\n# about b\nb: # b\n  c: 2\n  d: [3]\ne: 4\n';
    assert.equal(fix(input, [{ op: 'delete', path: ['b'] }]), 'a: 1\n# about b\ne: 4\n');
  });

  it('joins the "-" of a compact item to the next key when its first key goes', () => {
    const input = 'items:\n- name: a\n  image: b\n  tty: true\n';
    assert.equal(fix(input, [{ op: 'delete', path: ['items', 0, 'name'] }]), 'items:\n- image: b\n  tty: true\n');
  });

  it('leaves {} or [] when the last entry goes, so the value stays a mapping or list', () => {
    assert.equal(fix('sc:\n  privileged: true\nx: 1\n', [{ op: 'delete', path: ['sc', 'privileged'] }]), 'sc: {}\nx: 1\n');
    assert.equal(fix('add:\n- NET_ADMIN\nx: 1\n', [{ op: 'delete', path: ['add', 0] }]), 'add: []\nx: 1\n');
  });

  it('removes sequence items, in order, as JSONPatch would', () => {
    const input = 'add:\n  - A\n  - B   # b\n  - C\n';
    assert.equal(fix(input, [{ op: 'delete', path: ['add', 1] }, { op: 'delete', path: ['add', 1] }]), 'add:\n  - A\n');
  });

  it('removes members of flow collections with their commas', () => {
    assert.equal(fix('a: {p: 1, q: 2, r: 3}\n', [{ op: 'delete', path: ['a', 'q'] }]), 'a: {p: 1, r: 3}\n');
    assert.equal(fix('a: {p: 1, q: 2, r: 3}\n', [{ op: 'delete', path: ['a', 'r'] }]), 'a: {p: 1, q: 2}\n');
    assert.equal(fix('a: {p: 1, q: 2, r: 3}\n', [{ op: 'delete', path: ['a', 'p'] }]), 'a: {q: 2, r: 3}\n');
    assert.equal(fix('a: [1, 2]\n', [{ op: 'delete', path: ['a', 0] }, { op: 'delete', path: ['a', 0] }]), 'a: []\n');
  });

  it('does nothing for a path that is not there', () => {
    const input = 'a: {b: 1}\n';
    assert.equal(fix(input, [{ op: 'delete', path: ['a', 'c'] }, { op: 'delete', path: ['x', 'y'] }]), input);
  });
});

describe('applyEditsToDocumentText: JSON', () => {
  const json = [
    '{',
    '  "apiVersion": "v1",',
    '  "kind": "Pod",',
    '  "spec": {',
    '    "containers": [',
    '      {',
    '        "name": "app",',
    '        "image": "nginx",',
    '        "imagePullPolicy": "Always"',
    '      }',
    '    ],',
    '    "securityContext": {}',
    '  }',
    '}',
    '',
  ].join('\n');

  it('stays pretty-printed JSON with the file\'s indentation', () => {
    const out = fix(json, [
      ...hardening,
      { op: 'set', path: ['spec', 'securityContext', 'runAsNonRoot'], value: true },
      { op: 'delete', path: [...C0, 'imagePullPolicy'] },
    ]);
    assert.doesNotThrow(() => JSON.parse(out));
    assert.equal(out, [
      '{',
      '  "apiVersion": "v1",',
      '  "kind": "Pod",',
      '  "spec": {',
      '    "containers": [',
      '      {',
      '        "name": "app",',
      '        "image": "nginx",',
      '        "securityContext": {',
      '          "readOnlyRootFilesystem": true,',
      '          "allowPrivilegeEscalation": false',
      '        },',
      '        "volumeMounts": [',
      '          {',
      '            "name": "tmp",',
      '            "mountPath": "/tmp"',
      '          }',
      '        ]',
      '      }',
      '    ],',
      '    "securityContext": {',
      '      "runAsNonRoot": true',
      '    },',
      '    "volumes": [',
      '      {',
      '        "name": "tmp",',
      '        "emptyDir": {}',
      '      }',
      '    ]',
      '  }',
      '}',
      '',
    ].join('\n'));
  });

  it('stays valid JSON on one line', () => {
    const out = fix('{"kind":"Pod","spec":{"containers":[{"name":"a","imagePullPolicy":"Always"}]}}', [...hardening, { op: 'delete', path: [...C0, 'imagePullPolicy'] }]);
    assert.equal(out, '{"kind":"Pod","spec":{"containers":[{"name":"a","securityContext": {"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false}, "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}], "volumes": [{"name": "tmp", "emptyDir": {}}]}}');
    assert.doesNotThrow(() => JSON.parse(out));
  });

  it('escapes keys and strings as JSON', () => {
    const out = fix('{\n  "metadata": {\n    "name": "x"\n  }\n}\n', [{ op: 'set', path: ['metadata', 'annotations', 'a/b'], value: 'say "hi"' }]);
    assert.deepEqual(JSON.parse(out), { metadata: { name: 'x', annotations: { 'a/b': 'say "hi"' } } });
  });
});

describe('applyEditsToDocumentText: semantics and refusals', () => {
  it('changes nothing when every edit is already satisfied', () => {
    const input = 'spec:\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: yes, allowPrivilegeEscalation: off}\n    volumeMounts: [{name: tmp, mountPath: /tmp}]\n  volumes:\n  - {name: tmp, emptyDir: {}}\n';
    assert.equal(applyEditsToDocumentText(input, hardening).text, input);
  });

  it('applies dependent edits in order, across rounds', () => {
    const result = applyEditsToDocumentText('a: 1\n', [
      { op: 'set', path: ['b', 'c'], value: 1 },
      { op: 'set', path: ['b', 'd'], value: 2 },
      { op: 'delete', path: ['b', 'c'] },
      { op: 'append', path: ['l'], value: 'x' },
      { op: 'append', path: ['l'], value: 'z' },
    ]);
    assert.equal(result.text, 'a: 1\nb:\n  d: 2\nl:\n  - x\n  - z\n');
    assert.ok(result.rounds >= 3);
  });

  it('refuses paths through aliases and merge keys instead of guessing', () => {
    const viaAlias = 'defaults: &d {readOnlyRootFilesystem: false}\nsc: *d\n';
    assert.throws(() => applyEditsToDocumentText(viaAlias, [{ op: 'set', path: ['sc', 'readOnlyRootFilesystem'], value: true }]), YamlEditError);
    const viaMerge = 'defaults: &d {privileged: true}\nsc:\n  <<: *d\n  x: 1\n';
    assert.throws(() => applyEditsToDocumentText(viaMerge, [{ op: 'delete', path: ['sc', 'privileged'] }]), /merge key/);
  });

  it('replaces a whole document when asked to', () => {
    assert.equal(fix('# head\na: 1\nb: [2]\n', [{ op: 'set', path: [], value: { c: { d: [1] } } }]), '# head\nc:\n  d:\n    - 1\n');
    assert.equal(fix('{"a": 1}\n', [{ op: 'set', path: [], value: { b: 2 } }]), '{\n  "b": 2\n}\n');
  });

  it('refuses a document with a syntax error', () => {
    assert.throws(() => applyEditsToDocumentText('a: [1\nb: 2\n', [{ op: 'set', path: ['c'], value: 1 }]), YamlEditError);
  });
});
