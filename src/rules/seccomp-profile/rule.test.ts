import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const RUNTIME_DEFAULT = '{seccompProfile: {type: RuntimeDefault}}';
const UNCONFINED = '{seccompProfile: {type: Unconfined}}';

/** A Deployment with optional pod and container security contexts written in flow style; init '' adds an init container without one. */
function deployment(options: { pod?: string; app?: string; init?: string; annotations?: string } = {}): string {
  return [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}', 'spec:', '  template:',
    ...(options.annotations ? ['    metadata:', `      annotations: ${options.annotations}`] : []),
    '    spec:',
    ...(options.pod ? [`      securityContext: ${options.pod}`] : []),
    ...(options.init !== undefined ? ['      initContainers:', `      - {name: setup, image: busybox${options.init ? `, securityContext: ${options.init}` : ''}}`] : []),
    '      containers:',
    `      - {name: app, image: nginx${options.app ? `, securityContext: ${options.app}` : ''}}`, '',
  ].join('\n');
}

describe('seccomp-profile', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports once per pod when no container has a profile, with a fix at pod level', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: x}\n  - {name: b, image: x}\n');
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.securityContext.seccompProfile.type');
    assert.equal(finding?.line, 4, 'the pod spec, nearest existing parent');
    assert.equal(finding?.container, undefined);
    assert.equal(finding?.message, 'pod sets no seccomp profile for container "a" and container "b", so they run Unconfined, able to make any system call, unless the kubelet enables seccompDefault');
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['spec', 'securityContext', 'seccompProfile', 'type'], value: 'RuntimeDefault' }]);
  });

  it('writes the fix into the pod template of a Deployment, beside existing settings', () => {
    const run = runRule(rule, deployment({ pod: '{runAsNonRoot: true}' }));
    assert.deepEqual(run.findings[0]?.edits, [{ op: 'set', path: ['spec', 'template', 'spec', 'securityContext', 'seccompProfile', 'type'], value: 'RuntimeDefault' }]);
    assert.equal(run.findings[0]?.line, 7, 'the existing securityContext');
  });

  it('lets a container profile override the pod profile in both directions', () => {
    assert.equal(runRule(rule, deployment({ pod: UNCONFINED, app: RUNTIME_DEFAULT })).findings.length, 0);
    const run = runRule(rule, deployment({ pod: RUNTIME_DEFAULT, app: UNCONFINED }));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.template.spec.containers[0].securityContext.seccompProfile.type');
    assert.equal(finding?.container, 'app');
    assert.match(finding?.message ?? '', /^container "app" sets seccompProfile type Unconfined, which switches seccomp off/);
    assert.equal(finding?.fixable, false, 'a chosen Unconfined is never changed automatically');
  });

  it('names only the containers that inherit when some set their own profile', () => {
    const run = runRule(rule, deployment({ init: RUNTIME_DEFAULT }));
    assert.equal(run.findings.length, 1);
    assert.match(run.findings[0]?.message ?? '', /for container "app", so it runs Unconfined/);
    assert.doesNotMatch(run.findings[0]?.message ?? '', /setup/);
    const initOnly = runRule(rule, deployment({ init: '', app: RUNTIME_DEFAULT }));
    assert.equal(initOnly.findings.length, 1);
    assert.match(initOnly.findings[0]?.message ?? '', /for init container "setup", so it runs/);
    assert.doesNotMatch(initOnly.findings[0]?.message ?? '', /"app"/);
  });

  it('reports an explicit pod-level Unconfined strongly and without a fix', () => {
    const run = runRule(rule, deployment({ pod: UNCONFINED }));
    assert.equal(run.findings.length, 1);
    assert.match(run.findings[0]?.message ?? '', /^pod sets seccompProfile type Unconfined, which switches seccomp off for container "app"/);
    assert.equal(run.findings[0]?.path, 'spec.template.spec.securityContext.seccompProfile.type');
    assert.equal(run.findings[0]?.edits, undefined);
  });

  it('rejects Localhost without a localhostProfile and unknown types, replacing the whole pod profile', () => {
    const localhost = runRule(rule, deployment({ pod: '{seccompProfile: {type: Localhost}}' }));
    assert.equal(localhost.findings[0]?.path, 'spec.template.spec.securityContext.seccompProfile.localhostProfile');
    assert.equal(localhost.findings[0]?.message, 'pod sets seccompProfile type Localhost without a localhostProfile, so the API server rejects it and container "app" gets no seccomp profile');
    assert.deepEqual(localhost.findings[0]?.edits, [{ op: 'set', path: ['spec', 'template', 'spec', 'securityContext', 'seccompProfile'], value: { type: 'RuntimeDefault' } }]);
    const legacy = runRule(rule, deployment({ pod: '{seccompProfile: {type: runtime/default}}' }));
    assert.match(legacy.findings[0]?.message ?? '', /type "runtime\/default", which is not RuntimeDefault, Localhost or Unconfined/);
    const container = runRule(rule, deployment({ pod: RUNTIME_DEFAULT, app: '{seccompProfile: {}}' }));
    assert.match(container.findings[0]?.message ?? '', /^container "app" sets a seccompProfile without a type/);
  });

  it('mentions deprecated annotations without counting them as a profile', () => {
    const run = runRule(rule, deployment({ annotations: '{seccomp.security.alpha.kubernetes.io/pod: runtime/default, container.seccomp.security.alpha.kubernetes.io/app: runtime/default}' }));
    assert.equal(run.findings.length, 1);
    assert.match(run.findings[0]?.message ?? '', /; the seccomp\.security\.alpha\.kubernetes\.io\/pod and container\.seccomp\.security\.alpha\.kubernetes\.io\/app annotations are deprecated and ignored since Kubernetes 1\.27$/);
    assert.equal(runRule(rule, deployment({ pod: RUNTIME_DEFAULT, annotations: '{seccomp.security.alpha.kubernetes.io/pod: unconfined}' })).findings.length, 0);
  });

  it('skips Windows pods, where seccomp does not exist', () => {
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  containers: [{name: app, image: x}]\n').findings.length, 0);
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: l}\nspec:\n  os: {name: linux}\n  containers: [{name: app, image: x}]\n').findings.length, 1);
  });

  it('covers ephemeral containers and CronJobs', () => {
    const run = runRule(rule, [
      'apiVersion: batch/v1', 'kind: CronJob', 'metadata: {name: c}', 'spec:', '  schedule: "@daily"', '  jobTemplate:', '    spec:', '      template:', '        spec:',
      `          securityContext: ${RUNTIME_DEFAULT}`,
      '          containers: [{name: job, image: busybox}]',
      `          ephemeralContainers: [{name: debug, image: busybox, securityContext: ${UNCONFINED}}]`, '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.path, f.containerType]), [
      ['spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.seccompProfile.type', 'ephemeralContainer'],
    ]);
  });
});
