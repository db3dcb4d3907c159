// The post-renderer patch is a file users commit: the same edits must give the
// same bytes whatever order the rules reported them in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { postRenderPatches } from '../../src/render/post-render-patch.js';
import type { PatchEdit } from '../../src/render/post-render-patch.js';
import type { JsonObject } from '../../src/core/types.js';

const planned: JsonObject = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
  spec: { automountServiceAccountToken: false, containers: [{ name: 'app', volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }], volumes: [{ name: 'tmp', emptyDir: {} }] },
};
const ref = { apiVersion: 'v1', kind: 'Pod', name: 'web' };
const edits: PatchEdit[] = [
  { op: 'set', path: ['spec', 'automountServiceAccountToken'] },
  { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
  { op: 'append', path: ['spec', 'containers', 0, 'volumeMounts'], value: { name: 'tmp', mountPath: '/tmp' } },
];

describe('post-renderer patch', () => {
  it('is the same text for the same edits in any order', () => {
    const forward = postRenderPatches([{ ref, planned, edits }]);
    const backward = postRenderPatches([{ ref, planned, edits: [...edits].reverse() }]);
    assert.equal(backward, forward);
  });
  it('names only the changed items, merged by key', () => {
    const patch = parse(postRenderPatches([{ ref, planned, edits }])) as JsonObject;
    assert.deepEqual(patch, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'app', volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }], volumes: [{ name: 'tmp', emptyDir: {} }] },
    });
  });
});
