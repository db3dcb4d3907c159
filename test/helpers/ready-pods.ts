// Waits for the pods a controller makes on the test node, by label, as
// `kubectl wait --for=condition=Ready -l ...` does; on timeout the failure
// carries the pods' status and the namespace's events, which say why.
import assert from 'node:assert/strict';
import type { Node, PodLike } from './node.js';

export interface ReadyPodsOptions {
  /** How many must be Ready (default 1). */
  count?: number;
  /** Pods that do not count, e.g. the one just deleted. */
  not?: readonly string[];
  timeoutMs?: number;
}

export const isReady = (pod: PodLike): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The Ready pods of the selector, once there are `count` of them. */
export async function readyPods(node: Node, namespace: string, selector: string, options: ReadyPodsOptions = {}): Promise<PodLike[]> {
  const { count = 1, not = [], timeoutMs = 180_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await node.request('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
    const pods = (res.body as { items?: PodLike[] }).items ?? [];
    last = pods.map((p) => ({ name: p.metadata.name, status: p.status }));
    const ready = pods.filter((p) => isReady(p) && !not.includes(p.metadata.name));
    if (ready.length >= count) return ready;
    await new Promise((r) => setTimeout(r, 500));
  }
  const events = ((await node.request('GET', `/api/v1/namespaces/${namespace}/events`)).body as { items?: { reason: string; message: string; involvedObject: { kind: string; name: string } }[] }).items ?? [];
  const said = events.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`).join('\n');
  assert.fail(`fewer than ${count} Ready pods ${selector} in ${namespace} within ${timeoutMs} ms: ${JSON.stringify(last)}\n${said}`);
}

/** The first Ready pod of the selector. */
export async function readyPod(node: Node, namespace: string, selector: string, options: Omit<ReadyPodsOptions, 'count'> = {}): Promise<PodLike> {
  return (await readyPods(node, namespace, selector, options))[0] as PodLike;
}
