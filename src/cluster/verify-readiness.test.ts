// The readiness classifier on pod and workload status as kubelets and
// controllers write it (the shapes of `kubectl get -o json`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgePod, judgeWorkload, type ContainerStatusJson, type PodJson } from './verify-readiness.js';

const IMAGE = 'registry.example/shop/api:1.4';

/** `nodeName` null: not scheduled. */
function pod(name: string, status: PodJson['status'], nodeName: string | null = 'node-1', owner?: string): PodJson {
  return {
    metadata: { name, uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', uid: owner, controller: true }] } : {}) },
    spec: nodeName ? { nodeName } : {},
    status,
  };
}

const conditions = (ready: boolean) => [
  { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-06-01T10:00:02Z' },
  { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-06-01T10:00:01Z' },
  { type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: '2026-06-01T10:00:05Z', ...(ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [api]' }) },
  { type: 'ContainersReady', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: '2026-06-01T10:00:05Z' },
  { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-06-01T10:00:00Z' },
];

/** A status as the kubelet writes it, with the fields the classifier does not read too. */
function container(state: ContainerStatusJson['state'], extra: Record<string, unknown> = {}): ContainerStatusJson {
  return { name: 'api', image: IMAGE, imageID: '', containerID: 'containerd://4f1c', ready: false, restartCount: 0, started: false, state, lastState: {}, ...extra } as ContainerStatusJson;
}

describe('judgePod', () => {
  it('passes a Running pod whose Ready condition is True', () => {
    const running = pod('api', {
      phase: 'Running', conditions: conditions(true), hostIP: '10.0.0.4', podIP: '10.244.1.7', startTime: '2026-06-01T10:00:00Z',
      containerStatuses: [container({ running: { startedAt: '2026-06-01T10:00:03Z' } }, { ready: true, started: true })],
    } as PodJson['status']);
    assert.deepEqual(judgePod(running), { verdict: 'pass', reason: 'Ready' });
  });

  it('fails CrashLoopBackOff and names the last exit code', () => {
    const crashing = pod('api', {
      phase: 'Running', conditions: conditions(false),
      containerStatuses: [container(
        { waiting: { reason: 'CrashLoopBackOff', message: `back-off 20s restarting failed container=api pod=api_shop(6a0e)` } },
        { restartCount: 2, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-06-01T10:00:10Z', finishedAt: '2026-06-01T10:00:11Z', containerID: 'containerd://9a' } } },
      )],
    });
    const judged = judgePod(crashing);
    assert.equal(judged.verdict, 'fail');
    assert.equal(judged.reason, 'container "api" CrashLoopBackOff, last exit code 1 (Error): back-off 20s restarting failed container=api pod=api_shop(6a0e)');
  });

  it('fails a container that terminated non-zero, and one restarting after a non-zero exit', () => {
    const exited = pod('api', { phase: 'Running', conditions: conditions(false), containerStatuses: [container({ terminated: { exitCode: 137, reason: 'OOMKilled' } })] });
    assert.deepEqual(judgePod(exited), { verdict: 'fail', reason: 'container "api" exited with code 137 (OOMKilled)' });
    const restarted = pod('api', {
      phase: 'Running', conditions: conditions(false),
      containerStatuses: [container({ running: { startedAt: '2026-06-01T10:00:30Z' } }, { restartCount: 1, lastState: { terminated: { exitCode: 2, reason: 'Error' } } })],
    });
    assert.equal(judgePod(restarted).verdict, 'fail');
  });

  it('fails CreateContainerConfigError and CreateContainerError with the kubelet message', () => {
    for (const [reason, message] of [
      ['CreateContainerConfigError', 'container has runAsNonRoot and image will run as root (pod: "api_shop(6a0e)", container: api)'],
      ['CreateContainerError', 'failed to create containerd container: mount /data: read-only file system'],
    ] as const) {
      const judged = judgePod(pod('api', { phase: 'Pending', conditions: conditions(false), containerStatuses: [container({ waiting: { reason, message } })] }));
      assert.deepEqual(judged, { verdict: 'fail', reason: `container "api" ${reason}: ${message}` });
    }
  });

  it('cannot judge a container whose image was not pulled', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']) {
      const message = `Back-off pulling image "${IMAGE}"`;
      const judged = judgePod(pod('api', { phase: 'Pending', conditions: conditions(false), containerStatuses: [container({ waiting: { reason, message } })] }));
      assert.deepEqual(judged, { verdict: 'unknown', reason: `image not found: ${IMAGE} (container "api", ${reason}): ${message}` });
    }
  });

  it('cannot judge a pod the scheduler found no node for, and gives its message', () => {
    const unschedulable = pod('api', {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.' }],
    }, null);
    const judged = judgePod(unschedulable);
    assert.equal(judged.verdict, 'unknown');
    assert.match(judged.reason, /^no node would take the pod: 0\/3 nodes are available: 3 node\(s\) had untolerated taint/);
  });

  it('keeps waiting for a pod no scheduler has looked at yet, and for ContainerCreating', () => {
    assert.deepEqual(judgePod(pod('api', { phase: 'Pending' }, null)), { reason: 'Pending: not scheduled to a node yet (no node is Ready, or no scheduler placed it)' });
    const creating = judgePod(pod('api', { phase: 'Pending', conditions: conditions(false), containerStatuses: [container({ waiting: { reason: 'ContainerCreating' } })] }));
    assert.deepEqual(creating, { reason: 'container "api" waiting (ContainerCreating)' });
  });

  it('fails on an init container that crashes before the app starts', () => {
    const judged = judgePod(pod('api', {
      phase: 'Pending', conditions: conditions(false),
      initContainerStatuses: [{ ...container({ waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }), name: 'migrate' }],
      containerStatuses: [container({ waiting: { reason: 'PodInitializing' } })],
    }));
    assert.equal(judged.verdict, 'fail');
    assert.match(judged.reason, /^container "migrate" CrashLoopBackOff/);
  });
});

describe('judgeWorkload', () => {
  const ready = pod('api-7d9f-a', { phase: 'Running', conditions: conditions(true), containerStatuses: [container({ running: {} }, { ready: true })] }, 'node-1', 'rs');
  const waiting = pod('api-7d9f-b', { phase: 'Pending' }, null, 'rs');
  const crashing = pod('api-7d9f-c', { phase: 'Running', containerStatuses: [container({ waiting: { reason: 'CrashLoopBackOff' } })] }, 'node-1', 'rs');

  it('passes a Deployment when readyReplicas reaches spec.replicas', () => {
    const deployment = { kind: 'Deployment', spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 } };
    assert.deepEqual(judgeWorkload(deployment, [ready, ready]), { verdict: 'pass', reason: '2/2 pods Ready' });
  });

  it('waits while a replica is Pending, and fails as soon as one crashes', () => {
    const deployment = { kind: 'Deployment', spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 1 } };
    const judged = judgeWorkload(deployment, [ready, waiting]);
    assert.equal(judged.verdict, undefined);
    assert.match(judged.reason, /^1\/2 pods Ready; pod api-7d9f-b: Pending/);
    assert.equal(judgeWorkload(deployment, [ready, crashing]).verdict, 'fail');
  });

  it('passes a Job that is Complete and fails one whose Failed condition is True', () => {
    assert.deepEqual(judgeWorkload({ kind: 'Job', status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] } }, []), { verdict: 'pass', reason: 'Complete' });
    const failed = judgeWorkload({ kind: 'Job', status: { conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } }, []);
    assert.deepEqual(failed, { verdict: 'fail', reason: 'Job failed (BackoffLimitExceeded): Job has reached the specified backoff limit' });
  });

  it('waits for a DaemonSet with no node to run on, and passes it when every scheduled pod is Ready', () => {
    assert.equal(judgeWorkload({ kind: 'DaemonSet', status: { desiredNumberScheduled: 0, numberReady: 0 } }, []).verdict, undefined);
    assert.equal(judgeWorkload({ kind: 'DaemonSet', status: { desiredNumberScheduled: 1, numberReady: 1 } }, [ready]).verdict, 'pass');
  });

  it('judges a bare Pod by the pod itself', () => {
    assert.equal(judgeWorkload({ kind: 'Pod' }, [ready]).verdict, 'pass');
  });
});
