// Per-object evaluation time of the generated policies in the real engines,
// against rootlock's own engine, in the same run on the same objects:
//   - Gatekeeper Rego in `opa eval` (one process, all objects; opa's start-up
//     and compile time measured with one object and subtracted);
//   - ValidatingAdmissionPolicy on the real kube-apiserver: dry-run creates
//     with the policies bound, minus the same creates with no policy;
//   - rootlock's Engine auditing the same objects with the same rules.
// Usage: npm run build && node dist/bench/policy/run.js [--rounds N]
import { performance } from 'node:perf_hooks';
import { Engine } from '../../src/core/engine.js';
import { emptyConfig } from '../../src/core/config.js';
import { RULES } from '../../src/rules/index.js';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import { validatingAdmissionPolicies } from '../../src/policy/vap.js';
import { policyCases, type PolicyCase } from '../../test/policy/cases.js';
import { evaluateRego, type GatekeeperInput } from '../../test/policy/opa.js';
import { apply, collectionPath } from '../../test/policy/api-server.js';
import { startControlPlane, type ControlPlane } from '../../test/helpers/control-plane.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

const roundsFlag = process.argv.indexOf('--rounds');
const ROUNDS = roundsFlag === -1 ? 20 : Number(process.argv[roundsFlag + 1]);
const ruleIds = new Set(ADMISSION_CHECKS.map((c) => c.rule));
// Objects every engine can take as they are: no ephemeral containers (a subresource), nothing the API server refuses.
const cases = policyCases().filter((c) => !c.apiInvalid && !c.exemptImages && !JSON.stringify(c.object).includes('ephemeralContainers'));

function input(c: PolicyCase): GatekeeperInput {
  return { review: { object: c.object, operation: 'CREATE', kind: { group: '', version: 'v1', kind: String(c.object['kind']) } }, parameters: {} };
}

function microsPerObject(ms: number, objects: number): number {
  return (ms * 1000) / objects;
}

function rootlockEngine(): number {
  const rules = RULES.filter((rule) => ruleIds.has(rule.id));
  const start = performance.now();
  let objects = 0;
  for (let round = 0; round < ROUNDS * 10; round++) {
    const engine = new Engine({ rules, config: emptyConfig(), today: '2026-01-01' });
    for (const c of cases) {
      engine.audit({ file: c.name, value: c.object });
      objects++;
    }
    engine.finish();
  }
  return microsPerObject(performance.now() - start, objects);
}

function opa(): number {
  const timed = (inputs: Map<string, GatekeeperInput>): number => {
    const start = performance.now();
    evaluateRego(ADMISSION_CHECKS, inputs);
    return performance.now() - start;
  };
  const one = new Map([['one', input(cases[0] as PolicyCase)]]);
  const many = new Map<string, GatekeeperInput>();
  for (let round = 0; round < ROUNDS; round++) for (const c of cases) many.set(`${c.name}-${round}`, input(c));
  timed(one); // warm the file cache
  const base = Math.min(timed(one), timed(one), timed(one));
  const all = Math.min(timed(many), timed(many));
  return microsPerObject(all - base, many.size - 1);
}

async function creates(cp: ControlPlane, namespace: string, rounds: number): Promise<number> {
  const start = performance.now();
  let objects = 0;
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      const res = await cp.request('POST', `${collectionPath(String(c.object['kind']), namespace)}?dryRun=All`, c.object);
      if (res.status >= 300) throw new Error(`${c.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      objects++;
    }
  }
  return microsPerObject(performance.now() - start, objects);
}

async function vap(): Promise<{ withPolicies: number; without: number }> {
  const cp = await startControlPlane();
  try {
    for (const name of ['bench-plain', 'bench-policies']) {
      await apply(cp, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      await cp.request('POST', `/api/v1/namespaces/${name}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    }
    for (const doc of validatingAdmissionPolicies({ checks: ADMISSION_CHECKS, namespaces: ['bench-policies'], excludeNamespaces: [], exemptImages: [], action: 'warn' })) {
      await apply(cp, doc.object);
    }
    // Let the policies load, then warm both paths.
    for (let i = 0; i < 40; i++) {
      const res = await cp.request('POST', `${collectionPath('Pod', 'bench-policies')}?dryRun=All`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w' }, spec: { containers: [{ name: 'a', image: 'nginx' }] } });
      if (res.warnings.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await creates(cp, 'bench-plain', 1);
    await creates(cp, 'bench-policies', 1);
    const rounds = Math.max(1, Math.round(ROUNDS / 4));
    const without = await creates(cp, 'bench-plain', rounds);
    const withPolicies = await creates(cp, 'bench-policies', rounds);
    return { withPolicies, without };
  } finally {
    await cp.stop();
  }
}

const engine = rootlockEngine();
const rego = opa();
const api = await vap();
const overhead = api.withPolicies - api.without;
const rows: Array<[string, number]> = [
  ['rootlock Engine (in process)', engine],
  ['Gatekeeper Rego in opa eval', rego],
  ['ValidatingAdmissionPolicy on kube-apiserver (added to a dry-run create)', overhead],
  ['kube-apiserver dry-run create, no policy', api.without],
  ['kube-apiserver dry-run create, with the policies', api.withPolicies],
];
process.stdout.write(`${cases.length} objects x ${ADMISSION_CHECKS.length} rules; rounds ${ROUNDS}\n`);
for (const [name, micros] of rows) {
  process.stdout.write(`${name.padEnd(76)} ${micros.toFixed(1).padStart(9)} us/object  ${(micros / engine).toFixed(1).padStart(7)}x rootlock\n`);
}
