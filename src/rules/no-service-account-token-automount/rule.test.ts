import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

function serviceAccount(name: string, automount: string | undefined, namespace?: string): string {
  return [
    'apiVersion: v1', 'kind: ServiceAccount', 'metadata:', `  name: ${name}`, ...(namespace ? [`  namespace: ${namespace}`] : []),
    ...(automount === undefined ? [] : [`automountServiceAccountToken: ${automount}`]), '',
  ].join('\n');
}

function deployment(options: { namespace?: string; serviceAccountName?: string; serviceAccount?: string; automount?: string } = {}): string {
  return [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', ...(options.namespace ? [`  namespace: ${options.namespace}`] : []),
    'spec:', '  template:', '    spec:',
    ...(options.serviceAccountName ? [`      serviceAccountName: ${options.serviceAccountName}`] : []),
    ...(options.serviceAccount ? [`      serviceAccount: ${options.serviceAccount}`] : []),
    ...(options.automount !== undefined ? [`      automountServiceAccountToken: ${options.automount}`] : []),
    '      containers:', '        - name: web', '          image: nginx:1.25', '',
  ].join('\n');
}

const both = (...docs: string[]) => docs.join('---\n');

describe('no-service-account-token-automount', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports an unset field at the pod template path, with a fix that sets it to false', () => {
    const run = runRule(rule, deployment());
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.template.spec.automountServiceAccountToken');
    assert.equal(finding?.line, 7, 'points at the pod spec, the nearest existing parent');
    assert.equal(finding?.container, undefined);
    assert.match(finding?.message ?? '', /ServiceAccount "default"/);
    assert.equal(finding?.fixable, true);
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['spec', 'template', 'spec', 'automountServiceAccountToken'], value: false }]);
  });

  it('is satisfied by a ServiceAccount in the input that disables automount, before or after the workload', () => {
    assert.equal(runRule(rule, both(serviceAccount('app', 'false', 'shop'), deployment({ namespace: 'shop', serviceAccountName: 'app' }))).findings.length, 0);
    assert.equal(runRule(rule, both(deployment({ namespace: 'shop', serviceAccountName: 'app' }), serviceAccount('app', 'false', 'shop'))).findings.length, 0);
  });

  it('reads the deprecated serviceAccount field and falls back to "default"', () => {
    assert.equal(runRule(rule, both(serviceAccount('legacy', 'false'), deployment({ serviceAccount: 'legacy' }))).findings.length, 0);
    assert.equal(runRule(rule, both(serviceAccount('default', 'false'), deployment())).findings.length, 0);
    assert.equal(runRule(rule, both(serviceAccount('default', 'false'), deployment({ serviceAccountName: 'other' }))).findings.length, 1);
  });

  it('matches the ServiceAccount only in the same namespace, and a missing namespace only with a missing one', () => {
    assert.equal(runRule(rule, both(serviceAccount('app', 'false', 'a'), deployment({ namespace: 'b', serviceAccountName: 'app' }))).findings.length, 1);
    assert.equal(runRule(rule, both(serviceAccount('app', 'false'), deployment({ namespace: 'b', serviceAccountName: 'app' }))).findings.length, 1);
    assert.equal(runRule(rule, both(serviceAccount('app', 'false', 'a'), deployment({ serviceAccountName: 'app' }))).findings.length, 1);
  });

  it('still reports when the ServiceAccount leaves automount on or unset', () => {
    assert.equal(runRule(rule, both(serviceAccount('app', 'true'), deployment({ serviceAccountName: 'app' }))).findings.length, 1);
    assert.equal(runRule(rule, both(serviceAccount('app', undefined), deployment({ serviceAccountName: 'app' }))).findings.length, 1);
  });

  it('lets the pod setting override the ServiceAccount in both directions', () => {
    const on = runRule(rule, both(serviceAccount('app', 'false'), deployment({ serviceAccountName: 'app', automount: 'true' })));
    assert.equal(on.findings.length, 1);
    assert.match(on.findings[0]?.message ?? '', /sets automountServiceAccountToken: true/);
    assert.equal(on.findings[0]?.line, 15, 'the pod spec field, after the 6 lines of the ServiceAccount document');
    assert.equal(runRule(rule, both(serviceAccount('app', 'true'), deployment({ serviceAccountName: 'app', automount: 'false' }))).findings.length, 0);
  });

  it('reads YAML 1.1 booleans as Kubernetes does, and a quoted "false" as not false', () => {
    assert.equal(runRule(rule, deployment({ automount: 'no' })).findings.length, 0);
    assert.equal(runRule(rule, deployment({ automount: 'off' })).findings.length, 0);
    const quoted = runRule(rule, deployment({ automount: '"false"' }));
    assert.equal(quoted.findings.length, 1);
    assert.match(quoted.findings[0]?.message ?? '', /not the boolean false/);
    assert.equal(quoted.errors[0]?.code, 'invalid-field-type');
  });

  it('covers CronJobs at their nested pod template', () => {
    const run = runRule(rule, 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "@daily"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: job, image: busybox}]\n');
    assert.equal(run.findings[0]?.path, 'spec.jobTemplate.spec.template.spec.automountServiceAccountToken');
  });

  it('ignores objects that are not workloads, ServiceAccounts included', () => {
    assert.equal(runRule(rule, serviceAccount('app', 'true')).findings.length, 0);
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n').findings.length, 0);
  });
});
