// Every response shape of /validate and /mutate, through the same function the
// server calls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { parse } from 'yaml';
import { handleAdmission } from './handler.js';
import type { Endpoint } from './handler.js';
import type { AdmissionResponse } from './response.js';
import { MAX_WARNING_LENGTH } from './response.js';
import { readConfig } from '../core/config.js';
import { RULE_IDS } from '../rules/index.js';
import { admissionReview, mutableDeployment, mutablePod, testSettings } from '../../test/helpers/webhook.js';
import type { ReviewOptions } from '../../test/helpers/webhook.js';
import type { WebhookSettings } from './settings.js';
import { seedExamplesDir } from '../../test/helpers/repo.js';

function call(endpoint: Endpoint, object: Record<string, unknown> | null, options: ReviewOptions = {}, settings: WebhookSettings = testSettings()): { status: number; response: AdmissionResponse; raw: unknown } {
  const result = handleAdmission(endpoint, JSON.stringify(admissionReview(object, options)), settings);
  const body = result.body as { apiVersion: string; kind: string; response: AdmissionResponse };
  if (result.status === 200) {
    assert.equal(body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(body.kind, 'AdmissionReview');
  }
  return { status: result.status, response: body.response, raw: result.body };
}

function seedPod(file: string): Record<string, unknown> {
  return parse(readFileSync(join(seedExamplesDir(), file), 'utf8')) as Record<string, unknown>;
}

function applyPatch(object: unknown, response: AdmissionResponse): unknown {
  assert.equal(response.patchType, 'JSONPatch');
  const ops = JSON.parse(Buffer.from(response.patch as string, 'base64').toString('utf8')) as jsonpatch.Operation[];
  return jsonpatch.applyPatch(structuredClone(object), ops, true).newDocument;
}

describe('webhook /validate', () => {
  it('denies a mutable Pod, naming the container, each rule and how to fix it, and copies the uid', () => {
    const { status, response } = call('validate', mutablePod(), { uid: 'abc-123' });
    assert.equal(status, 200);
    assert.equal(response.uid, 'abc-123');
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    const message = response.status?.message ?? '';
    assert.match(message, /^rootlock denied Pod default\/web: /);
    assert.match(message, /container "app": read-only-root-filesystem: .*; fix: set securityContext\.readOnlyRootFilesystem: true/);
    assert.match(message, /container "app": no-privilege-escalation: .*fix: set securityContext\.allowPrivilegeEscalation: false/);
    // Findings outside the deny set come back as warnings, not reasons to deny.
    assert.doesNotMatch(message, /drop-all-capabilities/);
    assert.ok(response.warnings?.some((w) => w.includes('drop-all-capabilities')));
  });

  it('denies a mutable Deployment with the template container named', () => {
    const { response } = call('validate', mutableDeployment());
    assert.equal(response.allowed, false);
    assert.match(response.status?.message ?? '', /^rootlock denied Deployment default\/web: container "app": read-only-root-filesystem/);
  });

  for (const file of ['02-immutable-nginx.yaml', '03-immutable-python-app.yaml', '11-fully-immutable-app.yaml']) {
    it(`admits the seed's immutable pod ${file} in enforce mode, with its other findings as warnings`, () => {
      const { response } = call('validate', seedPod(file));
      assert.equal(response.allowed, true, response.status?.message);
      assert.equal(response.status, undefined);
      assert.ok((response.warnings ?? []).length > 0);
    });
  }

  it('admits an official nginx Pod hardened as its Dockerfile needs, without a volume at /var/log/nginx (linked to stdout and stderr)', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
      spec: {
        containers: [{
          name: 'nginx', image: 'nginx:1.27', securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'run', mountPath: '/var/run' }, { name: 'cache', mountPath: '/var/cache/nginx' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'run', emptyDir: {} }, { name: 'cache', emptyDir: {} }],
      },
    };
    const { response } = call('validate', pod);
    assert.equal(response.allowed, true, response.status?.message);
    assert.ok(!(response.warnings ?? []).some((w) => w.startsWith('rootlock error') && w.includes('writable-paths-mounted')));
  });

  it('denies on every error-level rule with denyRules all (the seed nginx pod runs as root)', () => {
    const { response } = call('validate', seedPod('02-immutable-nginx.yaml'), {}, testSettings({ denyRules: 'all' }));
    assert.equal(response.allowed, false);
    assert.match(response.status?.message ?? '', /run-as-non-root/);
  });

  it('warn mode allows with one warning per finding, each at most 120 characters', () => {
    const { response } = call('validate', mutablePod(), {}, testSettings({ mode: 'warn' }));
    assert.equal(response.allowed, true);
    assert.equal(response.status, undefined);
    const warnings = response.warnings ?? [];
    assert.ok(warnings.length >= 6);
    for (const warning of warnings) assert.ok(warning.length <= MAX_WARNING_LENGTH, `${warning.length}: ${warning}`);
    assert.ok(warnings.some((w) => w.startsWith('rootlock error: container app: read-only-root-filesystem: set securityContext.readOnlyRootFilesystem')));
  });

  it('audit mode allows with audit annotations and no warnings', () => {
    const { response } = call('validate', mutablePod(), {}, testSettings({ mode: 'audit' }));
    assert.equal(response.allowed, true);
    assert.equal(response.warnings, undefined);
    const notes = response.auditAnnotations ?? {};
    assert.equal(notes['would-deny'], 'true');
    assert.match(notes['would-deny-rules'] ?? '', /read-only-root-filesystem:app/);
    assert.match(notes['findings'] ?? '', /drop-all-capabilities:app/);
    for (const key of Object.keys(notes)) assert.match(key, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('answers a dry-run request like any other (no side effects to skip)', () => {
    const dry = call('validate', mutablePod(), { dryRun: true, uid: 'dry' });
    const wet = call('validate', mutablePod(), { uid: 'dry' });
    assert.deepEqual(dry.response, wet.response);
  });

  it('judges only the new container on the pods/ephemeralcontainers subresource', () => {
    const pod = seedPod('03-immutable-python-app.yaml');
    const spec = pod['spec'] as Record<string, unknown>;
    spec['ephemeralContainers'] = [{ name: 'debugger', image: 'busybox:1.36', targetContainerName: 'app' }];
    const { response } = call('validate', pod, { operation: 'UPDATE', subResource: 'ephemeralcontainers' });
    assert.equal(response.allowed, false);
    assert.match(response.status?.message ?? '', /container "debugger": read-only-root-filesystem/);
    assert.doesNotMatch(response.status?.message ?? '', /container "app"/);
    const hardened = structuredClone(pod);
    ((hardened['spec'] as Record<string, unknown>)['ephemeralContainers'] as Array<Record<string, unknown>>)[0]!['securityContext'] = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false };
    assert.equal(call('validate', hardened, { operation: 'UPDATE', subResource: 'ephemeralcontainers' }).response.allowed, true);
  });

  it('allows other subresources and DELETE without evaluating', () => {
    assert.deepEqual(call('validate', mutablePod(), { operation: 'UPDATE', subResource: 'status', uid: 's' }).response, { uid: 's', allowed: true });
    assert.deepEqual(call('validate', null, { operation: 'DELETE', uid: 'd' }).response, { uid: 'd', allowed: true });
  });

  it('honours exemption annotations, on the object and on the pod template', () => {
    const pod = mutablePod();
    (pod['metadata'] as Record<string, unknown>)['annotations'] = { 'rootlock.dev/ignore': '*', 'rootlock.dev/ignore-reason': 'legacy app, ticket 42' };
    assert.equal(call('validate', pod).response.allowed, true);
    const deployment = mutableDeployment();
    const template = (deployment['spec'] as { template: { metadata: Record<string, unknown> } }).template;
    template.metadata['annotations'] = { 'rootlock.dev/ignore': 'read-only-root-filesystem,no-privilege-escalation', 'rootlock.dev/ignore-reason': 'writes its cache' };
    assert.equal(call('validate', deployment).response.allowed, true);
    const partly = mutablePod();
    (partly['metadata'] as Record<string, unknown>)['annotations'] = { 'rootlock.dev/ignore.app': 'read-only-root-filesystem' };
    const { response } = call('validate', partly);
    assert.equal(response.allowed, false);
    assert.doesNotMatch(response.status?.message ?? '', /read-only-root-filesystem/);
  });

  it('applies .rootlock.yaml exemptions and severities', () => {
    const { config, problems } = readConfig({ exemptions: [{ rules: ['read-only-root-filesystem', 'no-privilege-escalation'], namespaces: ['default'], names: ['legacy-*'], reason: 'migrating' }] }, RULE_IDS);
    assert.deepEqual(problems, []);
    assert.equal(call('validate', mutablePod('legacy-1'), {}, testSettings({ config })).response.allowed, true);
    assert.equal(call('validate', mutablePod('web'), {}, testSettings({ config })).response.allowed, false);
  });

  it('answers 400 with a clear message for a wrong apiVersion or kind', () => {
    const body = admissionReview(mutablePod());
    const v1beta1 = handleAdmission('validate', JSON.stringify({ ...body, apiVersion: 'admission.k8s.io/v1beta1' }), testSettings());
    assert.equal(v1beta1.status, 400);
    assert.deepEqual(Object.keys(v1beta1.body as object).sort(), ['apiVersion', 'code', 'kind', 'message', 'status']);
    assert.match((v1beta1.body as { message: string }).message, /expected apiVersion admission\.k8s\.io\/v1 kind AdmissionReview, got admission\.k8s\.io\/v1beta1 AdmissionReview; set admissionReviewVersions: \["v1"\]/);
    const wrongKind = handleAdmission('validate', JSON.stringify({ ...body, kind: 'ConversionReview' }), testSettings());
    assert.equal(wrongKind.status, 400);
    assert.match((wrongKind.body as { message: string }).message, /got admission\.k8s\.io\/v1 ConversionReview/);
    const noUid = handleAdmission('validate', JSON.stringify({ ...body, request: { ...(body['request'] as object), uid: 7 } }), testSettings());
    assert.equal(noUid.status, 400);
    assert.match((noUid.body as { message: string }).message, /request\.uid must be a non-empty string/);
    const notJson = handleAdmission('validate', '{"apiVersion":', testSettings());
    assert.equal(notJson.status, 400);
    assert.match((notJson.body as { message: string }).message, /body is not JSON/);
  });

  it('turns wrong field types into findings or allowances, never a crash', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'odd' }, spec: { containers: 'not a list' } };
    const { status, response } = call('validate', pod);
    assert.equal(status, 200);
    assert.equal(typeof response.allowed, 'boolean');
  });
});

