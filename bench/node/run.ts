// Start-up of the test node (test/helpers/node.ts) to a Ready Node, and of its
// first pod, against the bare control plane's start-up (etcd, kube-apiserver,
// kube-controller-manager to ready) measured in the same run, alternating so
// that a busy machine slows both alike.
// Usage: npm run build && node dist/bench/node/run.js [--rounds N]
import { performance } from 'node:perf_hooks';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import { startNode } from '../../test/helpers/node.js';
import { PAUSE_IMAGE } from '../../test/helpers/node-images.js';

const roundsFlag = process.argv.indexOf('--rounds');
const ROUNDS = roundsFlag === -1 ? 3 : Number(process.argv[roundsFlag + 1]);

interface Round { controlPlane: number; node: number; pod: number; stop: number }

async function round(): Promise<Round> {
  let start = performance.now();
  const cp = await startControlPlane();
  const controlPlane = performance.now() - start;
  await cp.stop();

  start = performance.now();
  const node = await startNode();
  const ready = performance.now() - start;
  start = performance.now();
  await node.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench' },
    spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: PAUSE_IMAGE, imagePullPolicy: 'Never' }] },
  });
  await node.waitForPod('default', 'bench', 'Ready');
  const pod = performance.now() - start;
  start = performance.now();
  await node.stop();
  return { controlPlane, node: ready, pod, stop: performance.now() - start };
}

const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = median(rounds.map((r) => r.controlPlane));
const rows: Array<[string, number]> = [
  ['bare control plane start to ready (baseline)', base],
  ['node start to Ready (control plane + scheduler + containerd + kubelet)', median(rounds.map((r) => r.node))],
  ['first pod (pause) created to Ready', median(rounds.map((r) => r.pod))],
  ['node stop() with the pod running, to nothing left', median(rounds.map((r) => r.stop))],
];
process.stdout.write(`median of ${ROUNDS} rounds\n`);
for (const [name, ms] of rows) {
  process.stdout.write(`${name.padEnd(72)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${(ms / base).toFixed(2).padStart(6)}x baseline\n`);
}
