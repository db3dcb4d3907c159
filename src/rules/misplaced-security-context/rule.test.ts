import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule, { tightens } from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe('misplaced-security-context', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports one finding per misplaced field at its pod-level path', () => {
    const run = runRule(rule, pod('  securityContext:\n    runAsNonRoot: true\n    readOnlyRootFilesystem: true\n    capabilities: {drop: [ALL]}\n  containers:\n  - name: a\n'));
    assert.deepEqual(run.findings.map((f) => [f.path, f.line, f.column]), [
      ['spec.securityContext.readOnlyRootFilesystem', 7, 5],
      ['spec.securityContext.capabilities', 8, 5],
    ]);
    assert.equal(run.findings[0]?.message, 'pod securityContext sets readOnlyRootFilesystem: true, a container-only field that Kubernetes silently drops, so it applies to no container');
    assert.equal(run.findings[0]?.container, undefined);
  });

  it('moves the value to every container that does not set it, including init and ephemeral containers', () => {
    const run = runRule(rule, pod(
      '  securityContext: {readOnlyRootFilesystem: true}\n' +
      '  initContainers:\n  - {name: init}\n' +
      '  containers:\n  - {name: a}\n  - {name: b, securityContext: {readOnlyRootFilesystem: false}}\n  - {name: c, securityContext: {runAsUser: 1}}\n' +
      '  ephemeralContainers:\n  - {name: debug}\n'));
    assert.deepEqual(run.findings[0]?.edits, [
      { op: 'set', path: ['spec', 'initContainers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true },
      { op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true },
      { op: 'set', path: ['spec', 'containers', 2, 'securityContext', 'readOnlyRootFilesystem'], value: true },
      { op: 'set', path: ['spec', 'ephemeralContainers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true },
      { op: 'delete', path: ['spec', 'securityContext', 'readOnlyRootFilesystem'] },
    ]);
  });

  it('gives each container its own copy of a capabilities object', () => {
    const run = runRule(rule, pod('  securityContext:\n    capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n  containers:\n  - {name: a}\n  - {name: b}\n'));
    const [first, second] = run.findings[0]?.edits ?? [];
    assert.ok(first?.op === 'set' && second?.op === 'set');
    assert.deepEqual(first.value, { drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    assert.notEqual(first.value, second.value);
  });

  it('deletes, never moves, a misplaced value that would grant privileges', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec:', '  template:', '    spec:',
      '      securityContext:', '        privileged: true', '        allowPrivilegeEscalation: true', '        capabilities: {add: [SYS_ADMIN]}',
      '      containers:', '      - {name: a}', '',
    ].join('\n'));
    assert.equal(run.findings.length, 3);
    for (const finding of run.findings) {
      assert.equal(finding.edits?.length, 1, finding.path);
      assert.equal(finding.edits?.[0]?.op, 'delete');
      assert.match(finding.hint, /^delete \w+ from the pod securityContext/);
    }
    assert.deepEqual(run.findings[0]?.edits?.[0], { op: 'delete', path: ['spec', 'template', 'spec', 'securityContext', 'privileged'] });
  });

  it('only deletes on Windows pods, where containers may not carry these fields', () => {
    const run = runRule(rule, pod('  os: {name: windows}\n  securityContext: {readOnlyRootFilesystem: true}\n  containers:\n  - {name: a}\n'));
    assert.deepEqual(run.findings[0]?.edits, [{ op: 'delete', path: ['spec', 'securityContext', 'readOnlyRootFilesystem'] }]);
  });

  it('leaves fields that PodSecurityContext really has alone', () => {
    const run = runRule(rule, pod('  securityContext: {runAsUser: 1000, runAsNonRoot: true, fsGroup: 2, seccompProfile: {type: RuntimeDefault}, sysctls: []}\n  containers:\n  - {name: a}\n'));
    assert.deepEqual(run.findings, []);
  });

  it('decides which values only tighten a container', () => {
    assert.equal(tightens('readOnlyRootFilesystem', true), true);
    assert.equal(tightens('readOnlyRootFilesystem', false), false);
    assert.equal(tightens('readOnlyRootFilesystem', 'true'), false);
    assert.equal(tightens('allowPrivilegeEscalation', false), true);
    assert.equal(tightens('privileged', true), false);
    assert.equal(tightens('procMount', 'Unmasked'), false);
    assert.equal(tightens('capabilities', { drop: ['ALL'], add: ['CAP_CHOWN'] }), true);
    assert.equal(tightens('capabilities', { add: ['NET_ADMIN'] }), false);
    assert.equal(tightens('capabilities', { drop: 'ALL' }), false);
    assert.equal(tightens('capabilities', 'ALL'), false);
  });
});
