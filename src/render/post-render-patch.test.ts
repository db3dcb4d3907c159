import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { postRenderPatches } from './post-render-patch.js';

describe('post-renderer patches', () => {
  it('names containers by name and mounts by mount path, and carries only the planned fields', () => {
    const planned = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name: 'side', image: 's' }, { name: 'web', image: 'w', securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }] }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] } } },
    };
    const text = postRenderPatches([
      {
        ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
        planned,
        edits: [
          { op: 'set', path: ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'readOnlyRootFilesystem'] },
          { op: 'append', path: ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'capabilities', 'drop'], value: 'ALL' },
          { op: 'append', path: ['spec', 'template', 'spec', 'volumes'], value: { name: 'tmp', emptyDir: {} } },
          { op: 'append', path: ['spec', 'template', 'spec', 'containers', 1, 'volumeMounts'], value: { name: 'tmp', mountPath: '/tmp' } },
          { op: 'delete', path: ['spec', 'template', 'spec', 'hostPID'] },
        ],
      },
    ]);
    assert.deepEqual(parse(text), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name: 'web', securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }], volumes: [{ name: 'tmp', emptyDir: {} }], hostPID: null } } },
    });
  });
});
