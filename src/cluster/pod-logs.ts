// The logs `rootlock suggest --pod` reads, as `kubectl logs` shows them: of one
// container (the first unless named), and of its previous instance when it has
// one, since a container that crashes on a read-only root restarts and the
// crashed instance holds the error.
import type { ClusterConnection } from './connection.js';
import { apiMessage } from './verify.js';

export interface PodLogs {
  /** Names where the logs came from in messages: `pod shop/web container app (previous instance)`. */
  source: string;
  container: string;
  text: string;
}

interface PodJson {
  spec?: { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> };
}

/** Reads one container's logs through the API; a string is a problem to report (no such pod, no such container, RBAC). */
export async function readPodLogs(connection: ClusterConnection, namespace: string, pod: string, container?: string): Promise<PodLogs | string> {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`;
  const got = await connection.get(base);
  if (got.status !== 200) return `cannot read pod ${namespace}/${pod}: ${apiMessage(got)}`;
  const spec = (got.body as PodJson).spec ?? {};
  const names = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name ?? '');
  const chosen = container ?? spec.containers?.[0]?.name;
  if (chosen === undefined || !names.includes(chosen)) {
    return `pod ${namespace}/${pod} has no container ${JSON.stringify(chosen ?? '')}; its containers: ${names.join(', ')}`;
  }
  const previous = await connection.get(`${base}/log`, { container: chosen, previous: 'true' });
  // 400 means no previous instance: the current one is all there is.
  if (previous.status === 200 && previous.text.trim() !== '') {
    return { source: `pod ${namespace}/${pod} container ${chosen} (previous instance)`, container: chosen, text: previous.text };
  }
  const current = await connection.get(`${base}/log`, { container: chosen });
  if (current.status !== 200) return `cannot read the logs of pod ${namespace}/${pod} container ${chosen}: ${apiMessage(current)}`;
  return { source: `pod ${namespace}/${pod} container ${chosen}`, container: chosen, text: current.text };
}
