// Gatekeeper's own CLI (`gator verify`, built by test/policy/build-gator.sh)
// on suites generated from the case table: the generated ConstraintTemplates
// and Constraints, every case object, and rootlock audit's verdict as the
// expected violations. gator runs the templates through Gatekeeper's
// constraint framework (its Rego v0 parser, its match criteria, its input
// shape), which the opa test only imitates.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import { gatekeeperPolicies } from '../../src/policy/gatekeeper.js';
import { policyCases, type PolicyCase } from './cases.js';
import { builtTool } from './tools.js';
import { rootlockVerdicts } from './verdicts.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

type Json = Record<string, unknown>;

/** The ConstraintTemplate and Constraint gatekeeperPolicies generates for each rule, with these exempt images. */
function policiesByRule(exemptImages: string[]): Map<string, { template: Json; constraint: Json }> {
  const docs = gatekeeperPolicies({ checks: ADMISSION_CHECKS, namespaces: [], excludeNamespaces: [], exemptImages, action: 'deny' });
  const out = new Map<string, { template: Json; constraint: Json }>();
  for (let i = 0; i < docs.length; i += 2) {
    const template = docs[i]?.object;
    const constraint = docs[i + 1]?.object;
    assert.ok(template && constraint && template['kind'] === 'ConstraintTemplate', 'templates and constraints alternate');
    const rule = String(((template['metadata'] as Json)['annotations'] as Json)['rootlock.dev/rule']);
    out.set(rule, { template, constraint });
  }
  return out;
}

describe('generated Gatekeeper policies in the real gator agree with rootlock audit', () => {
  it('gator verify: every case, every rule', () => {
    const cases = policyCases();
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-gator-'));
    try {
      mkdirSync(join(dir, 'objects'));
      for (const c of cases) writeFileSync(join(dir, 'objects', `${c.name}.yaml`), stringify(c.object));
      // One policy set per distinct exempt-images parameter; most cases have none.
      const groups = new Map<string, PolicyCase[]>();
      for (const c of cases) {
        const key = JSON.stringify(c.exemptImages ?? []);
        groups.set(key, [...(groups.get(key) ?? []), c]);
      }
      const tests: Json[] = [];
      let expectations = 0;
      let violations = 0;
      [...groups].forEach(([key, members], group) => {
        for (const [rule, { template, constraint }] of policiesByRule(JSON.parse(key) as string[])) {
          const templateFile = `template-${rule}.yaml`;
          const constraintFile = `constraint-${group}-${rule}.yaml`;
          writeFileSync(join(dir, templateFile), stringify(template));
          writeFileSync(join(dir, constraintFile), stringify(constraint));
          tests.push({
            name: `${rule}-${group}`,
            template: templateFile,
            constraint: constraintFile,
            cases: members.map((c) => {
              const fails = rootlockVerdicts(c, [rule]).get(rule) === true;
              expectations++;
              if (fails) violations++;
              return { name: c.name, object: `objects/${c.name}.yaml`, assertions: [{ violations: fails ? 'yes' : 'no' }] };
            }),
          });
        }
      });
      assert.ok(expectations >= 60 * ADMISSION_CHECKS.length, `only ${expectations} expectations`);
      assert.ok(violations >= 3 * ADMISSION_CHECKS.length, `only ${violations} expected violations`);
      writeFileSync(join(dir, 'suite.yaml'), stringify({ kind: 'Suite', apiVersion: 'test.gatekeeper.sh/v1alpha1', metadata: { name: 'rootlock' }, tests }));
      const run = spawnSync(builtTool('gator'), ['verify', '-v', join(dir, 'suite.yaml')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const failures = run.stdout.split('\n').filter((line) => /--- FAIL/.test(line) || /^\s+(got|want|Error)/i.test(line));
      assert.equal(run.status, 0, `gator verify failed:\n${failures.slice(0, 80).join('\n')}\n${run.stderr.slice(0, 2000)}`);
      // Every case ran: gator prints one PASS line per case and one per test.
      const passed = (run.stdout.match(/--- PASS: /g) ?? []).length;
      assert.equal(passed, expectations + tests.length, run.stdout.slice(-2000));
    } finally {
      if (process.env['ROOTLOCK_KEEP_GATOR'] === undefined) rmSync(dir, { recursive: true, force: true });
      else process.stderr.write(`kept ${dir}\n`);
    }
  });
});
