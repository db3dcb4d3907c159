// Judges, from the objects the API server returns, whether a workload that
// `rootlock verify --cluster` created came up: pass (Ready, or a Job
// Complete), fail (the container itself broke: it crashed, exited non-zero,
// or its config could not be applied), unknown (something outside the
// container stopped it: the image could not be pulled, no node would take
// it), or still waiting. Pure: JSON in, verdicts out.

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface Judgement {
  /** Undefined while the workload may still come up. */
  verdict?: Verdict;
  /** What the workload is doing now, in a sentence: the reason for the verdict, or the last state at a timeout. */
  reason: string;
}

/** The parts of a Pod this module reads, as the API serves them. */
export interface PodJson {
  metadata?: { name?: string; ownerReferences?: Array<{ kind?: string; name?: string; uid?: string; controller?: boolean }>; uid?: string };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatusJson[];
    initContainerStatuses?: ContainerStatusJson[];
  };
}

interface StateJson {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; signal?: number };
}

export interface ContainerStatusJson {
  name?: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: StateJson;
  lastState?: StateJson;
}

/** Waiting reasons that mean the container's own program or config is broken. */
const FAILING_WAIT = new Set(['CrashLoopBackOff', 'Error', 'CreateContainerError', 'CreateContainerConfigError', 'RunContainerError']);
/** Waiting reasons that mean the image never reached the node: nothing is known about the container yet. */
const IMAGE_WAIT = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

const withMessage = (text: string, message: string | undefined) => (message ? `${text}: ${message}` : text);

function exitedNonZero(state: StateJson | undefined): StateJson['terminated'] | undefined {
  const t = state?.terminated;
  return t && (t.exitCode ?? 0) !== 0 ? t : undefined;
}

/** One pod's judgement. Container problems are read before readiness: a Ready pod whose container restarts is not stable. */
export function judgePod(pod: PodJson): Judgement {
  const status = pod.status ?? {};
  const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  for (const c of containers) {
    const waiting = c.state?.waiting;
    const name = c.name ?? '?';
    if (waiting?.reason && IMAGE_WAIT.has(waiting.reason)) {
      return { verdict: 'unknown', reason: withMessage(`image not found: ${c.image ?? '?'} (container "${name}", ${waiting.reason})`, waiting.message) };
    }
    if (waiting?.reason && FAILING_WAIT.has(waiting.reason)) {
      const last = exitedNonZero(c.lastState);
      const exit = last ? `, last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
      return { verdict: 'fail', reason: withMessage(`container "${name}" ${waiting.reason}${exit}`, waiting.message) };
    }
    const terminated = exitedNonZero(c.state) ?? ((c.restartCount ?? 0) > 0 ? exitedNonZero(c.lastState) : undefined);
    if (terminated) {
      return { verdict: 'fail', reason: withMessage(`container "${name}" exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`, terminated.message) };
    }
  }
  if (status.phase === 'Succeeded') return { verdict: 'pass', reason: 'completed' };
  if (status.phase === 'Failed') return { verdict: 'fail', reason: withMessage(`pod failed${status.reason ? ` (${status.reason})` : ''}`, status.message) };
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  if (condition('Ready')?.status === 'True') return { verdict: 'pass', reason: 'Ready' };
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { verdict: 'unknown', reason: withMessage('no node would take the pod', scheduled.message) };
  }
  if (!pod.spec?.nodeName && scheduled?.status !== 'True') {
    return { reason: 'Pending: not scheduled to a node yet (no node is Ready, or no scheduler placed it)' };
  }
  const waitingOn = containers.find((c) => c.state?.waiting);
  if (waitingOn) return { reason: withMessage(`container "${waitingOn.name ?? '?'}" waiting (${waitingOn.state?.waiting?.reason ?? 'no reason given'})`, waitingOn.state?.waiting?.message) };
  return { reason: `${status.phase ?? 'Pending'}, not Ready yet` };
}

/** The parts of a workload object this module reads. */
export interface WorkloadJson {
  kind: string;
  spec?: { replicas?: number };
  status?: {
    readyReplicas?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/**
 * A workload's judgement from its own status and its pods' (pods already
 * matched to it). The worst pod decides: one failing pod fails the workload,
 * one that cannot be judged makes it unknown; it passes when as many pods are
 * ready as it wants.
 */
export function judgeWorkload(workload: WorkloadJson, pods: readonly PodJson[]): Judgement {
  if (workload.kind === 'Pod') return judgePod(pods[0] ?? (workload as PodJson));
  const judged = pods.map((pod) => ({ pod, judgement: judgePod(pod) }));
  const named = (j: { pod: PodJson; judgement: Judgement }) => `pod ${j.pod.metadata?.name ?? '?'}: ${j.judgement.reason}`;
  const conditions = workload.status?.conditions ?? [];
  if (workload.kind === 'Job') {
    if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return { verdict: 'pass', reason: 'Complete' };
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    const failingPod = judged.find((j) => j.judgement.verdict === 'fail');
    if (failed) return { verdict: 'fail', reason: withMessage(`Job failed${failed.reason ? ` (${failed.reason})` : ''}`, failingPod ? named(failingPod) : failed.message) };
  }
  const fail = judged.find((j) => j.judgement.verdict === 'fail');
  if (fail) return { verdict: 'fail', reason: named(fail) };
  const unknown = judged.find((j) => j.judgement.verdict === 'unknown');
  if (unknown) return { verdict: 'unknown', reason: named(unknown) };
  if (workload.kind === 'Job') {
    const waiting = judged.find((j) => j.judgement.verdict === undefined);
    return { reason: waiting ? named(waiting) : 'no pod created yet' };
  }
  const status = workload.status ?? {};
  if (workload.kind === 'DaemonSet') {
    const desired = status.desiredNumberScheduled ?? 0;
    if (desired > 0 && (status.numberReady ?? 0) >= desired) return { verdict: 'pass', reason: `${desired}/${desired} pods Ready` };
    if (desired === 0 && pods.length === 0) return { reason: 'no node to run a pod on (no node is Ready, or none matches its node selector)' };
    return { reason: `${status.numberReady ?? 0}/${desired} pods Ready${judged[0] ? `; ${named(judged.find((j) => j.judgement.verdict === undefined) ?? judged[0])}` : ''}` };
  }
  const want = workload.spec?.replicas ?? 1;
  const ready = status.readyReplicas ?? judged.filter((j) => j.judgement.verdict === 'pass').length;
  if (want === 0) return { verdict: 'unknown', reason: 'it asks for 0 replicas: nothing runs' };
  if (ready >= want) return { verdict: 'pass', reason: `${ready}/${want} pods Ready` };
  const waiting = judged.find((j) => j.judgement.verdict === undefined);
  return { reason: `${ready}/${want} pods Ready${waiting ? `; ${named(waiting)}` : pods.length === 0 ? '; no pod created yet' : ''}` };
}
