// Differential test on the real kube-apiserver: the generated
// ValidatingAdmissionPolicies, bound with validationActions [Warn] so that one
// dry-run create reports every rule an object breaks, give the same verdict as
// rootlock audit on every case. Ephemeral-container cases go through the
// pods/ephemeralcontainers subresource, as `kubectl debug` does. A second
// binding set with [Deny] proves that enforcement rejects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdmissionChecks } from '../../src/policy/admission-checks.js';
import { validatingAdmissionPolicies } from '../../src/policy/vap.js';
import { startControlPlane, type ApiResponse, type ControlPlane } from '../helpers/control-plane.js';
import { apply, collectionPath, rulesNamed, submitCase } from './api-server.js';
import { policyCases, type PolicyCase } from './cases.js';
import { rootlockVerdicts } from './verdicts.js';
import { imageSpellings } from './image-spellings.js';
import { KnowledgeBase, requiredPaths } from '../../src/knowledge/images.js';

const ADMISSION_CHECKS = await loadAdmissionChecks();

const RULES = ADMISSION_CHECKS.map((check) => check.rule);
const WARN_NAMESPACE = 'policy-warn';
const DENY_NAMESPACE = 'policy-deny';
const EXEMPT_NAMESPACE = 'policy-exempt-images';
const EXEMPT_SUFFIX = '-exempt-images';

type Json = Record<string, unknown>;

function submit(cp: ControlPlane, policyCase: PolicyCase, namespace: string): Promise<ApiResponse> {
  return submitCase(cp, policyCase.object, namespace);
}

/** The exempt images of all cases together. */
function exemptImages(): string[] {
  return [...new Set(policyCases().flatMap((c) => c.exemptImages ?? []))];
}

