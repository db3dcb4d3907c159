import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupByOwner } from './owners.js';
import type { JsonObject } from '../core/types.js';

interface Ref {
  kind: string;
  name: string;
  uid: string;
  apiVersion?: string;
  controller?: boolean;
}

function object(apiVersion: string, kind: string, name: string, owners: Ref[] = [], namespace = 'shop'): JsonObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace,
      uid: `${kind}/${name}`,
      ...(owners.length ? { ownerReferences: owners.map((o) => ({ apiVersion: 'apps/v1', controller: true, ...o })) } : {}),
    },
  };
}
const ref = (kind: string, name: string, extra: Partial<Ref> = {}): Ref => ({ kind, name, uid: `${kind}/${name}`, ...extra });
const names = (objects: readonly JsonObject[]) => objects.map((o) => (o['metadata'] as { name: string }).name);
const summary = (groups: ReturnType<typeof groupByOwner>) =>
  groups.map((g) => ({ root: `${g.root['kind']}/${names([g.root])[0]}`, pods: names(g.pods), ...(g.owner ? { owner: `${g.owner.kind}/${g.owner.name}` } : {}) }));

describe('groupByOwner', () => {
  it('puts Pods under the top-level controller: Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob', () => {
    const controllers = [
      object('apps/v1', 'Deployment', 'web'),
      object('apps/v1', 'ReplicaSet', 'web-1', [ref('Deployment', 'web')]),
      object('apps/v1', 'ReplicaSet', 'web-0', [ref('Deployment', 'web')]),
      object('batch/v1', 'CronJob', 'report'),
      object('batch/v1', 'Job', 'report-1', [ref('CronJob', 'report', { apiVersion: 'batch/v1' })]),
      object('apps/v1', 'StatefulSet', 'db'),
    ];
    const pods = [
      object('v1', 'Pod', 'web-1-a', [ref('ReplicaSet', 'web-1')]),
      object('v1', 'Pod', 'web-0-b', [ref('ReplicaSet', 'web-0')]),
      object('v1', 'Pod', 'report-1-x', [ref('Job', 'report-1', { apiVersion: 'batch/v1' })]),
      object('v1', 'Pod', 'db-0', [ref('StatefulSet', 'db')]),
      object('v1', 'Pod', 'shell'),
    ];
    assert.deepEqual(summary(groupByOwner(controllers, pods)), [
      { root: 'Deployment/web', pods: ['web-1-a', 'web-0-b'] },
      { root: 'CronJob/report', pods: ['report-1-x'] },
      { root: 'StatefulSet/db', pods: ['db-0'] },
      { root: 'Pod/shell', pods: [] },
    ]);
  });

  it('keeps a controller without Pods as a group, and stops at the topmost controller that was listed', () => {
    const controllers = [object('apps/v1', 'DaemonSet', 'agent'), object('apps/v1', 'ReplicaSet', 'web-1', [ref('Deployment', 'web')])];
    const pods = [object('v1', 'Pod', 'web-1-a', [ref('ReplicaSet', 'web-1')])];
    assert.deepEqual(summary(groupByOwner(controllers, pods)), [
      { root: 'DaemonSet/agent', pods: [] },
      { root: 'ReplicaSet/web-1', pods: ['web-1-a'], owner: 'Deployment/web' },
    ]);
  });

  it('reports a Pod whose owner is not a listed workload as itself, naming the owner', () => {
    const pods = [
      object('v1', 'Pod', 'canary-x', [ref('Rollout', 'canary', { apiVersion: 'argoproj.io/v1alpha1' })]),
      object('v1', 'Pod', 'mirror', [ref('Node', 'node-1', { apiVersion: 'v1' })]),
    ];
    const groups = groupByOwner([], pods);
    assert.deepEqual(summary(groups), [
      { root: 'Pod/canary-x', pods: [], owner: 'Rollout/canary' },
      { root: 'Pod/mirror', pods: [], owner: 'Node/node-1' },
    ]);
    assert.deepEqual(groups[0]?.owner, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'shop', name: 'canary' });
  });

  it('follows only an owner with the same uid, kind and namespace, preferring the controller reference', () => {
    const deployment = object('apps/v1', 'Deployment', 'web', [], 'other');
    const pods = [
      object('v1', 'Pod', 'wrong-namespace', [ref('Deployment', 'web')]),
      object('v1', 'Pod', 'wrong-kind', [ref('StatefulSet', 'web', { uid: 'Deployment/web' })]),
    ];
    assert.deepEqual(summary(groupByOwner([deployment], pods)), [
      { root: 'Deployment/web', pods: [] },
      { root: 'Pod/wrong-namespace', pods: [], owner: 'Deployment/web' },
      { root: 'Pod/wrong-kind', pods: [], owner: 'StatefulSet/web' },
    ]);
    const both = object('v1', 'Pod', 'both', [ref('DaemonSet', 'gc-only', { controller: false }), ref('DaemonSet', 'agent')]);
    assert.deepEqual(summary(groupByOwner([object('apps/v1', 'DaemonSet', 'agent')], [both])), [{ root: 'DaemonSet/agent', pods: ['both'] }]);
  });

  it('ends on an ownership cycle instead of looping', () => {
    const a = object('apps/v1', 'ReplicaSet', 'a', [ref('ReplicaSet', 'b')]);
    const b = object('apps/v1', 'ReplicaSet', 'b', [ref('ReplicaSet', 'a')]);
    const pod = object('v1', 'Pod', 'p', [ref('ReplicaSet', 'a')]);
    assert.deepEqual(summary(groupByOwner([a, b], [pod])), [{ root: 'Pod/p', pods: [], owner: 'ReplicaSet/a' }]);
  });
});
