// The generated MutatingAdmissionPolicies on the real kube-apiserver set the
// same safe fixes as rootlock's fix edits: for every case, each container's
// readOnlyRootFilesystem, allowPrivilegeEscalation, capabilities.drop and .add in
// the object the API server returns equal the object with rootlock's edits
// (of the non-exempted findings of those three rules) applied.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../../src/core/engine.js';
import { emptyConfig } from '../../src/core/config.js';
import { getAt, isObject } from '../../src/core/path.js';
import { BUILTIN_POD_SPEC_LOCATIONS, findPodSpecPath } from '../../src/core/workloads.js';
import { applyEdits } from '../../src/fix/edit-semantics.js';
import { RULES } from '../../src/rules/index.js';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import { mutatingAdmissionPolicies, mutatingChecks } from '../../src/policy/mutating.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { apply, submitCase } from './api-server.js';
import { policyCases } from './cases.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

const NAMESPACE = 'policy-mutate';

type Json = Record<string, unknown>;

/** Container name -> the three fields the mutation may set. */
function safeFields(object: Json): Record<string, unknown> {
  const path = findPodSpecPath(object, BUILTIN_POD_SPEC_LOCATIONS);
  assert.ok(path, `no pod spec in ${String(object['kind'])}`);
  const spec = getAt(object, path);
  const out: Record<string, unknown> = {};
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = isObject(spec) ? spec[list] : undefined;
    if (!Array.isArray(containers)) continue;
    for (const c of containers as Json[]) {
      const sc = isObject(c['securityContext']) ? c['securityContext'] : {};
      out[`${list}/${String(c['name'])}`] = {
        readOnlyRootFilesystem: sc['readOnlyRootFilesystem'],
        allowPrivilegeEscalation: sc['allowPrivilegeEscalation'],
        drop: getAt(sc, ['capabilities', 'drop']),
        add: getAt(sc, ['capabilities', 'add']),
      };
    }
  }
  return out;
}

function fixedByRootlock(object: Json): Json {
  const engine = new Engine({ rules: RULES.filter((r) => mutatingChecks(ADMISSION_CHECKS).some((check) => check.rule === r.id)), config: emptyConfig(), today: '2026-01-01' });
  const findings = [...engine.audit({ file: 'case', value: object }).findings, ...engine.finish().findings];
  const edits = findings.filter((f) => !f.exempted).flatMap((f) => f.edits ?? []);
  return applyEdits(structuredClone(object), edits).value as Json;
}

describe('generated MutatingAdmissionPolicies on a real kube-apiserver apply the fixes rootlock fix makes', () => {
  let cp: ControlPlane | undefined;
  const cases = policyCases().filter((c) => !c.apiInvalid && !c.exemptImages && findPodSpecPath(c.object, BUILTIN_POD_SPEC_LOCATIONS) !== undefined);

  before(async () => {
    cp = await startControlPlane();
    await apply(cp, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    const sa = await cp.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    assert.ok(sa.status === 201 || sa.status === 409);
    const docs = mutatingAdmissionPolicies({ checks: ADMISSION_CHECKS, namespaces: [NAMESPACE], excludeNamespaces: [], exemptImages: [], action: 'deny' });
    assert.equal(docs.length, 6);
    for (const doc of docs) await apply(cp, doc.object);
    // Policies load asynchronously: wait until one bare object of each shape comes back fixed.
    const deadline = Date.now() + 60_000;
    for (const name of ['pod-bare', 'deployment-bare', 'cronjob-bare']) {
      const bare = cases.find((c) => c.name === name);
      assert.ok(bare);
      for (;;) {
        const res = await submitCase(cp, bare.object, NAMESPACE);
        assert.ok(res.status < 300, `${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        if (Object.values(safeFields(res.body as Json)).some((fields) => (fields as Json)['readOnlyRootFilesystem'] === true)) break;
        if (Date.now() > deadline) assert.fail(`mutating policy for ${name} not active after 60 s`);
        await sleep(250);
      }
    }
  });
  after(() => cp?.stop());

  it('every case: the returned object carries exactly the fixes rootlock would write', async () => {
    assert.ok(cp);
    const disagreements: string[] = [];
    let changed = 0;
    // Containers whose image needs capabilities back after dropping ALL.
    let addedBack = 0;
    for (const c of cases) {
      const res = await submitCase(cp, c.object, NAMESPACE);
      assert.ok(res.status >= 200 && res.status < 300, `${c.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      const expected = safeFields(fixedByRootlock(c.object));
      const actual = safeFields(res.body as Json);
      if (JSON.stringify(safeFields(c.object)) !== JSON.stringify(expected)) changed++;
      const before = safeFields(c.object);
      for (const [container, fields] of Object.entries(expected)) {
        if (JSON.stringify((fields as Json)['add']) !== JSON.stringify((before[container] as Json | undefined)?.['add'])) addedBack++;
      }
      try {
        assert.deepEqual(actual, expected);
      } catch {
        disagreements.push(`${c.name}: API server ${JSON.stringify(actual)}, rootlock fix ${JSON.stringify(expected)}`);
      }
    }
    assert.deepEqual(disagreements, []);
    assert.ok(changed >= 20, `only ${changed} cases needed a fix`);
    assert.ok(addedBack >= 5, `only ${addedBack} containers had capabilities added back`);
  });
});
