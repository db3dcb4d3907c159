import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { minimalEdits } from './minimal-edits.js';
import { applyEdits } from './edit-semantics.js';

describe('minimalEdits', () => {
  const before = { spec: { containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'v' }], securityContext: { fsGroup: 1, readOnlyRootFilesystem: true } } };
  const after = {
    spec: {
      containers: [{ name: 'a', image: 'x', securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }],
      volumes: [{ name: 'v' }, { name: 'tmp', emptyDir: {} }],
      securityContext: { fsGroup: 1 },
    },
  };

  it('turns one value into the other', () => {
    assert.deepEqual(applyEdits(before, minimalEdits(before, after)).value, after);
  });

  it('writes a new mapping once, whole, appends new list items and deletes removed keys', () => {
    assert.deepEqual(minimalEdits(before, after), [
      { op: 'set', path: ['spec', 'containers', 0, 'securityContext'], value: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } },
      { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
      { op: 'delete', path: ['spec', 'securityContext', 'readOnlyRootFilesystem'] },
    ]);
  });

  it('is empty for equal values and replaces what changed type or shrank', () => {
    assert.deepEqual(minimalEdits(before, structuredClone(before)), []);
    assert.deepEqual(minimalEdits({ a: [1, 2] }, { a: [1] }), [{ op: 'set', path: ['a'], value: [1] }]);
    assert.deepEqual(minimalEdits({ a: 'x' }, { a: { b: 1 } }), [{ op: 'set', path: ['a'], value: { b: 1 } }]);
  });
});
