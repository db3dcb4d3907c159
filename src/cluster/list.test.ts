// Paging and error handling that a healthy test cluster does not produce on
// demand (an expired continue token, a group the server does not serve),
// driven by a scripted connection. The real API server covers the rest in
// test/cluster/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getOne, listAll } from './list.js';
import type { ApiResponse, ClusterConnection } from './connection.js';
import { NAMESPACES, PODS, WORKLOAD_CONTROLLERS } from './resources.js';

interface Call {
  path: string;
  query: Record<string, string | undefined>;
}

/** Answers requests from a script, in order, and records them. */
function scripted(answers: Array<{ status: number; body: unknown }>): { connection: ClusterConnection; calls: Call[] } {
  const calls: Call[] = [];
  const connection: ClusterConnection = {
    context: 'test',
    server: 'https://kube.test',
    get: async (path, query = {}) => {
      calls.push({ path, query });
      const answer = answers.shift();
      assert.ok(answer, `unexpected request ${path}`);
      const text = answer.body === undefined ? 'upstream connect error' : JSON.stringify(answer.body);
      return { status: answer.status, body: answer.body, text } satisfies ApiResponse;
    },
    // Listing only ever reads.
    send: async (method, path) => assert.fail(`unexpected ${method} ${path}`),
  };
  return { connection, calls };
}

const page = (names: string[], next?: string) => ({
  status: 200,
  body: { kind: 'PodList', metadata: next ? { continue: next } : {}, items: names.map((name) => ({ metadata: { name, namespace: 'shop', managedFields: [{}] }, spec: {}, status: { phase: 'Pending' } })) },
});
const status = (code: number, message: string) => ({ status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code } });
const DEPLOYMENTS = WORKLOAD_CONTROLLERS[0];

describe('listAll', () => {
  it('follows continue tokens with the same limit and selector, and completes the items', async () => {
    const { connection, calls } = scripted([page(['a', 'b'], 't1'), page(['c'])]);
    const result = await listAll(connection, PODS, { namespace: 'shop', labelSelector: 'app=web', chunkSize: 2 });
    assert.ok('items' in result);
    assert.equal(result.pages, 2);
    assert.deepEqual(result.items, ['a', 'b', 'c'].map((name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec: {} })));
    assert.deepEqual(calls, [
      { path: '/api/v1/namespaces/shop/pods', query: { limit: '2', labelSelector: 'app=web', continue: undefined } },
      { path: '/api/v1/namespaces/shop/pods', query: { limit: '2', labelSelector: 'app=web', continue: 't1' } },
    ]);
  });

  it('starts over once when the continue token expired, then gives up with advice', async () => {
    const expired = status(410, 'The provided continue parameter is too old');
    const once = scripted([page(['a'], 't1'), expired, page(['a'], 't2'), page(['b'])]);
    const restarted = await listAll(once.connection, PODS);
    assert.ok('items' in restarted);
    assert.deepEqual(restarted.items.map((p) => (p['metadata'] as { name: string }).name), ['a', 'b'], 'no duplicates from the first attempt');
    assert.equal(once.calls[2]?.query['continue'], undefined);

    const twice = scripted([page(['a'], 't1'), expired, page(['a'], 't2'), expired]);
    const failed = await listAll(twice.connection, PODS);
    assert.ok('error' in failed);
    assert.equal(failed.error.file, 'v1/pods');
    assert.match(failed.error.message, /too old; the listing took too long .* try a larger --chunk-size$/);
  });

  it('names the resource, the scope and the RBAC permission a 403 is missing', async () => {
    const { connection } = scripted([status(403, 'deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" in the namespace "shop"')]);
    const result = await listAll(connection, DEPLOYMENTS as NonNullable<typeof DEPLOYMENTS>, { namespace: 'shop' });
    assert.ok('error' in result);
    assert.deepEqual([result.error.file, result.error.code], ['apps/v1/namespaces/shop/deployments', 'forbidden']);
    assert.equal(
      result.error.message,
      'cannot list deployments.apps in namespace "shop": deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" in the namespace "shop". ' +
        'rootlock needs get, list and watch on "deployments" in API group "apps" in namespace "shop" (a Role or a ClusterRole bound there), as deploy/rbac/audit-clusterrole.yaml grants; the rest of the audit went on without them',
    );
  });

  it('tells a resource the server does not serve, and a body that is not a Status, apart', async () => {
    const { connection } = scripted([status(404, 'the server could not find the requested resource'), { status: 500, body: undefined }]);
    const missing = await listAll(connection, PODS);
    assert.ok('error' in missing);
    assert.deepEqual([missing.error.code, missing.error.message], ['resource-not-served', 'cannot list pods in all namespaces: the API server does not serve v1 pods (the server could not find the requested resource)']);
    const broken = await listAll(connection, PODS);
    assert.ok('error' in broken);
    assert.deepEqual([broken.error.code, broken.error.message], ['api-error', 'cannot list pods in all namespaces: HTTP 500: upstream connect error']);
  });
});

describe('getOne', () => {
  it('reads one namespace, and reports one that does not exist', async () => {
    const { connection, calls } = scripted([{ status: 200, body: { metadata: { name: 'shop' } } }, status(404, 'namespaces "nope" not found')]);
    assert.deepEqual(await getOne(connection, NAMESPACES, 'shop'), { object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } });
    assert.deepEqual(await getOne(connection, NAMESPACES, 'nope'), { error: { file: 'v1/namespaces/nope', code: 'namespace-not-found', message: 'Namespace "nope" does not exist' } });
    assert.deepEqual(calls.map((c) => c.path), ['/api/v1/namespaces/shop', '/api/v1/namespaces/nope']);
  });
});
