import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from './engine.js';
import type { EngineOptions } from './engine.js';
import { emptyConfig } from './config.js';
import { defineRule } from './rule.js';
import type { EffectiveSecurityContext } from './security-context.js';
import type { RuleDefinition } from './rule.js';
import { parseManifests } from '../input/kube-yaml.js';
import type { AuditResult } from './engine.js';

const POD = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    image: nginx:1.27
  - name: sidecar
    image: busybox
    securityContext: {readOnlyRootFilesystem: true}
`;

const docs = { summary: 'test rule', rationale: 'for the engine tests', remediation: 'none' };

const writable = defineRule({
  id: 'test-writable',
  severity: 'error',
  enforcement: 'warn',
  admission: { none: 'a test rule' },
  fixable: true,
  docs,
  check(context) {
    for (const container of context.containers()) {
      const setting = context.effective(container).readOnlyRootFilesystem;
      if (setting.value === true) continue;
      context.report({ container, path: setting.path, message: `${container.name} is writable`, hint: 'set it', fix: (fix) => fix.set(setting.path, true) });
    }
  },
});

function audit(rules: readonly RuleDefinition[], text: string, options: Partial<EngineOptions> = {}): AuditResult {
  const engine = new Engine({ rules, config: emptyConfig(), today: '2026-01-01', ...options });
  const out: AuditResult = { findings: [], errors: [], notices: [] };
  for (const document of parseManifests(text, 'pod.yaml').documents) {
    const result = engine.audit({ file: 'pod.yaml', value: document.value, documentIndex: document.index, locate: document.locate });
    out.findings.push(...result.findings);
    out.errors.push(...result.errors);
  }
  const last = engine.finish();
  out.findings.push(...last.findings);
  return out;
}

describe('Engine', () => {
  it('attaches fix edits by default, and only says "fixable" when told not to keep them', () => {
    const kept = audit([writable], POD);
    const dropped = audit([writable], POD, { keepEdits: false });
    assert.equal(kept.findings.length, 1);
    assert.deepEqual(kept.findings[0]?.edits, [{ op: 'set', path: ['spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'], value: true }]);
    assert.equal(dropped.findings[0]?.edits, undefined);
    const { edits: _edits, ...rest } = kept.findings[0] ?? {};
    assert.deepEqual(dropped.findings[0], rest);
    assert.equal(dropped.findings[0]?.fixable, true);
    assert.equal(dropped.findings[0]?.line, 7);
  });

  it('builds for an admission answer only the messages it asks for, and runs no fix', () => {
    let messagesBuilt = 0;
    let fixesRun = 0;
    const lazy = defineRule({
      id: 'test-lazy',
      severity: 'warning',
      enforcement: 'warn',
      admission: { none: 'a test rule' },
      fixable: true,
      docs,
      check(context) {
        for (const container of context.containers()) {
          context.report({
            container,
            path: [...container.path, 'image'],
            message: () => {
              messagesBuilt++;
              return `${container.name} message`;
            },
            hint: `hint for ${container.name}`,
            fix: (fix) => {
              fixesRun++;
              fix.set([...container.path, 'image'], 'x');
            },
          });
        }
      },
    });
    const full = audit([writable, lazy], POD);
    assert.equal(messagesBuilt, 2);
    assert.equal(fixesRun, 2);
    assert.deepEqual(full.findings.map((f) => [f.rule, f.message, f.path, f.fixable]), [
      ['test-writable', 'app is writable', 'spec.containers[0].securityContext.readOnlyRootFilesystem', true],
      ['test-lazy', 'app message', 'spec.containers[0].image', true],
      ['test-lazy', 'sidecar message', 'spec.containers[1].image', true],
    ]);
    messagesBuilt = 0;
    fixesRun = 0;
    const asked: string[] = [];
    const admission = audit([writable, lazy], POD, { admission: { needsMessage: (rule, severity) => (asked.push(`${rule}:${severity}`), severity === 'error') } });
    assert.equal(fixesRun, 0);
    assert.equal(messagesBuilt, 0);
    assert.deepEqual(asked, ['test-writable:error', 'test-lazy:warning', 'test-lazy:warning']);
    assert.deepEqual(admission.findings.map((f) => [f.rule, f.container, f.message, f.hint, f.path, f.fixable, f.line]), [
      ['test-writable', 'app', 'app is writable', 'set it', '', false, 7],
      ['test-lazy', 'app', '', 'hint for app', '', false, 8],
      ['test-lazy', 'sidecar', '', 'hint for sidecar', '', false, 10],
    ]);
    // The severity asked about is the final one, after the config's overrides.
    const config = { ...emptyConfig(), severities: new Map([['test-lazy', 'error' as const]]) };
    const overridden = audit([lazy], POD, { config, admission: { needsMessage: (_rule, severity) => severity === 'error' } });
    assert.deepEqual(overridden.findings.map((f) => f.message), ['app message', 'sidecar message']);
  });

  it('gives the same findings, in the same field order, whether it detaches strings or not', () => {
    const annotated = POD.replace('metadata: {name: web, namespace: shop}', 'metadata: {name: web, namespace: shop, annotations: {rootlock.dev/ignore.app: test-writable, rootlock.dev/ignore-reason: vendor image}}')
      .replace('image: busybox\n    securityContext: {readOnlyRootFilesystem: true}', 'image: busybox');
    for (const text of [POD, annotated]) {
      const detached = audit([writable], text);
      const same = audit([writable], text, { detachStrings: false });
      assert.deepEqual(same, detached);
      assert.equal(JSON.stringify(same), JSON.stringify(detached));
    }
    const findings = audit([writable], annotated, { detachStrings: false }).findings;
    assert.deepEqual(findings.map((f) => [f.container, f.exempted, f.exemption]), [['app', true, { source: 'annotation', reason: 'vendor image' }], ['sidecar', false, undefined]]);
  });

  it('hands every rule the same effective security context per container', () => {
    const seen: Array<Map<string, EffectiveSecurityContext>> = [];
    const recorder = (id: string): RuleDefinition => defineRule({
      id,
      severity: 'info',
      enforcement: 'warn',
      admission: { none: 'a test rule' },
      fixable: false,
      docs,
      check(context) {
        const byName = new Map<string, EffectiveSecurityContext>();
        for (const container of context.containers()) byName.set(container.name, context.effective(container));
        seen.push(byName);
      },
    });
    audit([recorder('first'), recorder('second')], POD);
    const [first, second] = seen;
    assert.ok(first && second);
    assert.equal(first.get('app'), second.get('app'));
    assert.notEqual(first.get('app'), first.get('sidecar'));
    assert.equal(first.get('app')?.runAsNonRoot.from, 'pod');
    assert.equal(first.get('sidecar')?.readOnlyRootFilesystem.value, true);
  });

  it('drops what a crashing rule reported and still runs the rules after it', () => {
    const crashing = defineRule({
      id: 'test-crashing',
      severity: 'error',
      enforcement: 'warn',
      admission: { none: 'a test rule' },
      fixable: false,
      docs,
      check(context) {
        context.report({ path: ['spec'], message: 'half done', hint: '' });
        throw new Error('boom');
      },
    });
    const result = audit([crashing, writable], POD);
    assert.deepEqual(result.findings.map((f) => f.rule), ['test-writable']);
    assert.deepEqual(result.errors.map((e) => e.code), ['rule-crashed']);
  });

  it('keeps a deferred finding unless the whole input shows it does not apply', () => {
    const deferred = defineRule({
      id: 'test-deferred',
      severity: 'warning',
      enforcement: 'warn',
      admission: { none: 'a test rule' },
      fixable: false,
      docs,
      check(context) {
        if (!context.workload) return;
        const key = `${context.ref.namespace ?? ''}/default`;
        context.report({ path: ['spec'], message: 'token', hint: '', unlessInInput: (index) => index.serviceAccounts.get(key) === false });
      },
    });
    const account = (automount: boolean) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}\nautomountServiceAccountToken: ${automount}\n`;
    assert.equal(audit([deferred], POD).findings.length, 1);
    assert.equal(audit([deferred], POD + account(true)).findings.length, 1);
    assert.equal(audit([deferred], POD + account(false)).findings.length, 0);
  });
});
