import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITED_RESOURCES, listPath, listReference, objectApiReference, qualifiedResource, WORKLOAD_CONTROLLERS } from './resources.js';
import { BUILTIN_POD_SPEC_LOCATIONS } from '../core/workloads.js';

describe('cluster resources', () => {
  it('names live objects by API reference, the way reports show them instead of a file', () => {
    const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });
    assert.equal(objectApiReference({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', 'shop') }), 'apps/v1/namespaces/shop/deployments/web');
    assert.equal(objectApiReference({ apiVersion: 'v1', kind: 'Pod', metadata: meta('debug', 'shop') }), 'v1/namespaces/shop/pods/debug');
    assert.equal(objectApiReference({ apiVersion: 'v1', kind: 'Namespace', metadata: meta('shop') }), 'v1/namespaces/shop');
    assert.equal(objectApiReference({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('report', 'batch') }), 'batch/v1/namespaces/batch/cronjobs/report');
  });

  it('builds REST paths and list references for both API group styles and scopes', () => {
    const deployments = WORKLOAD_CONTROLLERS.find((t) => t.kind === 'Deployment');
    assert.ok(deployments);
    assert.equal(listPath(deployments), '/apis/apps/v1/deployments');
    assert.equal(listPath(deployments, 'shop'), '/apis/apps/v1/namespaces/shop/deployments');
    assert.equal(listReference(deployments, 'shop'), 'apps/v1/namespaces/shop/deployments');
    assert.equal(qualifiedResource(deployments), 'deployments.apps');
    const namespaces = AUDITED_RESOURCES.find((t) => t.kind === 'Namespace');
    assert.ok(namespaces);
    assert.equal(listPath(namespaces, 'ignored'), '/api/v1/namespaces');
  });

  it('lists every built-in workload kind whose pod template the engine reads', () => {
    const builtIn = BUILTIN_POD_SPEC_LOCATIONS.filter((l) => ['', 'apps', 'batch'].includes(l.group ?? '') && !['Pod', 'PodTemplate', 'DeploymentConfig'].includes(l.kind)).map((l) => `${l.group}/${l.kind}`);
    assert.deepEqual(WORKLOAD_CONTROLLERS.map((t) => `${t.group}/${t.kind}`).sort(), builtIn.sort());
  });
});
