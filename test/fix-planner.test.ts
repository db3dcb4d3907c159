// The fix planner end to end: the seed's mutable pods become the seed's
// immutable ones, fixes chain to a fixpoint, unsafe fixes are left to a
// person with the reason, and a fixed manifest audits clean for every rule
// fix claims to have fixed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { emptyConfig } from '../src/core/config.js';
import type { RootlockConfig } from '../src/core/config.js';
import { planDocumentFixes } from '../src/fix/plan.js';
import type { FixPlanOptions, DocumentPlan } from '../src/fix/plan.js';
import { parseManifests } from '../src/input/kube-yaml.js';
import { getAt } from '../src/core/path.js';
import { informsOnly, runRules } from './helpers/rule-tester.js';
import { seedExamplesDir } from './helpers/repo.js';

const EXAMPLES = seedExamplesDir();

function seed(name: string): unknown {
  return parseManifests(readFileSync(join(EXAMPLES, name), 'utf8'), name).documents[0]?.value;
}

function plan(document: unknown, options: Partial<FixPlanOptions> & { ruleIds?: string[] } = {}): DocumentPlan {
  const rules = options.ruleIds ? RULES.filter((r) => options.ruleIds?.includes(r.id)) : RULES;
  return planDocumentFixes(document, undefined, { rules, config: options.config ?? emptyConfig(), today: '2026-06-01', ...options });
}

function parseYaml(text: string): unknown {
  return parseManifests(text, 'inline.yaml').documents[0]?.value;
}

/** The parts of a pod spec that make it immutable, in a comparable shape. */
function immutability(pod: unknown): unknown {
  const containers = (getAt(pod, ['spec', 'containers']) as Array<Record<string, unknown>>).map((c) => ({
    // The seed names the container app in one example and nginx in the other.
    readOnlyRootFilesystem: getAt(c, ['securityContext', 'readOnlyRootFilesystem']),
    allowPrivilegeEscalation: getAt(c, ['securityContext', 'allowPrivilegeEscalation']),
    mounts: ((c['volumeMounts'] as Array<Record<string, unknown>> | undefined) ?? []).map((m) => `${String(m['name'])}:${String(m['mountPath'])}`).sort(),
  }));
  const volumes = ((getAt(pod, ['spec', 'volumes']) as Array<Record<string, unknown>> | undefined) ?? []).map((v) => JSON.stringify(v)).sort();
  return { containers, volumes };
}

const CORE = ['read-only-root-filesystem', 'writable-paths-mounted', 'no-privilege-escalation'];

/**
 * The study guide's immutable nginx pod without its /var/log/nginx volume: the
 * official image links its log files to /dev/stdout and /dev/stderr, so the
 * fix mounts the three directories it always writes (the guide mounts a fourth
 * for a configuration that logs to files).
 */
function immutableNginxAsFixed(): unknown {
  const pod = structuredClone(seed('02-immutable-nginx.yaml')) as { spec: { containers: Array<{ volumeMounts: Array<{ name: string }> }>; volumes: Array<{ name: string }> } };
  const container = pod.spec.containers[0];
  assert.ok(container && container.volumeMounts.some((m) => m.name === 'var-log-nginx'), 'the guide mounts /var/log/nginx');
  container.volumeMounts = container.volumeMounts.filter((m) => m.name !== 'var-log-nginx');
  pod.spec.volumes = pod.spec.volumes.filter((v) => v.name !== 'var-log-nginx');
  return pod;
}

