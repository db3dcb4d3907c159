import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule, { DANGEROUS_CAPABILITIES } from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';
import { emptyConfig } from '../../core/config.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;
const adding = (list: string, image = 'myapp:1') => pod(`  containers:\n  - name: a\n    image: ${image}\n    securityContext:\n      capabilities:\n        drop: [ALL]\n        add: [${list}]\n`);

describe('no-added-capabilities', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports one finding per added capability at its list item', () => {
    const run = runRule(rule, adding('NET_BIND_SERVICE, CHOWN, CAP_SYS_ADMIN'));
    assert.deepEqual(run.findings.map((f) => [f.path, f.line, f.column, f.severity]), [
      ['spec.containers[0].securityContext.capabilities.add[1]', 11, 33, 'warning'],
      ['spec.containers[0].securityContext.capabilities.add[2]', 11, 40, 'error'],
    ]);
    assert.equal(run.findings[0]?.message, 'container "a" adds capability CHOWN, beyond the NET_BIND_SERVICE an immutable container may add');
    assert.equal(run.findings[1]?.message, 'container "a" adds capability CAP_SYS_ADMIN, which lets a process mount filesystems and remount the root filesystem writable, and underlies many container escapes');
    assert.equal(run.findings[1]?.fixable, false);
  });

  it('treats every spelling of a dangerous capability as the same error', () => {
    for (const spelling of ['SYS_ADMIN', 'CAP_SYS_ADMIN', 'sys_admin', 'Cap_Sys_Admin', 'ALL', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'BPF', 'PERFMON', 'SYS_RAWIO']) {
      const run = runRule(rule, adding(spelling));
      assert.equal(run.findings[0]?.severity, 'error', spelling);
    }
    for (const spelling of ['NET_BIND_SERVICE', 'CAP_NET_BIND_SERVICE', 'net_bind_service']) {
      assert.deepEqual(runRule(rule, adding(spelling)).findings, [], spelling);
    }
    assert.ok(DANGEROUS_CAPABILITIES.get('SYS_ADMIN')?.includes('remount the root filesystem writable'));
  });

  it('lowers capabilities the knowledge base says the image needs to info, and says so', () => {
    const run = runRule(rule, adding('CHOWN, NET_ADMIN', 'nginx:1.25'));
    assert.deepEqual(run.findings.map((f) => f.severity), ['info', 'error']);
    assert.equal(run.findings[0]?.message, 'container "a" adds capability CHOWN; image nginx:1.25 needs it once ALL are dropped, per the rootlock knowledge base');
    assert.match(run.findings[0]?.hint ?? '', /^keep it only with drop: \[ALL\]/);
  });

  it('keeps a needed dangerous capability a warning, not an error', () => {
    const config = emptyConfig();
    config.images.push({ id: 'fuse', images: ['example.com/fuse'], writablePaths: [], capabilities: ['SYS_ADMIN'], sources: ['test'], verified: true });
    const run = runRule(rule, adding('CAP_SYS_ADMIN', 'example.com/fuse:1'), { config });
    assert.equal(run.findings[0]?.severity, 'warning');
    assert.match(run.findings[0]?.message ?? '', /remount the root filesystem writable.*; image example\.com\/fuse:1 needs it once ALL are dropped/);
  });

  it('lets the config override the severity', () => {
    const config = emptyConfig();
    config.severities.set('no-added-capabilities', 'info');
    assert.equal(runRule(rule, adding('SYS_ADMIN'), { config }).findings[0]?.severity, 'info');
  });

  it('ignores pod-level capabilities and non-string entries, and covers sidecars and ephemeral containers in a CronJob', () => {
    const run = runRule(rule, [
      'apiVersion: batch/v1', 'kind: CronJob', 'metadata: {name: c}', 'spec:', '  schedule: "@daily"', '  jobTemplate:', '    spec:', '      template:', '        spec:',
      '          securityContext: {capabilities: {add: [SYS_ADMIN]}}',
      '          initContainers:', '          - {name: side, restartPolicy: Always, securityContext: {capabilities: {add: [NET_RAW, 7]}}}',
      '          containers:', '          - {name: job}',
      '          ephemeralContainers:', '          - {name: dbg, securityContext: {capabilities: {add: [SYS_PTRACE]}}}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.message.split(' adds')[0], f.path]), [
      ['sidecar container "side"', 'spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.capabilities.add[0]'],
      ['ephemeral container "dbg"', 'spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.capabilities.add[0]'],
    ]);
  });
});
