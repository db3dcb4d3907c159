import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { differingLeaves, describeLeaf, flattenObject, normalizedPrefix, underPrefix } from './object-diff.js';

const pod = (volumes: unknown[], extra: Record<string, unknown> = {}) => ({ spec: { containers: [{ name: 'web', image: 'web:1', ...extra }], volumes } });

describe('comparing rendered objects', () => {
  it('compares named items by name, whatever their order, and mounts by mount path', () => {
    const a = flattenObject(pod([{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }]));
    const b = flattenObject(pod([{ name: 'b', emptyDir: {} }, { name: 'a', emptyDir: {} }]));
    assert.deepEqual(differingLeaves(a, b), []);
    const mounts = flattenObject({ volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'tmp', mountPath: '/var/tmp' }] });
    assert.deepEqual([...mounts.keys()].map(describeLeaf), ['volumeMounts[/tmp].name', 'volumeMounts[/tmp].mountPath', 'volumeMounts[/var/tmp].name', 'volumeMounts[/var/tmp].mountPath']);
  });

  it('treats a null field as unset, and key order inside plain lists as no difference', () => {
    assert.deepEqual(differingLeaves(flattenObject(pod([], { subPath: null })), flattenObject(pod([]))), []);
    assert.deepEqual(differingLeaves(flattenObject({ terms: [{ a: 1, b: 2 }] }), flattenObject({ terms: [{ b: 2, a: 1, c: null }] })), []);
  });

  it('maps an edit path onto the names of the items it goes through', () => {
    const object = pod([{ name: 'tmp', emptyDir: {} }]);
    const prefix = normalizedPrefix(object, ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem']);
    assert.equal(describeLeaf(prefix), 'spec.containers[web].securityContext.readOnlyRootFilesystem');
    assert.ok(underPrefix(prefix, normalizedPrefix(object, ['spec', 'containers', 0])));
    assert.ok(!underPrefix(normalizedPrefix(object, ['spec', 'volumes', 0]), prefix));
  });
});
