import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Edit } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import { applyEdits, EditError } from './edit-semantics.js';
import { jsonPointer, toJsonPatch } from './json-patch.js';
import { applyEditsToDocumentText } from './yaml-edits.js';

/** Applies a patch with an independent RFC 6902 implementation, validating every operation. */
function patched(object: unknown, edits: Edit[]): unknown {
  const ops = toJsonPatch(object, edits) as Operation[];
  return jsonPatch.applyPatch(structuredClone(object), ops, true, true).newDocument;
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    a/b: "1"
spec:
  containers:
  - name: app
    imagePullPolicy: Always
    securityContext:
      readOnlyRootFilesystem: false
  - name: side
    securityContext: null
  volumes: []
`;

const EDITS: Edit[] = [
  { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true },
  { op: 'set', path: ['spec', 'containers', 1, 'securityContext', 'readOnlyRootFilesystem'], value: true },
  { op: 'set', path: ['spec', 'containers', 1, 'securityContext', 'capabilities', 'drop'], value: ['ALL'] },
  { op: 'append', path: ['spec', 'containers', 0, 'volumeMounts'], value: { name: 'tmp', mountPath: '/tmp' } },
  { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
  { op: 'delete', path: ['spec', 'containers', 0, 'imagePullPolicy'] },
  { op: 'set', path: ['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/app'], value: 'runtime/default' },
  { op: 'delete', path: ['metadata', 'annotations', 'a/b'] },
  { op: 'set', path: ['metadata', 'labels', 'x~y'], value: 'z' },
];

describe('toJsonPatch', () => {
  it('escapes JSON Pointer segments (RFC 6901)', () => {
    assert.equal(jsonPointer(['metadata', 'annotations', 'a/b~c', 0]), '/metadata/annotations/a~1b~0c/0');
    assert.equal(jsonPointer([]), '');
  });

  it('renders each op as the expected operations', () => {
    const object = { spec: { containers: [{ name: 'a', securityContext: { readOnlyRootFilesystem: false } }], volumes: [{ name: 'x' }] }, metadata: { annotations: { 'k/v': 'x' } } };
    assert.deepEqual(toJsonPatch(object, [
      { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true },
      { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'], value: ['ALL'] },
      { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp' } },
      { op: 'append', path: ['spec', 'containers', 0, 'volumeMounts'], value: { name: 'tmp' } },
      { op: 'delete', path: ['metadata', 'annotations', 'k/v'] },
      { op: 'delete', path: ['metadata', 'labels', 'absent'] },
    ]), [
      { op: 'replace', path: '/spec/containers/0/securityContext/readOnlyRootFilesystem', value: true },
      { op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: {} },
      { op: 'add', path: '/spec/containers/0/securityContext/capabilities/drop', value: ['ALL'] },
      { op: 'add', path: '/spec/volumes/-', value: { name: 'tmp' } },
      { op: 'add', path: '/spec/containers/0/volumeMounts', value: [{ name: 'tmp' }] },
      { op: 'remove', path: '/metadata/annotations/k~1v' },
    ]);
  });

  it('replaces a null parent with a mapping', () => {
    assert.deepEqual(toJsonPatch({ sc: null }, [{ op: 'set', path: ['sc', 'a'], value: 1 }]), [
      { op: 'replace', path: '/sc', value: {} },
      { op: 'add', path: '/sc/a', value: 1 },
    ]);
  });

  it('renders nothing for edits that are already satisfied', () => {
    const object = { sc: { a: true }, l: [{ n: 1 }] };
    assert.deepEqual(toJsonPatch(object, [
      { op: 'set', path: ['sc', 'a'], value: true },
      { op: 'append', path: ['l'], value: { n: 1 } },
      { op: 'delete', path: ['sc', 'b'] },
    ]), []);
  });

  it('renders later edits against the result of earlier ones', () => {
    const edits: Edit[] = [
      { op: 'append', path: ['l'], value: 1 },
      { op: 'append', path: ['l'], value: 2 },
      { op: 'set', path: ['m', 'a'], value: 1 },
      { op: 'set', path: ['m', 'b'], value: 2 },
    ];
    assert.deepEqual(toJsonPatch({}, edits), [
      { op: 'add', path: '/l', value: [1] },
      { op: 'add', path: '/l/-', value: 2 },
      { op: 'add', path: '/m', value: {} },
      { op: 'add', path: '/m/a', value: 1 },
      { op: 'add', path: '/m/b', value: 2 },
    ]);
  });

  it('refuses the edits the reference semantics refuse', () => {
    assert.throws(() => toJsonPatch({ sc: 'x' }, [{ op: 'set', path: ['sc', 'a'], value: true }]), EditError);
    assert.throws(() => toJsonPatch({ l: [] }, [{ op: 'set', path: ['l', 3], value: true }]), EditError);
  });

  it('lands on the reference value and on what the YAML writer produces', () => {
    const parsed = parseManifests(POD, 'pod.yaml');
    const object = parsed.documents[0]?.value;
    const reference = applyEdits(object, EDITS).value;
    assert.deepEqual(patched(object, EDITS), reference);
    const yamlText = applyEditsToDocumentText(POD, EDITS).text;
    assert.deepEqual(parseManifests(yamlText, 'pod.yaml').documents[0]?.value, reference);
    // And a second round renders no operations at all.
    assert.deepEqual(toJsonPatch(reference, EDITS), []);
  });
});
