import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

function pod(resources: string, extra = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${extra}  containers:\n  - name: app\n    image: nginx\n${resources}`;
}

describe('resource-limits', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports one finding per container, at the limits path, naming both resources', () => {
    const run = runRule(rule, pod(''));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].resources.limits');
    assert.equal(finding?.line, 6, 'the container, nearest existing parent of the limits');
    assert.equal(finding?.message, 'container "app" has neither a cpu nor a memory limit, so it can take all the CPU time and memory of its node');
    assert.equal(finding?.severity, 'warning');
  });

  it('names the one resource that is missing, at its own path', () => {
    const noCpu = runRule(rule, pod('    resources:\n      limits:\n        memory: 256Mi\n'));
    assert.deepEqual(noCpu.findings.map((f) => f.path), ['spec.containers[0].resources.limits.cpu']);
    assert.match(noCpu.findings[0]?.message ?? '', /has no cpu limit/);
    assert.equal(noCpu.findings[0]?.line, 9, 'the limits key, nearest existing parent');
    const noMemory = runRule(rule, pod('    resources:\n      limits:\n        cpu: 500m\n'));
    assert.deepEqual(noMemory.findings.map((f) => f.path), ['spec.containers[0].resources.limits.memory']);
    assert.match(noMemory.findings[0]?.message ?? '', /has no memory limit/);
    assert.match(noMemory.findings[0]?.hint ?? '', /resources\.limits\.memory/);
  });

  it('does not count requests as limits', () => {
    assert.equal(runRule(rule, pod('    resources:\n      requests: {cpu: 1, memory: 1Gi}\n')).findings.length, 1);
  });

  it('treats empty or null limits as missing', () => {
    const run = runRule(rule, pod('    resources:\n      limits: {cpu: "", memory: null}\n'));
    assert.match(run.findings[0]?.message ?? '', /neither a cpu nor a memory limit/);
  });

  it('accepts pod-level limits for the resources they set', () => {
    assert.equal(runRule(rule, pod('', '  resources:\n    limits: {cpu: 1, memory: 1Gi}\n')).findings.length, 0);
    const cpuOnly = runRule(rule, pod('', '  resources:\n    limits: {cpu: 1}\n'));
    assert.deepEqual(cpuOnly.findings.map((f) => f.path), ['spec.containers[0].resources.limits.memory']);
  });

  it('checks init containers and restartable sidecars, and skips ephemeral containers', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec:', '  template:', '    spec:',
      '      initContainers:', '      - {name: proxy, image: envoy, restartPolicy: Always}',
      '      containers:', '      - {name: web, image: nginx, resources: {limits: {cpu: 1, memory: 1Gi}}}',
      '      ephemeralContainers:', '      - {name: debug, image: busybox}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.path, f.containerType, f.container]), [
      ['spec.template.spec.initContainers[0].resources.limits', 'initContainer', 'proxy'],
    ]);
    assert.match(run.findings[0]?.message ?? '', /^sidecar container "proxy"/);
  });

  it('reports a limit that is not a quantity', () => {
    const run = runRule(rule, pod('    resources:\n      limits: {cpu: 2 cores, memory: 1Gi}\n'));
    assert.equal(run.findings.length, 1);
    assert.equal(run.findings[0]?.path, 'spec.containers[0].resources.limits.cpu');
    assert.match(run.findings[0]?.message ?? '', /"2 cores" that is not a Kubernetes quantity/);
  });

  it('never offers a fix', () => {
    const [finding] = runRule(rule, pod('')).findings;
    assert.equal(finding?.fixable, false);
    assert.equal(finding?.edits, undefined);
  });
});
