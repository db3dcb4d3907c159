import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function pod(image: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: ${image}\n`;
}

describe('image-pinned-by-digest', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports an untagged image at its exact path and position, naming the implicit :latest', () => {
    const run = runRule(rule, pod('nginx'));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].image');
    assert.equal(finding?.line, 7);
    assert.equal(finding?.column, 5);
    assert.equal(finding?.container, 'app');
    assert.equal(finding?.containerType, 'container');
    assert.match(finding?.message ?? '', /^container "app" uses "nginx" without a tag or digest, which means :latest/);
    assert.equal(finding?.severity, 'warning');
  });

  it('says :latest when the tag is latest, and "tag only" for any other tag, with a hint for that image', () => {
    const latest = runRule(rule, pod('nginx:latest')).findings[0];
    assert.match(latest?.message ?? '', /:latest is a tag that moves/);
    assert.equal(latest?.hint, 'choose a version and pin it by digest: nginx:<version>@sha256:<64 hex digits>');
    assert.equal(runRule(rule, pod('nginx')).findings[0]?.hint, latest?.hint);
    const tagged = runRule(rule, pod('python:3.11-slim')).findings[0];
    assert.match(tagged?.message ?? '', /pinned by tag only/);
    assert.doesNotMatch(tagged?.message ?? '', /latest/);
    assert.equal(tagged?.hint, 'pin it as python:3.11-slim@sha256:<64 hex digits>, the digest your registry reports for that tag');
  });

  it('treats a registry port as part of the name, not as a tag', () => {
    assert.match(runRule(rule, pod('localhost:5000/app')).findings[0]?.message ?? '', /without a tag or digest/);
    assert.equal(runRule(rule, pod(`localhost:5000/app@${DIGEST}`)).findings.length, 0);
  });

  it('accepts only a full lowercase sha256 digest', () => {
    assert.equal(runRule(rule, pod(`nginx:1.25@${DIGEST}`)).findings.length, 0);
    for (const digest of ['sha256:abc123', DIGEST.toUpperCase().replace('SHA256', 'sha256'), `sha512:${'ab'.repeat(64)}`, `${DIGEST}0`]) {
      const run = runRule(rule, pod(`nginx@${digest}`));
      assert.equal(run.findings.length, 1, digest);
      assert.match(run.findings[0]?.message ?? '', /not a full sha256 digest/, digest);
      assert.equal(run.findings[0]?.hint, 'replace the digest with the full one: nginx@sha256:<64 hex digits>', digest);
    }
  });

  it('reports references the API server would reject as invalid', () => {
    for (const image of ['"nginx :1.25"', `" nginx@${DIGEST}"`, '"@sha256:abc"', `"@${DIGEST}"`, '":1.25"', '"nginx:"']) {
      const run = runRule(rule, pod(image));
      assert.equal(run.findings.length, 1, image);
      assert.match(run.findings[0]?.message ?? '', /which is not a valid image reference$/, image);
    }
  });

  it('reports a missing image at the container, where the field belongs', () => {
    const run = runRule(rule, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    command: ["true"]\n');
    assert.equal(run.findings.length, 1);
    assert.equal(run.findings[0]?.path, 'spec.containers[0].image');
    assert.equal(run.findings[0]?.line, 6);
    assert.match(run.findings[0]?.message ?? '', /^container "app" has no image/);
  });

  it('checks init and ephemeral containers of a CronJob, naming their type', () => {
    const run = runRule(rule, [
      'apiVersion: batch/v1', 'kind: CronJob', 'metadata: {name: c}', 'spec:', '  schedule: "@daily"', '  jobTemplate:', '    spec:', '      template:', '        spec:',
      '          initContainers: [{name: init, image: busybox}]',
      `          containers: [{name: job, image: "busybox@${DIGEST}"}]`,
      '          ephemeralContainers: [{name: debug, image: "busybox:1.36"}]', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.path, f.containerType]), [
      ['spec.jobTemplate.spec.template.spec.initContainers[0].image', 'initContainer'],
      ['spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image', 'ephemeralContainer'],
    ]);
    assert.match(run.findings[0]?.message ?? '', /^init container "init"/);
    assert.match(run.findings[1]?.message ?? '', /^ephemeral container "debug"/);
  });

  it('offers no fix: digests are resolved through a registry by the fix engine', () => {
    const [finding] = runRule(rule, pod('nginx:1.25')).findings;
    assert.equal(finding?.fixable, false);
    assert.equal(finding?.edits, undefined);
    assert.equal(rule.fixable, false);
  });
});
