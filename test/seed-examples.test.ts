// Every example of the seed document, with the verdicts the document implies.
// The expectations are written from the document's own words (which pods it
// calls immutable, which it says fail), not copied from rootlock's output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { runRules } from './helpers/rule-tester.js';
import { seedExamplesDir } from './helpers/repo.js';

const EXAMPLES = seedExamplesDir();

// Rules every pod of the seed fails unless it says otherwise: the basic
// examples stop at readOnlyRootFilesystem and do not pin digests, drop
// capabilities, set limits, seccomp or token automount.
const HARDENING_GAPS = ['drop-all-capabilities', 'image-pinned-by-digest', 'no-service-account-token-automount', 'resource-limits', 'seccomp-profile'];

const expected: Record<string, Record<string, string[]>> = {
  // Its WARNING: nginx fails like this without writable directories.
  '01-immutable-pod.yaml': { 'Pod/immutable-pod': ['writable-paths-mounted', 'run-as-non-root', 'no-privilege-escalation', ...HARDENING_GAPS] },
  // Read-only with the emptyDirs nginx writes to (and /var/log/nginx, for file logs); it keeps running as root on purpose.
  '02-immutable-nginx.yaml': { 'Pod/immutable-nginx': ['run-as-non-root', ...HARDENING_GAPS] },
  '03-immutable-python-app.yaml': { 'Pod/immutable-python-app': [...HARDENING_GAPS] },
  // The password comes from a secretKeyRef, the config file from a ConfigMap.
  '04-immutable-configured-app.yaml': { 'Pod/immutable-configured-app': [...HARDENING_GAPS] },
  // The init container that copies defaults is itself not read-only.
  '05-immutable-with-init.yaml': { 'Pod/immutable-with-init': ['read-only-root-filesystem', 'run-as-non-root', 'no-privilege-escalation', ...HARDENING_GAPS] },
  // 64Mi memory-backed /tmp; no container memory limit to exceed.
  '06-immutable-memory-tmp.yaml': { 'Pod/immutable-memory-tmp': ['run-as-non-root', 'no-privilege-escalation', ...HARDENING_GAPS] },
  // enforce: restricted.
  '07-namespace-psa.yaml': { 'Namespace/production': [] },
  '08-gatekeeper-template.yaml': { 'ConstraintTemplate/k8srequirereadonlyrootfilesystem': [], 'K8sRequireReadOnlyRootFilesystem/require-readonly-rootfs': [] },
  // "This pod should be rejected".
  '09-mutable-pod-rejected.yaml': { 'Pod/mutable-pod': ['read-only-root-filesystem', 'run-as-non-root', 'no-privilege-escalation', ...HARDENING_GAPS] },
  // Gatekeeper accepts it, but nginx still cannot write its pid and cache: rootlock says so.
  '10-immutable-pod-accepted.yaml': { 'Pod/immutable-pod': ['writable-paths-mounted', 'run-as-non-root', 'no-privilege-escalation', ...HARDENING_GAPS] },
  // Everything right; `sha256:abc123...` is the document's placeholder, not a digest.
  '11-fully-immutable-app.yaml': { 'Pod/fully-immutable-app': ['image-pinned-by-digest'] },
};

describe('the CKS study guide\'s examples', () => {
  for (const [file, objects] of Object.entries(expected)) {
    it(`${file} has the verdicts the guide describes`, () => {
      const run = runRules(RULES, readFileSync(join(EXAMPLES, file), 'utf8'), { file });
      assert.deepEqual(run.errors, []);
      const actual: Record<string, string[]> = {};
      for (const key of Object.keys(objects)) actual[key] = [];
      for (const finding of run.findings) {
        if (finding.exempted) continue;
        const key = `${finding.object.kind}/${finding.object.name}`;
        (actual[key] ??= []).push(finding.rule);
      }
      for (const key of Object.keys(actual)) actual[key] = [...new Set(actual[key])].sort();
      const wanted = Object.fromEntries(Object.entries(objects).map(([k, v]) => [k, [...new Set(v)].sort()]));
      assert.deepEqual(actual, wanted);
    });
  }

  it('12-falco-write-below-binary-dir.yaml is not a Kubernetes object: skipped with a notice', () => {
    const run = runRules(RULES, readFileSync(join(EXAMPLES, '12-falco-write-below-binary-dir.yaml'), 'utf8'), { file: '12.yaml' });
    assert.equal(run.findings.length, 0);
    assert.equal(run.errors.length, 0);
    assert.deepEqual(run.notices.map((n) => n.code), ['not-kubernetes']);
  });

  it('names the nginx paths that are not writable in the accepted pod', () => {
    const run = runRules(RULES, readFileSync(join(EXAMPLES, '10-immutable-pod-accepted.yaml'), 'utf8'));
    const finding = run.findings.find((f) => f.rule === 'writable-paths-mounted' && f.severity === 'error');
    assert.ok(finding, 'writable-paths-mounted must fire');
    for (const path of ['/var/run', '/var/cache/nginx']) assert.match(finding.message, new RegExp(path.replace(/\//g, '\\/')));
    assert.doesNotMatch(finding.message, /\/tmp\b/, '/tmp is mounted in this pod');
  });
});
