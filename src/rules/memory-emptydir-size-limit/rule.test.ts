import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

/** A Pod whose container "app" mounts volume "tmp"; `limit` is the container's memory limit. */
function pod(emptyDir: string, options: { limit?: string; podLimit?: string; mount?: boolean } = {}): string {
  return [
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: p}', 'spec:',
    ...(options.podLimit ? [`  resources: {limits: {memory: ${options.podLimit}}}`] : []),
    '  containers:', '  - name: app', '    image: x',
    ...(options.limit ? [`    resources: {limits: {memory: ${options.limit}}}`] : []),
    ...(options.mount === false ? [] : ['    volumeMounts: [{name: tmp, mountPath: /tmp}]']),
    '  volumes:', '  - name: tmp', `    emptyDir: ${emptyDir}`, '',
  ].join('\n');
}

describe('memory-emptydir-size-limit', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports a missing sizeLimit at its path, quoting the seed', () => {
    const run = runRule(rule, pod('{medium: Memory}'));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.volumes[0].emptyDir.sizeLimit');
    assert.equal(finding?.line, 11, 'the emptyDir key, nearest existing parent');
    assert.match(finding?.message ?? '', /^memory-backed emptyDir volume "tmp" has no sizeLimit, .*counts against the container's memory limit/);
    assert.equal(finding?.container, undefined);
    assert.equal(finding?.fixable, false);
  });

  it('ignores disk-backed emptyDirs and other volumes', () => {
    assert.equal(runRule(rule, pod('{}')).findings.length, 0);
    assert.equal(runRule(rule, pod('{medium: ""}')).findings.length, 0);
    assert.equal(runRule(rule, pod('{medium: HugePages}')).findings.length, 0);
  });

  it('compares sizeLimit with the memory limit of the container that mounts it, across units', () => {
    const over = runRule(rule, pod('{medium: Memory, sizeLimit: 1Gi}', { limit: '1000Mi' }));
    assert.equal(over.findings.length, 1);
    assert.equal(over.findings[0]?.message, 'memory-backed emptyDir volume "tmp" has sizeLimit 1Gi, larger than the 1000Mi memory limit of container "app" that mounts it, so the container is OOM-killed before the volume is full');
    assert.equal(over.findings[0]?.container, 'app');
    assert.equal(over.findings[0]?.path, 'spec.volumes[0].emptyDir.sizeLimit');
    assert.equal(over.findings[0]?.line, 12, 'the sizeLimit inside the flow mapping');
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1G}', { limit: '1000Mi' })).findings.length, 0, '1G < 1000Mi');
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1024Mi}', { limit: '1Gi' })).findings.length, 0, 'equal');
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1e3}', { limit: '999' })).findings.length, 1, 'decimal exponent');
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 2000}', { limit: '1k' })).findings.length, 1, 'YAML number');
  });

  it('ignores containers that do not mount the volume, and containers without a memory limit', () => {
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1Gi}', { limit: '64Mi', mount: false })).findings.length, 0);
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1Gi}')).findings.length, 0);
  });

  it('falls back to a pod-level memory limit, and a container limit wins over it', () => {
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1Gi}', { podLimit: '512Mi' })).findings.length, 1);
    assert.equal(runRule(rule, pod('{medium: Memory, sizeLimit: 1Gi}', { podLimit: '512Mi', limit: '2Gi' })).findings.length, 0);
  });

  it('reports once per mounting container that is too small, including init containers, not ephemeral ones', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec:', '  template:', '    spec:',
      '      initContainers:', '      - {name: a, image: x, resources: {limits: {memory: 64Mi}}, volumeMounts: [{name: v, mountPath: /v}]}',
      '      containers:',
      '      - {name: b, image: x, resources: {limits: {memory: 64Mi}}, volumeMounts: [{name: v, mountPath: /v}]}',
      '      - {name: c, image: x, resources: {limits: {memory: 1Gi}}, volumeMounts: [{name: v, mountPath: /v}]}',
      '      ephemeralContainers:', '      - {name: e, image: x, volumeMounts: [{name: v, mountPath: /v}]}',
      '      volumes:', '      - {name: v, emptyDir: {medium: Memory, sizeLimit: 128Mi}}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.container, f.containerType, f.path]), [
      ['a', 'initContainer', 'spec.template.spec.volumes[0].emptyDir.sizeLimit'],
      ['b', 'container', 'spec.template.spec.volumes[0].emptyDir.sizeLimit'],
    ]);
    assert.match(run.findings[0]?.message ?? '', /of init container "a" that mounts it/);
  });

  it('reports a sizeLimit that is not a quantity', () => {
    const run = runRule(rule, pod('{medium: Memory, sizeLimit: 64MB}', { limit: '1Gi' }));
    assert.equal(run.findings.length, 1);
    assert.match(run.findings[0]?.message ?? '', /sizeLimit "64MB", which is not a Kubernetes quantity/);
  });
});
