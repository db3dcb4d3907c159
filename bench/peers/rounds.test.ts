// The order rotation is what makes the comparison fair on a shared machine,
// and the peers' object counts are what make it honest: both are tested here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, roundOrder } from './rounds.js';
import { joinManifests } from './inputs.js';
import { kubeScoreExpected } from './peers.js';

test('each tool runs first once every as many rounds as there are tools', () => {
  const tools = ['rootlock', 'kube-score', 'kubeconform'];
  assert.deepEqual(roundOrder(tools, 0), ['rootlock', 'kube-score', 'kubeconform']);
  assert.deepEqual(roundOrder(tools, 1), ['kube-score', 'kubeconform', 'rootlock']);
  assert.deepEqual(roundOrder(tools, 2), ['kubeconform', 'rootlock', 'kube-score']);
  assert.deepEqual(roundOrder(tools, 3), roundOrder(tools, 0));
  assert.deepEqual(roundOrder(['a', 'b'], 1), ['b', 'a']);
  assert.deepEqual(roundOrder([], 4), []);
});

test('median of odd and even counts, and of none', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /no values/);
});

test('joined manifests keep every document and add no empty one between files', () => {
  assert.equal(joinManifests(['---\na: 1\n', 'b: 2', '# licence\n---\nc: 3\n']), '---\na: 1\n---\nb: 2\n---\n# licence\n---\nc: 3\n');
});

test('kube-score is expected to list each object it scores once, whatever it skips', () => {
  const object = (kind: string, name: string, namespace = '') => ({ file: 'a.yaml', kind, apiVersion: 'v1', namespace, name });
  assert.equal(kubeScoreExpected([
    object('Service', 'web'), object('Service', 'web'), object('Service', 'web', 'shop'),
    object('ConfigMap', 'web'), object('Kustomization', 'k'), object('Pod', 'web'),
  ]), 3);
});
