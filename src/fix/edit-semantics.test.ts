import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Edit } from '../core/types.js';
import { applyEdit, applyEdits, dedupeEdits, deepEqual, EditError, exists, isJsonValue } from './edit-semantics.js';

describe('edit semantics', () => {
  it('set creates missing and null parents as mappings and leaves the input untouched', () => {
    const input = { spec: { containers: [{ name: 'a', securityContext: null }] } };
    const frozen = structuredClone(input);
    const out = applyEdit(input, { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true });
    assert.deepEqual(out, { spec: { containers: [{ name: 'a', securityContext: { readOnlyRootFilesystem: true } }] } });
    assert.deepEqual(input, frozen);
  });

  it('set of the current value is no change (the same object comes back)', () => {
    const input = { a: { b: [1, { c: true }] } };
    assert.equal(applyEdit(input, { op: 'set', path: ['a', 'b'], value: [1, { c: true }] }), input);
    assert.equal(applyEdits(input, [{ op: 'set', path: ['a', 'b', 1, 'c'], value: true }]).changed, false);
  });

  it('append creates the list, adds to it, and skips an equal item', () => {
    let value: unknown = { spec: {} };
    const edit: Edit = { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } };
    value = applyEdit(value, edit);
    assert.deepEqual(value, { spec: { volumes: [{ name: 'tmp', emptyDir: {} }] } });
    assert.equal(applyEdit(value, { op: 'append', path: ['spec', 'volumes'], value: { emptyDir: {}, name: 'tmp' } }), value);
    value = applyEdit(value, { op: 'append', path: ['spec', 'volumes'], value: { name: 'cache', emptyDir: {} } });
    assert.equal((value as { spec: { volumes: unknown[] } }).spec.volumes.length, 2);
    assert.deepEqual(applyEdit({ l: null }, { op: 'append', path: ['l'], value: 1 }), { l: [1] });
  });

  it('delete removes keys and list items and ignores what is not there', () => {
    const input = { a: { b: 1, c: 2 }, l: ['x', 'y', 'z'] };
    assert.deepEqual(applyEdit(input, { op: 'delete', path: ['a', 'b'] }), { a: { c: 2 }, l: ['x', 'y', 'z'] });
    assert.deepEqual(applyEdit(input, { op: 'delete', path: ['l', 1] }), { a: { b: 1, c: 2 }, l: ['x', 'z'] });
    assert.equal(applyEdit(input, { op: 'delete', path: ['a', 'zz'] }), input);
    assert.equal(applyEdit(input, { op: 'delete', path: ['l', 7] }), input);
    assert.equal(applyEdit(input, { op: 'delete', path: ['a', 'b', 'deeper'] }), input);
  });

  it('applies edits in order, each to the result of the ones before', () => {
    const out = applyEdits({}, [
      { op: 'set', path: ['a', 'b'], value: 1 },
      { op: 'delete', path: ['a', 'b'] },
      { op: 'append', path: ['l'], value: 1 },
      { op: 'append', path: ['l'], value: 2 },
      { op: 'delete', path: ['l', 0] },
    ]);
    assert.deepEqual(out, { value: { a: {}, l: [2] }, changed: true });
  });

  it('refuses paths through values of the wrong type and non-JSON values', () => {
    assert.throws(() => applyEdit({ sc: 'x' }, { op: 'set', path: ['sc', 'a'], value: true }), EditError);
    assert.throws(() => applyEdit({ l: [] }, { op: 'set', path: ['l', 0], value: 1 }), /outside the list/);
    assert.throws(() => applyEdit({ l: {} }, { op: 'set', path: ['l', 0], value: 1 }), /expected a list/);
    assert.throws(() => applyEdit({ v: 1 }, { op: 'append', path: ['v'], value: 1 }), /expected a list/);
    assert.throws(() => applyEdit({}, { op: 'set', path: ['a'], value: undefined }), /plain JSON/);
    assert.throws(() => applyEdit({}, { op: 'set', path: ['a'], value: Number.NaN }), /plain JSON/);
    assert.throws(() => applyEdit({}, { op: 'delete', path: [] }), /document itself/);
  });

  it('compares values structurally, ignoring key order', () => {
    assert.ok(deepEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }));
    assert.ok(!deepEqual({ a: 1 }, { a: 1, b: undefined }));
    assert.ok(!deepEqual([1, 2], [2, 1]));
    assert.ok(!deepEqual({}, []));
    assert.ok(isJsonValue({ a: [1, 'x', true, null] }));
    assert.ok(!isJsonValue({ a: () => 1 }));
  });

  it('tells existing members, null included, from missing ones', () => {
    assert.ok(exists({ a: null }, ['a']));
    assert.ok(!exists({ a: null }, ['a', 'b']));
    assert.ok(exists({ l: [0] }, ['l', 0]));
    assert.ok(!exists({ l: [0] }, ['l', 1]));
  });

  it('drops exact repeats of an edit and keeps the order of the rest', () => {
    const a: Edit = { op: 'set', path: ['x'], value: { y: 1 } };
    const b: Edit = { op: 'delete', path: ['z'] };
    assert.deepEqual(dedupeEdits([a, b, { op: 'set', path: ['x'], value: { y: 1 } }, b, { op: 'set', path: ['x'], value: 2 }]), [a, b, { op: 'set', path: ['x'], value: 2 }]);
  });
});
