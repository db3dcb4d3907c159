import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe('drop-all-capabilities', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('sets drop: [ALL] when there is no capabilities field', () => {
    const run = runRule(rule, pod('  containers:\n  - name: a\n    image: myapp:1\n'));
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].securityContext.capabilities.drop');
    assert.equal(finding?.line, 6);
    assert.equal(finding?.message, 'container "a" does not drop ALL capabilities, so it keeps the runtime\'s default capabilities such as CHOWN, DAC_OVERRIDE, SETUID and NET_RAW');
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'capabilities'], value: { drop: ['ALL'] } }]);
  });

  it('appends ALL to an existing drop list and keeps add entries', () => {
    const run = runRule(rule, pod('  containers:\n  - name: a\n    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n        add: [NET_BIND_SERVICE]\n'));
    const [finding] = run.findings;
    assert.match(finding?.message ?? '', /drops only NET_RAW, so it keeps the runtime's default capabilities such as CHOWN, DAC_OVERRIDE, SETUID and FOWNER$/);
    assert.deepEqual(finding?.edits, [{ op: 'append', path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'], value: 'ALL' }]);
    assert.deepEqual([finding?.line, finding?.column], [9, 9]);
  });

  it('sets drop when capabilities has only add, and adds back what the knowledge base says the image needs', () => {
    const run = runRule(rule, pod('  containers:\n  - name: web\n    image: nginx:1.25\n    securityContext:\n      capabilities:\n        add: [cap_chown]\n'));
    const [finding] = run.findings;
    assert.match(finding?.message ?? '', /image nginx:1\.25 needs CHOWN, SETUID, SETGID and NET_BIND_SERVICE added back after dropping ALL$/);
    assert.equal(finding?.hint, 'add ALL to securityContext.capabilities.drop and add back SETUID, SETGID and NET_BIND_SERVICE');
    const caps = ['spec', 'containers', 0, 'securityContext', 'capabilities'];
    assert.deepEqual(finding?.edits, [
      { op: 'set', path: [...caps, 'drop'], value: ['ALL'] },
      { op: 'append', path: [...caps, 'add'], value: 'SETUID' },
      { op: 'append', path: [...caps, 'add'], value: 'SETGID' },
      { op: 'append', path: [...caps, 'add'], value: 'NET_BIND_SERVICE' },
    ]);
    const bare = runRule(rule, pod('  containers:\n  - {name: web, image: nginx:1.25}\n'));
    assert.deepEqual(bare.findings[0]?.edits, [{ op: 'set', path: caps, value: { drop: ['ALL'], add: ['CHOWN', 'SETUID', 'SETGID', 'NET_BIND_SERVICE'] } }]);
  });

  it('replaces a lowercase "all" in place instead of appending', () => {
    const run = runRule(rule, pod('  containers:\n  - name: a\n    securityContext:\n      capabilities:\n        drop: [NET_RAW, all]\n'));
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].securityContext.capabilities.drop[1]');
    assert.deepEqual([finding?.line, finding?.column], [9, 25]);
    assert.match(finding?.message ?? '', /drops "all", which container runtimes accept but the Restricted Pod Security Standard/);
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop', 1], value: 'ALL' }]);
  });

  it('says when drop is not a list, and replaces it', () => {
    const run = runRule(rule, pod('  containers:\n  - name: a\n    securityContext: {capabilities: {drop: ALL}}\n'));
    assert.match(run.findings[0]?.message ?? '', /sets capabilities\.drop to "ALL", which is not a list/);
    assert.deepEqual(run.findings[0]?.edits, [{ op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'], value: ['ALL'] }]);
    assert.equal(run.errors[0]?.code, 'invalid-field-type');
  });

  it('asks for ALL even when every default capability is dropped by name', () => {
    const names = 'CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE';
    const run = runRule(rule, pod(`  containers:\n  - name: a\n    securityContext: {capabilities: {drop: [${names}]}}\n`));
    assert.match(run.findings[0]?.message ?? '', /but not ALL, which the Restricted Pod Security Standard requires$/);
  });

  it('ignores the pod-level field and covers init, sidecar and ephemeral containers of a StatefulSet', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: s}', 'spec:', '  template:', '    spec:',
      '      securityContext: {capabilities: {drop: [ALL]}}',
      '      initContainers:', '      - {name: init}', '      - {name: side, restartPolicy: Always}',
      '      containers:', '      - {name: app, securityContext: {capabilities: {drop: [ALL]}}}',
      '      ephemeralContainers:', '      - {name: dbg}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => f.message.split(' does not')[0]), ['init container "init"', 'sidecar container "side"', 'ephemeral container "dbg"']);
  });

  it('skips Windows pods, where capabilities are forbidden', () => {
    assert.deepEqual(runRule(rule, pod('  os: {name: windows}\n  containers:\n  - {name: a}\n')).findings, []);
  });
});