describe('generated ValidatingAdmissionPolicies on a real kube-apiserver agree with rootlock audit', () => {
  let cp: ControlPlane | undefined;
  const cases = policyCases();
  const cluster = (): ControlPlane => {
    assert.ok(cp, 'the control plane did not start');
    return cp;
  };

  before(async () => {
    cp = await startControlPlane();
    for (const namespace of [WARN_NAMESPACE, DENY_NAMESPACE, EXEMPT_NAMESPACE]) {
      await apply(cp, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      // Pods need their ServiceAccount; do not wait for the controller manager to make it.
      const sa = await cp.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
      assert.ok(sa.status === 201 || sa.status === 409, `ServiceAccount: HTTP ${sa.status}`);
    }
    const base = { checks: ADMISSION_CHECKS, exemptImages: [], excludeNamespaces: [] };
    // Warn bindings in one namespace, Deny bindings in the other (exempt images are baked into the policy).
    for (const doc of validatingAdmissionPolicies({ ...base, namespaces: [WARN_NAMESPACE], action: 'warn' })) await apply(cp, doc.object);
    const deny = validatingAdmissionPolicies({ ...base, namespaces: [DENY_NAMESPACE], action: 'deny' })
      .filter((doc) => doc.object['kind'] === 'ValidatingAdmissionPolicyBinding')
      .map((doc) => ({ ...doc.object, metadata: { name: `${String((doc.object['metadata'] as Json)['name'])}-deny` } }));
    // Objects that predate the Deny bindings, for the UPDATE test.
    for (const name of ['pod-bare', 'deployment-bare']) {
      const c = cases.find((x) => x.name === name);
      assert.ok(c);
      const legacy = { ...structuredClone(c.object), metadata: { name: `legacy-${name}` } };
      const res = await cp.request('POST', collectionPath(String(c.object['kind']), DENY_NAMESPACE), legacy);
      assert.equal(res.status, 201, `${name}: HTTP ${res.status}`);
    }
    for (const binding of deny) await apply(cp, binding);
    // A third set, named apart, with every case's exempt images baked into its CEL.
    for (const doc of validatingAdmissionPolicies({ ...base, exemptImages: exemptImages(), namespaces: [EXEMPT_NAMESPACE], action: 'warn' })) {
      const object = structuredClone(doc.object);
      const metadata = object['metadata'] as Json;
      metadata['name'] = `${String(metadata['name'])}${EXEMPT_SUFFIX}`;
      const spec = object['spec'] as Json;
      if (typeof spec['policyName'] === 'string') spec['policyName'] = `${spec['policyName']}${EXEMPT_SUFFIX}`;
      await apply(cp, object);
    }
    // Policies take effect asynchronously: wait until objects that between them break every rule draw a
    // warning from every policy they break.
    const deadline = Date.now() + 60_000;
    for (const name of ['pod-bare', 'privileged', 'add-net-admin', 'hostpath-writable', 'memory-emptydir-too-big', 'configmap-unset', 'writable-nginx-none', 'secret-env-db-password']) {
      const waitFor = cases.find((c) => c.name === name);
      assert.ok(waitFor, name);
      const fails = [...rootlockVerdicts(waitFor, RULES).values()].filter(Boolean).length;
      for (;;) {
        const res = await submit(cp, waitFor, WARN_NAMESPACE);
        if (rulesNamed(res.warnings).size === fails) break;
        if (Date.now() > deadline) assert.fail(`policies not active after 60 s: ${JSON.stringify(res.warnings)}`);
        await sleep(250);
      }
    }
  });
  after(() => cp?.stop());

  it('every case, every rule (Warn)', async () => {
    const disagreements: string[] = [];
    let compared = 0;
    // Exempt images are baked into the policies' CEL; the cases with their own exempt images are left to the Rego test.
    for (const c of cases.filter((c) => c.exemptImages === undefined)) {
      const res = await submit(cluster(), c, WARN_NAMESPACE);
      if (c.apiInvalid) {
        // 400 when the object does not decode (a bad quantity), 422 when it fails validation.
        assert.ok(res.status === 400 || res.status === 422, `${c.name} should be invalid (${c.apiInvalid}): HTTP ${res.status}`);
        continue;
      }
      assert.ok(res.status >= 200 && res.status < 300, `${c.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      compared++;
      const warned = rulesNamed(res.warnings);
      const expected = rootlockVerdicts(c, RULES);
      for (const rule of RULES) {
        if (warned.has(rule) !== expected.get(rule)) {
          disagreements.push(`${c.name}${c.source ? ` (${c.source})` : ''} ${rule}: rootlock ${expected.get(rule) ? 'fails' : 'passes'}, VAP ${warned.has(rule) ? 'warns' : 'allows'}`);
        }
      }
    }
    assert.deepEqual(disagreements, []);
    assert.ok(compared >= 60, `only ${compared} cases reached admission`);
  });

  it('exempt images: policies generated with --exempt-images agree with rootlock exempting the same images', async () => {
    const images = exemptImages();
    assert.ok(images.length >= 2);
    const withImages = cases.filter((c) => c.exemptImages !== undefined).map((c) => ({ ...c, exemptImages: images }));
    assert.ok(withImages.length >= 3);
    const warnedRules = (warnings: string[]): Set<string> => new Set([...rulesNamed(warnings)].map((name) => name.replace(EXEMPT_SUFFIX, '')));
    // Wait until this policy set has loaded: a bare Pod (no exempt image) draws every warning it should.
    const bare = cases.find((c) => c.name === 'pod-bare');
    assert.ok(bare);
    const bareFails = [...rootlockVerdicts(bare, RULES).values()].filter(Boolean).length;
    const deadline = Date.now() + 60_000;
    while (warnedRules((await submit(cluster(), bare, EXEMPT_NAMESPACE)).warnings).size !== bareFails) {
      if (Date.now() > deadline) assert.fail('exempt-images policies not active after 60 s');
      await sleep(250);
    }
    const disagreements: string[] = [];
    for (const c of withImages) {
      const expected = rootlockVerdicts(c, RULES);
      const res = await submit(cluster(), c, EXEMPT_NAMESPACE);
      assert.ok(res.status >= 200 && res.status < 300, `${c.name}: HTTP ${res.status}`);
      const warned = warnedRules(res.warnings);
      for (const rule of RULES) {
        if (warned.has(rule) !== expected.get(rule)) disagreements.push(`${c.name} ${rule}: rootlock ${expected.get(rule) ? 'fails' : 'passes'}`);
      }
    }
    assert.deepEqual(disagreements, []);
  });

  it('image spellings: the CEL image lookup of writable-paths-mounted agrees with KnowledgeBase.lookup', async () => {
    // Read-only containers without mounts fail exactly when the knowledge base gives their image a path. The API
    // server refuses images with surrounding whitespace and empty ones, so those stay with the Rego test.
    const images = imageSpellings().filter((image) => image !== '' && image.trim() === image);
    const knowledge = KnowledgeBase.withExtra([]);
    const disagreements: string[] = [];
    const PER_POD = 60;
    let failing = 0;
    for (let start = 0; start < images.length; start += PER_POD) {
      const chunk = images.slice(start, start + PER_POD);
      const containers = chunk.map((image, i) => ({ name: `c${i}`, image, securityContext: { readOnlyRootFilesystem: true } }));
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `image-spellings-${start}` }, spec: { containers } };
      const res = await cluster().request('POST', `${collectionPath('Pod', WARN_NAMESPACE)}?dryRun=All`, pod);
      assert.ok(res.status >= 200 && res.status < 300, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
      const warning = res.warnings.find((w) => w.includes("'rootlock-writable-paths-mounted'")) ?? '';
      const named = new Set(/rootlock writable-paths-mounted: (.*?) with a read-only/.exec(warning)?.[1]?.split(', ') ?? []);
      chunk.forEach((image, i) => {
        const entry = knowledge.lookup(image);
        const expected = entry !== undefined && requiredPaths(entry).length > 0;
        if (expected) failing++;
        if (named.has(`c${i}`) !== expected) disagreements.push(`${JSON.stringify(image)}: rootlock ${expected ? 'fails' : 'passes'}`);
      });
    }
    assert.deepEqual(disagreements, []);
    assert.ok(failing > images.length / 4 && failing < images.length, `${failing} of ${images.length} images fail`);
  });

  it('a label UPDATE of a Pod that predates the policy is admitted; the same UPDATE of a Deployment is checked', async () => {
    for (const [kind, name, denied] of [['Pod', 'legacy-pod-bare', false], ['Deployment', 'legacy-deployment-bare', true]] as const) {
      const path = `${collectionPath(kind, DENY_NAMESPACE)}/${name}`;
      const current = await cluster().request('GET', path);
      assert.equal(current.status, 200);
      const object = current.body as Json;
      (object['metadata'] as Json)['labels'] = { touched: 'yes' };
      const res = await cluster().request('PUT', `${path}?dryRun=All`, object);
      assert.equal(res.status, denied ? 403 : 200, `${kind}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
  });

  it('Deny bindings reject what rootlock fails and admit what it passes', async () => {
    for (const name of ['pod-bare', 'deployment-bare', 'cronjob-bad-init', 'ephemeral-debug-bad', 'pod-hardened', 'deployment-hardened', 'ephemeral-debug-hardened', 'annotation-ignore-all']) {
      const c = cases.find((x) => x.name === name);
      assert.ok(c, name);
      const fails = [...rootlockVerdicts(c, RULES).values()].some(Boolean);
      const res = await submit(cluster(), c, DENY_NAMESPACE);
      if (fails) {
        assert.equal(res.status, 403, `${name}: HTTP ${res.status}`);
        assert.ok(rulesNamed([JSON.stringify(res.body)]).size > 0, `${name}: ${JSON.stringify(res.body)}`);
      } else {
        assert.ok(res.status >= 200 && res.status < 300, `${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  });
});
