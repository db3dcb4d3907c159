// The generated Kyverno ValidatingPolicies and --legacy ClusterPolicies in the
// real Kyverno CLI (`kyverno test`, built by test/policy/build-kyverno.sh): for
// every case and every rule, Kyverno's result is rootlock audit's verdict
// (fail / pass), or skip where a rootlock.dev/ignore annotation waives the
// rule for the whole object (the policy's matchCondition, the ClusterPolicy's
// celPrecondition).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { annotationExemption } from '../../src/core/exemptions.js';
import { BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from '../../src/core/workloads.js';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import { kyvernoLegacyPolicies, kyvernoPolicies } from '../../src/policy/kyverno.js';
import type { GeneratedDocument } from '../../src/policy/options.js';
import { builtTool } from './tools.js';
import { policyCases, type PolicyCase } from './cases.js';
import { rootlockVerdicts } from './verdicts.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

function ruleWaived(c: PolicyCase, rule: string): boolean {
  const workload = workloadOf(c.object, BUILTIN_POD_SPEC_LOCATIONS);
  return annotationExemption([c.object['metadata'], workload?.podMetadata], rule, undefined) !== undefined;
}

const POD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];

/**
 * One `kyverno test` of these policies on every case, expecting rootlock's
 * verdict per rule; `legacy` names each ClusterPolicy's rule in the results.
 */
function kyvernoTest(policies: readonly GeneratedDocument[], legacy: boolean): void {
  const cases = policyCases().filter((c) => !c.apiInvalid && !c.exemptImages);
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-kyverno-'));
  try {
    writeFileSync(join(dir, 'policies.yaml'), policies.map((p) => stringify(p.object)).join('---\n'));
    writeFileSync(join(dir, 'resources.yaml'), cases.map((c) => stringify(c.object)).join('---\n'));
    const results = [];
    let expectations = 0;
    for (const check of ADMISSION_CHECKS) {
      const kinds = check.scope === 'object' ? check.kinds.flatMap((k) => k.kinds) : POD_KINDS;
      for (const kind of kinds) {
        const byResult = new Map<string, string[]>();
        for (const c of cases.filter((x) => x.object['kind'] === kind)) {
          const result = ruleWaived(c, check.rule) ? 'skip' : rootlockVerdicts(c, [check.rule]).get(check.rule) ? 'fail' : 'pass';
          byResult.set(result, [...(byResult.get(result) ?? []), c.name]);
          expectations++;
        }
        for (const [result, resources] of byResult) {
          results.push(legacy
            ? { kind, policy: `rootlock-${check.rule}`, rule: check.rule, resources, result }
            : { kind, policy: `rootlock-${check.rule}`, resources, result, isValidatingPolicy: true });
        }
      }
    }
    assert.ok(expectations >= 60 * 10, `only ${expectations} expectations`);
    writeFileSync(join(dir, 'kyverno-test.yaml'), stringify({
      apiVersion: 'cli.kyverno.io/v1alpha1', kind: 'Test', metadata: { name: 'rootlock' },
      policies: ['policies.yaml'], resources: ['resources.yaml'], results,
    }));
    const run = spawnSync(builtTool('kyverno'), ['test', dir, '--remove-color', '--fail-only'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, `kyverno test failed:\n${run.stdout.slice(0, 20000)}\n${run.stderr.slice(0, 4000)}`);
    // Every expectation was checked (kyverno counts one test per resource of each result).
    assert.match(run.stdout, new RegExp(`Test Summary: 0 out of ${expectations} tests failed`), run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const OPTIONS = { checks: ADMISSION_CHECKS, namespaces: [], excludeNamespaces: [], exemptImages: [], action: 'audit' } as const;

describe('generated Kyverno policies in the real Kyverno CLI agree with rootlock audit', () => {
  it('kyverno test, ValidatingPolicy: every case, every rule', () => {
    kyvernoTest(kyvernoPolicies(OPTIONS), false);
  });

  it('kyverno test, --legacy ClusterPolicy: every case, every rule', () => {
    kyvernoTest(kyvernoLegacyPolicies(OPTIONS), true);
  });
});
