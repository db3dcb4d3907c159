import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe('run-as-non-root', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('points at the container field when nothing is set, and offers no fix without a known uid', () => {
    const run = runRule(rule, pod('  containers:\n  - name: app\n    image: myapp:1.0\n'));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].securityContext.runAsNonRoot');
    assert.equal(finding?.line, 6, 'the nearest existing parent is the container');
    assert.equal(finding?.message, 'container "app" does not set runAsNonRoot, so it may run as root');
    assert.equal(finding?.fixable, false);
    assert.equal(finding?.edits, undefined);
  });

  it('points at the pod-level field a container inherits, but fixes the container only', () => {
    const run = runRule(rule, pod('  securityContext:\n    runAsNonRoot: false\n    runAsUser: 1000\n  containers:\n  - name: app\n    image: myapp:1.0\n'));
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.securityContext.runAsNonRoot');
    assert.equal(finding?.message, 'container "app" sets runAsNonRoot: false in the pod securityContext, so it may run as root; runAsUser is 1000 in the pod securityContext, so runAsNonRoot: true only makes that binding');
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'runAsNonRoot'], value: true }]);
  });

  it('lets the container override the pod, both ways', () => {
    const tightened = runRule(rule, pod('  securityContext: {runAsNonRoot: false}\n  containers:\n  - {name: a, securityContext: {runAsNonRoot: true}}\n'));
    assert.deepEqual(tightened.findings, []);
    const loosened = runRule(rule, pod('  securityContext: {runAsNonRoot: true, runAsUser: 1000}\n  containers:\n  - {name: a}\n  - {name: b, securityContext: {runAsNonRoot: false}}\n'));
    assert.deepEqual(loosened.findings.map((f) => f.path), ['spec.containers[1].securityContext.runAsNonRoot']);
    assert.deepEqual(loosened.findings[0]?.edits, [{ op: 'set', path: ['spec', 'containers', 1, 'securityContext', 'runAsNonRoot'], value: true }]);
  });

  it('reports runAsUser: 0 even under runAsNonRoot: true, without a fix', () => {
    const run = runRule(rule, pod('  securityContext: {runAsNonRoot: true, runAsUser: 0}\n  containers:\n  - {name: a}\n  - {name: b, securityContext: {runAsUser: 10}}\n'));
    assert.equal(run.findings.length, 1);
    assert.equal(run.findings[0]?.path, 'spec.securityContext.runAsUser');
    assert.equal(run.findings[0]?.message, 'container "a" sets runAsUser: 0 in the pod securityContext together with runAsNonRoot: true, so the kubelet refuses to start it');
    assert.equal(run.findings[0]?.fixable, false);
    const plain = runRule(rule, pod('  containers:\n  - {name: a, securityContext: {runAsUser: 0}}\n'));
    assert.equal(plain.findings[0]?.message, 'container "a" runs as root: runAsUser is 0');
  });

  it('uses the knowledge base: a known non-root image gets runAsNonRoot and its uid pinned', () => {
    const run = runRule(rule, pod('  containers:\n  - {name: g, image: grafana/grafana:11.1.0}\n'));
    const [finding] = run.findings;
    assert.match(finding?.message ?? '', /image grafana\/grafana:11\.1\.0 runs as uid 472 by default, so runAsNonRoot: true is safe to set$/);
    assert.equal(finding?.hint, 'set securityContext.runAsNonRoot: true and runAsUser: 472');
    assert.deepEqual(finding?.edits, [
      { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'runAsNonRoot'], value: true },
      { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'runAsUser'], value: 472 },
    ]);
  });

  it('does not fix a root image or an image of unknown user', () => {
    for (const image of ['nginx:1.25', 'httpd:2.4', 'node:22', 'example.com/unknown:1']) {
      const run = runRule(rule, pod(`  containers:\n  - {name: c, image: "${image}"}\n`));
      assert.equal(run.findings.length, 1, image);
      assert.equal(run.findings[0]?.fixable, false, image);
    }
    const nginx = runRule(rule, pod('  containers:\n  - {name: c, image: nginx:1.25}\n'));
    assert.match(nginx.findings[0]?.message ?? '', /image nginx:1\.25 runs as root by default/);
  });

  it('covers init and ephemeral containers in a CronJob', () => {
    const run = runRule(rule, [
      'apiVersion: batch/v1', 'kind: CronJob', 'metadata: {name: c}', 'spec:', '  schedule: "@daily"', '  jobTemplate:', '    spec:', '      template:', '        spec:',
      '          securityContext: {runAsNonRoot: true}',
      '          initContainers:', '          - {name: init, securityContext: {runAsNonRoot: false}}',
      '          containers:', '          - {name: job}',
      '          ephemeralContainers:', '          - {name: debug, securityContext: {runAsUser: 0}}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => `${f.containerType} ${f.container} ${f.path}`), [
      'initContainer init spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.runAsNonRoot',
      'ephemeralContainer debug spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.runAsUser',
    ]);
    assert.match(run.findings[1]?.message ?? '', /^ephemeral container "debug" sets runAsUser: 0 together with runAsNonRoot: true/);
  });

  it('writes no runAsUser on Windows pods, where the API forbids it', () => {
    const run = runRule(rule, pod('  os: {name: windows}\n  containers:\n  - {name: g, image: grafana/grafana:11}\n'));
    assert.equal(run.findings[0]?.fixable, false);
    assert.match(run.findings[0]?.hint ?? '', /windowsOptions\.runAsUserName/);
  });
});
