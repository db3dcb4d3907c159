import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe('no-privilege-escalation', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports an explicit true at its exact position and fixes it to false', () => {
    const run = runRule(rule, pod('  containers:\n  - name: a\n    securityContext:\n      allowPrivilegeEscalation: true\n'));
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].securityContext.allowPrivilegeEscalation');
    assert.deepEqual([finding?.line, finding?.column], [8, 7]);
    assert.equal(finding?.message, 'container "a" sets allowPrivilegeEscalation: true, so setuid binaries and file capabilities can raise its privileges');
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'allowPrivilegeEscalation'], value: false }]);
  });

  it('ignores the pod-level field, which Kubernetes drops', () => {
    const run = runRule(rule, pod('  securityContext: {allowPrivilegeEscalation: false}\n  containers:\n  - {name: a}\n'));
    assert.equal(run.findings.length, 1);
    assert.deepEqual(run.findings[0]?.edits?.[0]?.path, ['spec', 'containers', 0, 'securityContext', 'allowPrivilegeEscalation']);
  });

  it('says Kubernetes forces it on for privileged and SYS_ADMIN containers, and offers no fix there', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - {name: p, securityContext: {privileged: true}}\n' +
      '  - {name: s, securityContext: {capabilities: {add: [sys_admin]}}}\n' +
      '  - {name: n, securityContext: {capabilities: {add: [NET_ADMIN]}}}\n'));
    assert.equal(run.findings.length, 3);
    assert.match(run.findings[0]?.message ?? '', /forces it to true anyway because of privileged: true$/);
    assert.equal(run.findings[0]?.hint, 'remove privileged: true first, then set securityContext.allowPrivilegeEscalation: false');
    assert.match(run.findings[1]?.message ?? '', /because of the added capability sys_admin$/);
    assert.deepEqual(run.findings.map((f) => f.fixable), [false, false, true]);
  });

  it('reports a quoted "false", which the API server rejects rather than reading as false', () => {
    const run = runRule(rule, pod('  containers:\n  - {name: a, securityContext: {allowPrivilegeEscalation: "false"}}\n'));
    assert.match(run.findings[0]?.message ?? '', /sets allowPrivilegeEscalation to "false", which is not the boolean false/);
    assert.equal(run.errors[0]?.code, 'invalid-field-type');
  });

  it('covers init, sidecar and ephemeral containers of a Deployment', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec:', '  template:', '    spec:',
      '      initContainers:', '      - {name: init}', '      - {name: side, restartPolicy: Always}',
      '      containers:', '      - {name: app, securityContext: {allowPrivilegeEscalation: false}}',
      '      ephemeralContainers:', '      - {name: dbg}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => f.message.split(' does not')[0]), ['init container "init"', 'sidecar container "side"', 'ephemeral container "dbg"']);
  });

  it('skips Windows pods, where the field is forbidden', () => {
    assert.deepEqual(runRule(rule, pod('  os: {name: windows}\n  containers:\n  - {name: a}\n')).findings, []);
    assert.equal(runRule(rule, pod('  os: {name: linux}\n  containers:\n  - {name: a}\n')).findings.length, 1);
  });
});
