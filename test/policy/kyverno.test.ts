// The generated Kyverno ValidatingPolicies in the real Kyverno CLI
// (`kyverno test`, built by test/policy/build-kyverno.sh): for every case and
// every rule, Kyverno's result is rootlock audit's verdict (fail / pass), or
// skip where a rootlock.dev/ignore annotation waives the rule for the whole
// object (the policy's matchCondition).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { annotationExemption } from '../../src/core/exemptions.js';
import { BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from '../../src/core/workloads.js';
import { ADMISSION_CHECKS } from '../../src/policy/checks/index.js';
import { kyvernoPolicies } from '../../src/policy/kyverno.js';
import { builtTool } from './tools.js';
import { policyCases, type PolicyCase } from './cases.js';
import { rootlockVerdicts } from './verdicts.js';

function ruleWaived(c: PolicyCase, rule: string): boolean {
  const workload = workloadOf(c.object, BUILTIN_POD_SPEC_LOCATIONS);
  return annotationExemption([c.object['metadata'], workload?.podMetadata], rule, undefined) !== undefined;
}

describe('generated Kyverno ValidatingPolicies in the real Kyverno CLI agree with rootlock audit', () => {
  it('kyverno test: every case, every rule', () => {
    const cases = policyCases().filter((c) => !c.apiInvalid && !c.exemptImages);
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-kyverno-'));
    try {
      const policies = kyvernoPolicies({ checks: ADMISSION_CHECKS, namespaces: [], excludeNamespaces: [], exemptImages: [], action: 'audit' });
      writeFileSync(join(dir, 'policies.yaml'), policies.map((p) => stringify(p.object)).join('---\n'));
      writeFileSync(join(dir, 'resources.yaml'), cases.map((c) => stringify(c.object)).join('---\n'));
      const results = [];
      let expectations = 0;
      for (const check of ADMISSION_CHECKS) {
        const kinds = check.scope === 'object' ? check.kinds.flatMap((k) => k.kinds) : ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];
        for (const kind of kinds) {
          const byResult = new Map<string, string[]>();
          for (const c of cases.filter((x) => x.object['kind'] === kind)) {
            const result = ruleWaived(c, check.rule) ? 'skip' : rootlockVerdicts(c, [check.rule]).get(check.rule) ? 'fail' : 'pass';
            byResult.set(result, [...(byResult.get(result) ?? []), c.name]);
            expectations++;
          }
          for (const [result, resources] of byResult) {
            results.push({ kind, policy: `rootlock-${check.rule}`, resources, result, isValidatingPolicy: true });
          }
        }
      }
      assert.ok(expectations >= 60 * 10, `only ${expectations} expectations`);
      writeFileSync(join(dir, 'kyverno-test.yaml'), stringify({
        apiVersion: 'cli.kyverno.io/v1alpha1', kind: 'Test', metadata: { name: 'rootlock' },
        policies: ['policies.yaml'], resources: ['resources.yaml'], results,
      }));
      const run = spawnSync(builtTool('kyverno'), ['test', dir, '--remove-color', '--fail-only'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(run.status, 0, `kyverno test failed:\n${run.stdout}\n${run.stderr}`);
      // Every expectation was checked (kyverno counts one test per resource of each result).
      assert.match(run.stdout, new RegExp(`Test Summary: 0 out of ${expectations} tests failed`), run.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