describe('fix planner', () => {
  it('turns the study guide\'s basic nginx pod into its immutable nginx pod, with the three emptyDirs the official image writes to', () => {
    const fixed = plan(seed('01-immutable-pod.yaml'), { ruleIds: CORE }).value;
    assert.deepEqual(immutability(fixed), immutability(immutableNginxAsFixed()));
  });

  it('turns the study guide\'s pod "that should be rejected" into one nginx can run in', () => {
    const fixed = plan(seed('09-mutable-pod-rejected.yaml'), { ruleIds: CORE }).value;
    assert.deepEqual(immutability(fixed), immutability(immutableNginxAsFixed()));
  });

  it('completes the pod Gatekeeper accepts but nginx cannot run in (only /tmp mounted)', () => {
    const fixed = plan(seed('10-immutable-pod-accepted.yaml'), { ruleIds: CORE }).value;
    assert.deepEqual(immutability(fixed), immutability(immutableNginxAsFixed()));
  });

  it('makes the init container of the study guide\'s init-container pattern read-only as well', () => {
    const fixed = plan(seed('05-immutable-with-init.yaml')).value;
    assert.equal(getAt(fixed, ['spec', 'initContainers', 0, 'securityContext', 'readOnlyRootFilesystem']), true);
  });

  it('leaves the study guide\'s fully immutable example alone but for the placeholder digest', () => {
    const result = plan(seed('11-fully-immutable-app.yaml'));
    assert.deepEqual(result.edits, []);
    assert.deepEqual(result.objects.flatMap((o) => o.needsHuman.map((h) => h.rule)), ['image-pinned-by-digest']);
  });

  for (const example of ['01-immutable-pod.yaml', '03-immutable-python-app.yaml', '04-immutable-configured-app.yaml', '05-immutable-with-init.yaml', '06-immutable-memory-tmp.yaml', '09-mutable-pod-rejected.yaml', '10-immutable-pod-accepted.yaml']) {
    it(`${example}: a second fix changes nothing, and audit finds nothing fix claims to have fixed`, () => {
      const first = plan(seed(example));
      const second = plan(first.value);
      assert.deepEqual(second.edits, [], 'fixing fixed output must change nothing');
      const fixedClaims = new Set(first.objects.flatMap((o) => o.changes.map((c) => `${c.rule}|${c.container ?? ''}`)));
      const audit = runRules(RULES, JSON.stringify(first.value));
      // Info that asks nothing (a path the image writes only in some configurations) is not what the fix claims.
      const remaining = audit.findings.filter((f) => !f.exempted && !informsOnly(f) && fixedClaims.has(`${f.rule}|${f.container ?? ''}`));
      assert.deepEqual(remaining.map((f) => `${f.rule}: ${f.message}`), []);
      // Every finding that is left is explained.
      const left = audit.findings.filter((f) => !f.exempted && !informsOnly(f));
      const explained = new Set(first.objects.flatMap((o) => o.needsHuman.map((h) => `${h.rule}|${h.container ?? ''}`)));
      for (const finding of left) assert.ok(explained.has(`${finding.rule}|${finding.container ?? ''}`), `${finding.rule} is neither fixed nor reported for a human`);
    });
  }

  it('mounts /tmp for images it does not know, or the paths the config names', () => {
    const pod = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: registry.example/acme/app:1.0\n');
    const fixed = plan(pod).value;
    assert.deepEqual(getAt(fixed, ['spec', 'containers', 0, 'volumeMounts']), [{ name: 'tmp', mountPath: '/tmp' }]);
    const config: RootlockConfig = { ...emptyConfig(), fix: { defaultWritablePaths: ['/tmp', '/var/cache/app'] } };
    const custom = plan(pod, { config }).value;
    assert.deepEqual(getAt(custom, ['spec', 'volumes']), [{ name: 'tmp', emptyDir: {} }, { name: 'var-cache-app', emptyDir: {} }]);
  });

  it('does not drop ALL capabilities of an unknown image that may run as root, and says why', () => {
    const pod = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: registry.example/acme/app:1.0\n');
    const result = plan(pod);
    assert.equal(getAt(result.value, ['spec', 'containers', 0, 'securityContext', 'capabilities']), undefined);
    const human = result.objects[0]?.needsHuman.find((h) => h.rule === 'drop-all-capabilities');
    assert.match(human?.why ?? '', /not in the knowledge base and may run as root/);
    const nonRoot = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, runAsNonRoot: true}\n  containers:\n  - name: app\n    image: registry.example/acme/app:1.0\n');
    assert.deepEqual(getAt(plan(nonRoot).value, ['spec', 'containers', 0, 'securityContext', 'capabilities']), { drop: ['ALL'] });
  });

  it('keeps the API token of pods that seem to use the API, and says why', () => {
    const pod = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ops}\nspec:\n  serviceAccountName: robot\n  containers:\n  - name: app\n    image: busybox:1.36\n');
    const bound = plan(pod, { boundServiceAccounts: new Set(['ops/robot']) });
    assert.equal(getAt(bound.value, ['spec', 'automountServiceAccountToken']), undefined);
    assert.match(bound.objects[0]?.needsHuman.find((h) => h.rule === 'no-service-account-token-automount')?.why ?? '', /RBAC permissions/);
    assert.equal(getAt(plan(pod).value, ['spec', 'automountServiceAccountToken']), false);
  });

  it('--memory-tmp makes the added emptyDirs memory-backed; a memory limit below their sizeLimit is reported, or raised when asked', () => {
    const roomy = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: python:3.11\n    resources: {limits: {cpu: 100m, memory: 96Mi}}\n');
    const fits = plan(roomy, { fixOptions: { memoryTmp: { sizeLimit: '64Mi', raiseLimits: true } } });
    assert.deepEqual(getAt(fits.value, ['spec', 'volumes']), [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]);
    assert.equal(getAt(fits.value, ['spec', 'containers', 0, 'resources', 'limits', 'memory']), '96Mi', 'a sizeLimit within the limit is left alone');
    const pod = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: python:3.11\n    resources: {limits: {cpu: 100m, memory: 48Mi}}\n');
    const reported = plan(pod, { fixOptions: { memoryTmp: { sizeLimit: '64Mi', raiseLimits: false } } });
    assert.deepEqual(getAt(reported.value, ['spec', 'volumes']), [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]);
    assert.equal(getAt(reported.value, ['spec', 'containers', 0, 'resources', 'limits', 'memory']), '48Mi');
    assert.ok(reported.objects[0]?.needsHuman.some((h) => h.rule === 'memory-emptydir-size-limit' && h.container === 'app'));
    const raised = plan(pod, { fixOptions: { memoryTmp: { sizeLimit: '64Mi', raiseLimits: true } } });
    assert.equal(getAt(raised.value, ['spec', 'containers', 0, 'resources', 'limits', 'memory']), '113Mi');
    const change = raised.objects[0]?.changes.find((c) => c.rule === 'memory-emptydir-size-limit');
    assert.match(change?.message ?? '', /raised the memory limit to 113Mi .*--raise-memory-limit/);
    assert.ok(!raised.objects[0]?.needsHuman.some((h) => h.rule === 'memory-emptydir-size-limit'));
    assert.deepEqual(plan(raised.value, { fixOptions: { memoryTmp: { sizeLimit: '64Mi', raiseLimits: true } } }).edits, [], 'idempotent');
  });

  it('sets limits only when asked to, and only where missing', () => {
    const pod = parseYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: busybox:1.36\n    resources: {limits: {memory: 1Gi}}\n');
    assert.equal(getAt(plan(pod).value, ['spec', 'containers', 0, 'resources', 'limits', 'cpu']), undefined);
    const fixed = plan(pod, { fixOptions: { defaultLimits: { cpu: '500m', memory: '256Mi' } } }).value;
    assert.deepEqual(getAt(fixed, ['spec', 'containers', 0, 'resources', 'limits']), { memory: '1Gi', cpu: '500m' });
  });

  it('applies opt-in fixes only when the rule is named', () => {
    const ns = parseYaml('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
    assert.deepEqual(plan(ns).edits, []);
    const named = plan(ns, { explicitRules: new Set(['namespace-pod-security']) });
    assert.equal(getAt(named.value, ['metadata', 'labels', 'pod-security.kubernetes.io/enforce']), 'restricted');
  });
});
