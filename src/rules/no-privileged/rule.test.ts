import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe('no-privileged', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports privileged: true at the field, with a hint and no fix', () => {
    const run = runRule(rule, pod('  containers:\n  - name: a\n    securityContext:\n      privileged: true\n'));
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].securityContext.privileged');
    assert.deepEqual([finding?.line, finding?.column], [8, 7]);
    assert.equal(finding?.message, 'container "a" is privileged, so it has every capability and all host devices and can remount its root filesystem writable');
    assert.match(finding?.hint ?? '', /^remove privileged: true/);
    assert.equal(finding?.fixable, false);
    assert.equal(rule.fixable, false);
  });

  it('does not report false, unset, a quoted "true" or the dropped pod-level field', () => {
    const run = runRule(rule, pod(
      '  securityContext: {privileged: true}\n  containers:\n  - {name: a, securityContext: {privileged: false}}\n  - {name: b}\n  - {name: c, securityContext: {privileged: "true"}}\n'));
    assert.deepEqual(run.findings, []);
    assert.equal(run.errors.length, 1, 'the quoted value is an input error instead');
  });

  it('covers sidecar and ephemeral containers of a CronJob', () => {
    const run = runRule(rule, [
      'apiVersion: batch/v1', 'kind: CronJob', 'metadata: {name: c}', 'spec:', '  schedule: "@hourly"', '  jobTemplate:', '    spec:', '      template:', '        spec:',
      '          initContainers:', '          - {name: side, restartPolicy: Always, securityContext: {privileged: true}}',
      '          containers:', '          - {name: job}',
      '          ephemeralContainers:', '          - {name: dbg, securityContext: {privileged: true}}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.containerType, f.path]), [
      ['initContainer', 'spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged'],
      ['ephemeralContainer', 'spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.privileged'],
    ]);
    assert.match(run.findings[0]?.message ?? '', /^sidecar container "side" is privileged/);
  });
});