describe('webhook /mutate', () => {
  it('returns a JSONPatch that makes the Pod immutable with the emptyDirs the fix engine adds', () => {
    const pod = mutablePod();
    const { response } = call('mutate', pod, { uid: 'm-1' });
    assert.equal(response.uid, 'm-1');
    assert.equal(response.allowed, true);
    const patched = applyPatch(pod, response) as { spec: { containers: Array<{ securityContext: Record<string, unknown>; volumeMounts: Array<{ mountPath: string }> }>; volumes: Array<{ name: string; emptyDir?: object }> } };
    const container = patched.spec.containers[0]!;
    assert.equal(container.securityContext['readOnlyRootFilesystem'], true);
    assert.equal(container.securityContext['allowPrivilegeEscalation'], false);
    assert.deepEqual(container.volumeMounts.map((m) => m.mountPath).sort(), ['/tmp', '/var/cache/nginx', '/var/run'], 'the official image links its logs to stdout and stderr');
    assert.ok(patched.spec.volumes.every((v) => v.emptyDir !== undefined));
    // The patched object passes validation.
    assert.equal(call('validate', patched as Record<string, unknown>).response.allowed, true);
  });

  it('is idempotent: mutating the mutated object patches nothing (reinvocationPolicy IfNeeded)', () => {
    for (const object of [mutablePod(), mutableDeployment()]) {
      const first = applyPatch(object, call('mutate', object).response) as Record<string, unknown>;
      const second = call('mutate', first).response;
      assert.equal(second.patch, undefined);
      assert.equal(second.patchType, undefined);
    }
  });

  it('patches a Deployment pod template', () => {
    const deployment = mutableDeployment();
    const patched = applyPatch(deployment, call('mutate', deployment).response) as { spec: { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } } } };
    assert.equal(patched.spec.template.spec.containers[0]?.securityContext['readOnlyRootFilesystem'], true);
  });

  it('never weakens an explicit user setting and never removes a field', () => {
    const pod = mutablePod();
    const spec = pod['spec'] as { containers: Array<Record<string, unknown>>; securityContext?: unknown };
    spec.containers[0]!['securityContext'] = { readOnlyRootFilesystem: false, capabilities: { drop: ['NET_RAW'], add: ['SYS_ADMIN'] }, seccompProfile: { type: 'Localhost', localhostProfile: 'my.json' } };
    const { response } = call('mutate', pod);
    const ops = JSON.parse(Buffer.from(response.patch as string, 'base64').toString('utf8')) as Array<{ op: string; path: string; value?: unknown }>;
    assert.ok(!ops.some((op) => op.op === 'remove'), JSON.stringify(ops));
    for (const op of ops.filter((o) => o.op === 'replace')) {
      assert.ok(['/spec/containers/0/securityContext/readOnlyRootFilesystem'].includes(op.path), `unexpected replace ${JSON.stringify(op)}`);
    }
    const patched = applyPatch(pod, response) as { spec: { containers: Array<{ securityContext: { readOnlyRootFilesystem: boolean; capabilities: { add: string[] }; seccompProfile: unknown } }> } };
    const context = patched.spec.containers[0]!.securityContext;
    assert.equal(context.readOnlyRootFilesystem, true);
    assert.ok(context.capabilities.add.includes('SYS_ADMIN'), 'a capability the user added stays');
    assert.deepEqual(context.seccompProfile, { type: 'Localhost', localhostProfile: 'my.json' });
  });

  it('does not mutate exempted objects, existing Pods, ephemeral containers or DELETE', () => {
    const exempt = mutablePod();
    (exempt['metadata'] as Record<string, unknown>)['annotations'] = { 'rootlock.dev/ignore': '*' };
    assert.equal(call('mutate', exempt).response.patch, undefined);
    assert.equal(call('mutate', mutablePod(), { operation: 'UPDATE' }).response.patch, undefined);
    assert.equal(call('mutate', mutablePod(), { operation: 'UPDATE', subResource: 'ephemeralcontainers' }).response.patch, undefined);
    assert.deepEqual(call('mutate', null, { operation: 'DELETE', uid: 'x' }).response, { uid: 'x', allowed: true });
  });

  it('answers a dry-run request with the same patch', () => {
    assert.deepEqual(call('mutate', mutablePod(), { dryRun: true }).response, call('mutate', mutablePod()).response);
  });
});
