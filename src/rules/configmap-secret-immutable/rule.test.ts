import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

describe('configmap-secret-immutable', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports a ConfigMap without immutable at info severity, with a fix that sets it', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n');
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'immutable');
    assert.equal(finding?.line, 1, 'the object itself, nearest existing parent');
    assert.equal(finding?.severity, 'info');
    assert.equal(finding?.message, 'ConfigMap "settings" does not set immutable: true, so its data can be changed under the pods that use it');
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['immutable'], value: true }]);
  });

  it('points at an explicit immutable: false', () => {
    const [finding] = runRule(rule, 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nimmutable: false\n').findings;
    assert.equal(finding?.line, 4);
    assert.equal(finding?.column, 1);
    assert.match(finding?.message ?? '', /^Secret "s" sets immutable: false/);
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['immutable'], value: true }]);
  });

  it('never puts Secret data into a finding', () => {
    const secret = 'c3VwZXItc2VjcmV0';
    const plain = 'super-secret-plain';
    const run = runRule(rule, `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: ${secret}\nstringData:\n  token: ${plain}\n`);
    assert.equal(run.findings.length, 1);
    const text = JSON.stringify(run.findings);
    assert.equal(text.includes(secret) || text.includes(plain) || text.includes('password') || text.includes('token'), false);
  });

  it('reads YAML 1.1 booleans as Kubernetes does and rejects a quoted "true"', () => {
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: on\n').findings.length, 0);
    const quoted = runRule(rule, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: "true"\n').findings;
    assert.match(quoted[0]?.message ?? '', /sets immutable to "true", which is not the boolean true/);
  });

  it('skips service account token Secrets, which their controller fills in', () => {
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/service-account-token\n').findings.length, 0);
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/dockerconfigjson\n').findings.length, 1);
  });

  it('covers ConfigMaps and Secrets inside a List, and ignores other kinds and API groups', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: c}}\n');
    assert.deepEqual(run.findings.map((f) => [f.object.kind, f.path, f.line]), [['ConfigMap', 'immutable', 4], ['Secret', 'immutable', 5]], 'paths are relative to each item; lines point into the List');
    assert.equal(runRule(rule, 'apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: x}\n').findings.length, 0);
  });
});
