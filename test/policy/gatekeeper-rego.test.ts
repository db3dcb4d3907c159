// Differential test: the generated Gatekeeper Rego, evaluated by a real opa,
// gives the same verdict as rootlock audit on every case, for every rule that
// has an admission check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import { apiGroup } from '../../src/core/workloads.js';
import { policyCases } from './cases.js';
import { checkRego, evaluateRego, type GatekeeperInput } from './opa.js';
import { rootlockVerdicts } from './verdicts.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

const RULES = ADMISSION_CHECKS.map((check) => check.rule);

function gatekeeperInput(object: Record<string, unknown>, exemptImages: string[] | undefined): GatekeeperInput {
  const apiVersion = String(object['apiVersion']);
  const spec = object['spec'] as Record<string, unknown> | undefined;
  // Ephemeral containers only arrive through an UPDATE of pods/ephemeralcontainers.
  const ephemeral = Array.isArray(spec?.['ephemeralContainers']);
  return {
    review: { object, operation: ephemeral ? 'UPDATE' : 'CREATE', ...(ephemeral ? { subResource: 'ephemeralcontainers' } : {}), kind: { group: apiGroup(apiVersion), version: apiVersion.split('/').pop() ?? '', kind: String(object['kind']) } },
    parameters: exemptImages ? { exemptImages } : {},
  };
}

describe('generated Gatekeeper Rego in a real opa agrees with rootlock audit', () => {
  const cases = policyCases();

  it('has at least 60 cases, and every rule both passes and fails some of them', () => {
    assert.ok(cases.length >= 60, `only ${cases.length} cases`);
    for (const rule of RULES) {
      const verdicts = cases.map((c) => rootlockVerdicts(c, [rule]).get(rule));
      assert.ok(verdicts.filter(Boolean).length >= 3, `${rule}: fewer than 3 failing cases`);
      assert.ok(verdicts.filter((v) => !v).length >= 3, `${rule}: fewer than 3 passing cases`);
    }
  });

  it('compiles as Rego v1 (OPA 1.x) and as v0-compatible Rego (Gatekeeper\'s default parser)', () => {
    checkRego(ADMISSION_CHECKS, false);
    checkRego(ADMISSION_CHECKS, true);
  });

  it('a plain UPDATE of a Pod is not refused for what it always had; a workload UPDATE is checked', () => {
    const bare = cases.find((c) => c.name === 'pod-bare');
    const deployment = cases.find((c) => c.name === 'deployment-bare');
    assert.ok(bare && deployment);
    const update = (c: typeof bare): GatekeeperInput => ({ ...gatekeeperInput(c.object, undefined), review: { ...gatekeeperInput(c.object, undefined).review, operation: 'UPDATE' } });
    const results = evaluateRego(ADMISSION_CHECKS, new Map([['pod', update(bare)], ['deployment', update(deployment)]]));
    for (const rule of RULES) assert.deepEqual(results.get('pod')?.get(rule), [], rule);
    assert.ok(RULES.some((rule) => (results.get('deployment')?.get(rule) ?? []).length > 0));
  });

  it('every case, every rule', () => {
    const inputs = new Map(cases.map((c) => [c.name, gatekeeperInput(c.object, c.exemptImages)]));
    const results = evaluateRego(ADMISSION_CHECKS, inputs);
    const disagreements: string[] = [];
    for (const c of cases) {
      const expected = rootlockVerdicts(c, RULES);
      for (const rule of RULES) {
        const messages = results.get(c.name)?.get(rule);
        assert.ok(messages, `no opa result for ${c.name} / ${rule}`);
        const denied = messages.length > 0;
        if (denied !== expected.get(rule)) {
          disagreements.push(`${c.name}${c.source ? ` (${c.source})` : ''} ${rule}: rootlock ${expected.get(rule) ? 'fails' : 'passes'}, Rego ${denied ? `denies: ${messages.join('; ')}` : 'allows'}`);
        }
      }
    }
    assert.deepEqual(disagreements, []);
  });
});
