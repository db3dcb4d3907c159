import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

describe('read-only-root-filesystem', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports the exact field path and position', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      readOnlyRootFilesystem: false\n');
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].securityContext.readOnlyRootFilesystem');
    assert.equal(finding?.line, 9);
    assert.equal(finding?.column, 7);
    assert.equal(finding?.fixable, true);
  });

  it('treats YAML 1.1 yes/on as true, like the Kubernetes decoder', () => {
    for (const value of ['yes', 'Yes', 'on', 'ON', 'y', 'true', 'True']) {
      const run = runRule(rule, `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: ${value}}\n`);
      assert.equal(run.findings.length, 0, value);
    }
  });

  it('reports a quoted "true" as a type error and as writable', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext: {readOnlyRootFilesystem: "true"}\n');
    assert.equal(run.findings.length, 1);
    assert.equal(run.errors.length, 1);
    assert.equal(run.errors[0]?.code, 'invalid-field-type');
  });

  it('skips Windows pods, where the API server forbids the field', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: windows}\n  containers:\n  - name: a\n');
    assert.equal(run.findings.length, 0);
  });

  it('ignores readOnlyRootFilesystem set at pod level, as Kubernetes does', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {readOnlyRootFilesystem: true}\n  containers:\n  - name: a\n');
    assert.equal(run.findings.length, 1);
  });
});
