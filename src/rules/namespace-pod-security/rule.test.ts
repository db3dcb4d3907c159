import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule, { ENFORCE_LABEL, ENFORCE_VERSION_LABEL } from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

function namespace(labels: Record<string, string>): string {
  const lines = Object.entries(labels).map(([key, value]) => `    ${key}: ${value}`);
  return ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: ns', ...(lines.length ? ['  labels:', ...lines] : []), ''].join('\n');
}

describe('namespace-pod-security', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports a missing enforce label at its path and fixes it with restricted and latest', () => {
    const run = runRule(rule, namespace({}));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'metadata.labels["pod-security.kubernetes.io/enforce"]');
    assert.equal(finding?.line, 3, 'metadata, the nearest existing parent');
    assert.equal(finding?.severity, 'warning');
    assert.equal(finding?.object.kind, 'Namespace');
    assert.equal(finding?.container, undefined);
    assert.deepEqual(finding?.edits, [
      { op: 'set', path: ['metadata', 'labels', ENFORCE_LABEL], value: 'restricted' },
      { op: 'set', path: ['metadata', 'labels', ENFORCE_VERSION_LABEL], value: 'latest' },
    ]);
  });

  it('leaves an existing enforce-version alone when adding the enforce label', () => {
    const [finding] = runRule(rule, namespace({ [ENFORCE_VERSION_LABEL]: 'v1.29' })).findings;
    assert.deepEqual(finding?.edits, [{ op: 'set', path: ['metadata', 'labels', ENFORCE_LABEL], value: 'restricted' }]);
  });

  it('accepts restricted with latest, vX.Y or no version', () => {
    for (const version of [undefined, 'latest', 'v1.30', '"v1.9"']) {
      const labels: Record<string, string> = { [ENFORCE_LABEL]: 'restricted' };
      if (version) labels[ENFORCE_VERSION_LABEL] = version;
      assert.equal(runRule(rule, namespace(labels)).findings.length, 0, String(version));
    }
  });

  it('nudges baseline toward restricted at info severity, without a fix', () => {
    const [finding] = runRule(rule, namespace({ [ENFORCE_LABEL]: 'baseline' })).findings;
    assert.equal(finding?.severity, 'info');
    assert.equal(finding?.line, 6);
    assert.match(finding?.message ?? '', /enforces the baseline Pod Security Standard/);
    assert.equal(finding?.fixable, false);
  });

  it('reports privileged and unknown levels as warnings, without a fix', () => {
    const privileged = runRule(rule, namespace({ [ENFORCE_LABEL]: 'privileged' })).findings[0];
    assert.equal(privileged?.severity, 'warning');
    assert.match(privileged?.message ?? '', /admits any pod/);
    assert.equal(privileged?.fixable, false);
    for (const value of ['Restricted', 'strict', '""', 'true']) {
      const finding = runRule(rule, namespace({ [ENFORCE_LABEL]: value })).findings[0];
      assert.match(finding?.message ?? '', /which is not one of privileged, baseline, restricted/, value);
      assert.equal(finding?.fixable, false, value);
    }
  });

  it('reports enforce-version values that are neither latest nor vX.Y, at their own path', () => {
    for (const version of ['"1.30"', 'v1', 'v1.30.2', 'Latest', '1.3']) {
      const run = runRule(rule, namespace({ [ENFORCE_LABEL]: 'restricted', [ENFORCE_VERSION_LABEL]: version }));
      assert.equal(run.findings.length, 1, version);
      assert.equal(run.findings[0]?.path, 'metadata.labels["pod-security.kubernetes.io/enforce-version"]');
      assert.equal(run.findings[0]?.line, 7);
    }
  });

  it('reports both a missing level and a bad version', () => {
    const run = runRule(rule, namespace({ [ENFORCE_VERSION_LABEL]: 'v1' }));
    assert.deepEqual(run.findings.map((f) => f.path), [
      'metadata.labels["pod-security.kubernetes.io/enforce"]',
      'metadata.labels["pod-security.kubernetes.io/enforce-version"]',
    ]);
  });

  it('looks only at core v1 Namespaces', () => {
    assert.equal(runRule(rule, 'apiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: x}\n').findings.length, 0);
    assert.equal(runRule(rule, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n').findings.length, 0);
  });
});
