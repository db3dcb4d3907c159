// `rootlock audit` through its real entry point, main(argv, io): inputs,
// parsing, custom resources, exemptions, configuration and exit codes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { repoRoot } from './helpers/repo.js';
import { auditJson, INPUT_TEST_RULES, pod, runCli, TempTree } from './helpers/cli.js';
import { loadConfig } from '../src/app/config-file.js';
import { auditManifests } from '../src/app/audit.js';
import { defineRule } from '../src/core/rule.js';
import { RULES, RULE_IDS } from '../src/rules/index.js';
import type { Finding } from '../src/core/types.js';

const RULE = 'read-only-root-filesystem';
const HARDENED = '{readOnlyRootFilesystem: true}';

const where = (f: Finding) => `${f.file}:${f.line}:${f.column} ${f.object.kind}/${f.object.name}${f.container ? `/${f.container}` : ''}`;

describe('inputs: files, directories, globs and standard input', () => {
  let tree: TempTree;
  before(() => {
    tree = new TempTree({
      'k8s/a.yaml': pod('a'),
      'k8s/nested/b.yml': pod('b'),
      'k8s/nested/deeper/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { containers: [{ name: 'app', image: 'x' }] } }, null, 2),
      'k8s/readme.md': 'not a manifest',
      'other/d.yaml': pod('d', { securityContext: HARDENED }),
      'multi.yaml': `${pod('m1')}---\n${pod('m2', { securityContext: HARDENED })}---\n${pod('m3')}`,
    });
  });
  after(() => tree.remove());

  it('reads directories recursively (.yaml, .yml, .json) and files, in a stable order', async () => {
    const { code, report } = await auditJson(['k8s', 'other/d.yaml'], { cwd: tree.root });
    assert.equal(code, 1);
    assert.deepEqual(report.findings.map(where), [
      'k8s/a.yaml:7:5 Pod/a/app',
      'k8s/nested/b.yml:7:5 Pod/b/app',
      'k8s/nested/deeper/c.json:9:7 Pod/c/app',
    ]);
    assert.equal(report.summary.files, 4);
    assert.equal(report.summary.objects, 4);
  });

  it('audits the working directory when given no paths', async () => {
    const { report } = await auditJson([], { cwd: tree.path('k8s') });
    assert.deepEqual(report.findings.map((f) => f.file), ['a.yaml', 'nested/b.yml', 'nested/deeper/c.json']);
  });

  it('expands globs', async () => {
    const { report } = await auditJson(['**/*.yml', 'k8s/*.yaml'], { cwd: tree.root });
    assert.deepEqual(report.findings.map((f) => f.file), ['k8s/a.yaml', 'k8s/nested/b.yml']);
  });

  it('reads every document of a multi-document file, with its index and position', async () => {
    const { report } = await auditJson(['multi.yaml'], { cwd: tree.root });
    assert.deepEqual(report.findings.map((f) => [f.object.name, f.documentIndex, f.line]), [['m1', 0, 7], ['m3', 2, 26]]);
  });

  it('reads - from standard input, as `helm template ... | rootlock audit -` does', async () => {
    const { code, report } = await auditJson(['-'], { cwd: tree.root, stdin: `${pod('piped')}---\n${pod('hardened', { securityContext: HARDENED })}` });
    assert.equal(code, 1);
    assert.deepEqual(report.findings.map(where), ['-:7:5 Pod/piped/app']);
  });

  it('reads kind: List items with each item\'s own position', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'first' }, spec: { containers: [{ name: 'app', securityContext: { readOnlyRootFilesystem: true } }] } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'second' }, spec: { template: { spec: { containers: [{ name: 'web' }] } } } },
        'not an object',
      ],
    };
    tree.write({ 'list.json': JSON.stringify(list, null, 2), 'list.yaml': `apiVersion: v1\nkind: DeploymentList\nitems:\n- ${pod('p0').trimEnd().split('\n').join('\n  ')}\n- ${pod('p1').trimEnd().split('\n').join('\n  ')}\n` });
    const { report } = await auditJson(['list.json', 'list.yaml'], { cwd: tree.root });
    assert.deepEqual(report.findings.map(where), [
      'list.json:32:15 Deployment/second/web',
      'list.yaml:10:7 Pod/p0/app',
      'list.yaml:18:7 Pod/p1/app',
    ]);
    assert.deepEqual(report.notices.map((n) => [n.file, n.line, n.code, n.message]), [
      ['list.json', 40, 'not-kubernetes', 'item 3 of document 1 is not a Kubernetes object (no apiVersion and kind); skipped'],
    ]);
  });
});

describe('parsing the way Kubernetes does', () => {
  let tree: TempTree;
  before(() => (tree = new TempTree()));
  after(() => tree.remove());

  it('treats readOnlyRootFilesystem: yes as true', async () => {
    tree.write({ 'yes.yaml': pod('yes', { securityContext: '{readOnlyRootFilesystem: yes}' }) + '---\n' + pod('on', { securityContext: '{readOnlyRootFilesystem: On}' }) });
    const { code, report } = await auditJson(['yes.yaml'], { cwd: tree.root });
    assert.equal(code, 0);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.errors, []);
  });

  it('reports a quoted "true" as an invalid-field-type error with its position, and still reports the finding', async () => {
    tree.write({ 'quoted.yaml': pod('quoted', { securityContext: '{readOnlyRootFilesystem: "true"}' }) });
    const { code, report } = await auditJson(['quoted.yaml'], { cwd: tree.root });
    assert.equal(code, 2);
    assert.deepEqual(report.errors.map((e) => [e.file, e.line, e.column, e.code]), [['quoted.yaml', 9, 23, 'invalid-field-type']]);
    assert.match(report.errors[0]?.message ?? '', /write true without quotes/);
    assert.deepEqual(report.findings.map((f) => [f.rule, f.line, f.column]), [[RULE, 9, 23]]);
  });

  it('resolves anchors, aliases and merge keys, and points findings at the anchored text', async () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: merged}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: a',
      '        securityContext: &hardened',
      '          readOnlyRootFilesystem: true',
      '      - name: b',
      '        securityContext:',
      '          <<: *hardened',
      '          runAsUser: 1000',
      '      - name: c',
      '        securityContext: &open',
      '          readOnlyRootFilesystem: false',
      '      - name: d',
      '        securityContext: *open',
      '',
    ].join('\n');
    tree.write({ 'anchors.yaml': text });
    const { report } = await auditJson(['anchors.yaml'], { cwd: tree.root });
    assert.deepEqual(report.findings.map((f) => [f.container, f.line, f.column]), [['c', 17, 11], ['d', 17, 11]]);
  });

  it('rejects duplicate keys with line and column, and still audits the other documents of the file', async () => {
    const dup = pod('dup').replace('  name: dup\n', '  name: dup\n  name: dup-again\n');
    tree.write({ 'dup.yaml': `${pod('before')}---\n${dup}---\n${pod('after')}` });
    const { code, report } = await auditJson(['dup.yaml'], { cwd: tree.root });
    assert.equal(code, 2);
    assert.deepEqual(report.errors, [{ file: 'dup.yaml', code: 'yaml-duplicate-key', message: 'duplicated mapping key "name"', line: 14, column: 3 }]);
    assert.deepEqual(report.findings.map((f) => [f.object.name, f.documentIndex, f.line]), [['before', 0, 7], ['after', 2, 26]]);
  });

  it('skips documents that are not Kubernetes objects with a notice', async () => {
    tree.write({ 'mixed.yaml': `just a string\n---\n- a list\n---\nname: no-kind\n---\n${pod('real')}` });
    const { code, report } = await auditJson(['mixed.yaml'], { cwd: tree.root });
    assert.equal(code, 1);
    assert.deepEqual(report.notices.map((n) => [n.line, n.code]), [[1, 'not-kubernetes'], [3, 'not-kubernetes'], [5, 'not-kubernetes']]);
    assert.deepEqual(report.findings.map((f) => f.object.name), ['real']);
  });
});

describe('Helm output', () => {
  const helm = [
    '---',
    '# Source: shop/templates/serviceaccount.yaml',
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata: {name: shop}',
    '---',
    '# Source: shop/templates/api.yaml',
    pod('api').trimEnd(),
    '---',
    '# Source: shop/templates/broken.yaml',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: [broken',
    '---',
    '# Source: shop/templates/worker.yaml',
    pod('worker', { securityContext: '{readOnlyRootFilesystem: "true"}' }).trimEnd(),
    '---',
    pod('no-source').trimEnd(),
    '',
  ].join('\n');

  it('attributes every finding and error to its own template, around a document that fails to parse', async () => {
    const { report } = await auditJson(['-'], { cwd: '/', stdin: helm });
    assert.deepEqual(report.findings.map((f) => [f.object.name, f.helmSource, f.line]), [
      ['api', 'shop/templates/api.yaml', 14],
      ['worker', 'shop/templates/worker.yaml', 31],
      ['no-source', undefined, 39],
    ]);
    assert.deepEqual(report.errors.map((e) => [e.code, e.helmSource]), [
      ['yaml-syntax', 'shop/templates/broken.yaml'],
      ['invalid-field-type', 'shop/templates/worker.yaml'],
    ]);
  });

  it('names the template in the text report', async () => {
    const run = await runCli(['audit', '-'], { cwd: '/', stdin: helm });
    assert.match(run.stdout, /Pod api \(from shop\/templates\/api\.yaml\)/);
    assert.match(run.stdout, /Pod worker \(from shop\/templates\/worker\.yaml\)/);
    assert.match(run.stdout, /\[yaml-syntax\] \(from shop\/templates\/broken\.yaml\)/);
    assert.match(run.stdout, /^  Pod no-source$/m);
  });
});

describe('custom resources with pod templates', () => {
  let tree: TempTree;
  const template = (apiVersion: string, kind: string, name: string, extra = '') =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}}\nspec:\n${extra}  template:\n    spec:\n      containers:\n      - name: app\n        image: x\n`;
  before(() => {
    tree = new TempTree({
      'rollout.yaml': template('argoproj.io/v1alpha1', 'Rollout', 'canary', '  strategy: {canary: {}}\n'),
      'dc.yaml': `${template('apps.openshift.io/v1', 'DeploymentConfig', 'dc')}---\n${template('v1', 'DeploymentConfig', 'legacy-dc')}`,
      'worker.yaml': `apiVersion: example.com/v1\nkind: Worker\nmetadata: {name: w}\nspec:\n  runner:\n    pod:\n      containers:\n      - name: job\n`,
      'other-group.yaml': `apiVersion: other.io/v1\nkind: Worker\nmetadata: {name: w2}\nspec:\n  runner:\n    pod:\n      containers:\n      - name: job\n`,
    });
  });
  after(() => tree.remove());

  it('audits Argo Rollouts and OpenShift DeploymentConfigs', async () => {
    const { report } = await auditJson(['rollout.yaml', 'dc.yaml'], { cwd: tree.root });
    assert.deepEqual(report.findings.map(where), ['dc.yaml:8:9 DeploymentConfig/dc/app', 'dc.yaml:18:9 DeploymentConfig/legacy-dc/app', 'rollout.yaml:9:9 Rollout/canary/app']);
  });

  it('audits any kind whose pod spec path is configured, matching its API group', async () => {
    assert.deepEqual((await auditJson(['worker.yaml'], { cwd: tree.root })).report.findings, [], 'unknown kinds are not guessed at');
    tree.write({ '.rootlock.yaml': 'podSpecPaths:\n  - apiVersion: example.com/v1\n    kind: Worker\n    path: spec.runner.pod\n' });
    const { report } = await auditJson(['worker.yaml', 'other-group.yaml'], { cwd: tree.root });
    assert.deepEqual(report.findings.map(where), ['worker.yaml:8:9 Worker/w/job']);
    assert.equal(report.findings[0]?.path, 'spec.runner.pod.containers[0].securityContext.readOnlyRootFilesystem');
  });
});

describe('exemptions by annotation', () => {
  let tree: TempTree;
  before(() => (tree = new TempTree()));
  after(() => tree.remove());

  it('exempts the listed rules on an object, with the reason, and counts them', async () => {
    tree.write({
      'annotated.yaml': [
        pod('waived', { annotations: { 'rootlock.dev/ignore': `other-rule, ${RULE}`, 'rootlock.dev/ignore-reason': 'vendor image writes /; OPS-1' } }),
        pod('other-rule-only', { annotations: { 'rootlock.dev/ignore': 'other-rule' } }),
        pod('this-container', { annotations: { 'rootlock.dev/ignore.app': RULE } }),
        pod('other-container', { annotations: { 'rootlock.dev/ignore.sidecar': RULE } }),
      ].join('---\n'),
    });
    const { code, report } = await auditJson(['annotated.yaml'], { cwd: tree.root });
    assert.equal(code, 1, 'the objects whose annotations name another rule or container still fail');
    assert.deepEqual(report.findings.map((f) => [f.object.name, f.exempted, f.exemption]), [
      ['waived', true, { source: 'annotation', reason: 'vendor image writes /; OPS-1' }],
      ['other-rule-only', false, undefined],
      ['this-container', true, { source: 'annotation' }],
      ['other-container', false, undefined],
    ]);
    assert.equal(report.summary.exempted, 2);
    assert.deepEqual(report.summary.bySeverity, { error: 2, warning: 0, info: 0 });
  });

  it('exempts one container with rootlock.dev/ignore.<container>, on the object or its pod template', async () => {
    const deployment = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  template:',
      '    metadata:',
      '      annotations:',
      `        rootlock.dev/ignore.sidecar: ${RULE}`,
      '    spec:',
      '      containers:',
      '      - {name: web, image: nginx}',
      '      - {name: sidecar, image: envoy}',
      '',
    ].join('\n');
    tree.write({ 'per-container.yaml': deployment });
    const { code, report } = await auditJson(['per-container.yaml'], { cwd: tree.root });
    assert.equal(code, 1);
    assert.deepEqual(report.findings.map((f) => [f.container, f.exempted, f.exemption?.source]), [['web', false, undefined], ['sidecar', true, 'annotation']]);
    const text = await runCli(['audit', 'per-container.yaml'], { cwd: tree.root });
    assert.match(text.stdout, /exempt  read-only-root-filesystem  container "sidecar"/);
    assert.match(text.stdout, /1 exempted/);
  });

  it('exits 0 when everything is exempted', async () => {
    tree.write({ 'all.yaml': pod('all', { annotations: { 'rootlock.dev/ignore': '*' } }) });
    const { code, report } = await auditJson(['all.yaml'], { cwd: tree.root });
    assert.equal(code, 0);
    assert.equal(report.findings[0]?.exempted, true);
    assert.equal(report.findings[0]?.exemption?.reason, undefined);
  });
});

describe('.rootlock.yaml', () => {
  let tree: TempTree;
  before(() => {
    tree = new TempTree({
      'repo/deploy/app.yaml': pod('app', { namespace: 'shop' }),
      'repo/deploy/ingress.yaml': pod('controller', { namespace: 'ingress-nginx', image: 'registry.k8s.io/ingress-nginx/controller:v1.10' }),
      'repo/deploy/legacy.yaml': pod('legacy-billing', { namespace: 'shop', image: 'ghcr.io/acme/billing:2.1' }),
    });
  });
  after(() => tree.remove());

  const names = (findings: Finding[]) => findings.map((f) => `${f.object.name}:${f.severity}${f.exempted ? `:exempt(${f.exemption?.reason})` : ''}`);

  it('is found upward from the working directory', async () => {
    tree.write({ 'repo/.rootlock.yaml': `rules:\n  ${RULE}: warning\n` });
    const { code, report } = await auditJson(['.'], { cwd: tree.path('repo/deploy') });
    assert.equal(code, 0, 'warnings do not fail at the default --fail-on error');
    assert.deepEqual(names(report.findings), ['app:warning', 'controller:warning', 'legacy-billing:warning']);
    const strict = await auditJson(['.', '--fail-on', 'warning'], { cwd: tree.path('repo/deploy') });
    assert.equal(strict.code, 1);
  });

  it('is ignored with --no-config, and replaced with --config', async () => {
    tree.write({ 'repo/.rootlock.yaml': `rules:\n  ${RULE}: warning\n`, 'strict.yaml': `failOn: info\nrules:\n  ${RULE}: {severity: info}\n` });
    assert.deepEqual(names((await auditJson(['.', '--no-config'], { cwd: tree.path('repo/deploy') })).report.findings), ['app:error', 'controller:error', 'legacy-billing:error']);
    const explicit = await auditJson(['.', '--config', '../../strict.yaml'], { cwd: tree.path('repo/deploy') });
    assert.deepEqual(names(explicit.report.findings), ['app:info', 'controller:info', 'legacy-billing:info']);
    assert.equal(explicit.code, 1, 'failOn: info in the config file');
    assert.equal(explicit.report.summary.failOn, 'info');
  });

  it('--fail-on none is reported as asked, with errors present, and the flag wins over the file', async () => {
    tree.write({ 'strict.yaml': 'failOn: info\n' });
    const none = await auditJson(['.', '--no-config', '--fail-on', 'none'], { cwd: tree.path('repo/deploy') });
    assert.ok(none.report.summary.bySeverity.error > 0);
    assert.equal(none.code, 0);
    assert.equal(none.report.summary.failOn, 'none');
    assert.equal(none.report.summary.failed, false);
    const over = await auditJson(['.', '--config', '../../strict.yaml', '--fail-on', 'none'], { cwd: tree.path('repo/deploy') });
    assert.equal(over.report.summary.failOn, 'none', 'the flag, not the file\'s failOn: info');
    assert.equal(over.code, 0);
  });

  it('disables rules with off or enabled: false', async () => {
    for (const setting of ['off', '{enabled: false}', 'false']) {
      tree.write({ 'repo/.rootlock.yaml': `rules:\n  ${RULE}: ${setting}\n` });
      const { code, report } = await auditJson(['.'], { cwd: tree.path('repo/deploy') });
      assert.equal(code, 0, setting);
      assert.deepEqual(report.findings, [], setting);
    }
  });

  it('exempts by namespace, kind, name and image glob, with reasons', async () => {
    tree.write({
      'repo/.rootlock.yaml': [
        'exemptions:',
        '  - namespaces: [ingress-*]',
        '    kinds: [Pod]',
        '    reason: ingress controller writes its config at run time',
        `  - rules: [${RULE}]`,
        '    names: [legacy-*]',
        '    images: [ghcr.io/acme/*]',
        '    reason: billing is being rewritten (BILL-7)',
        '    expires: 2026-12-31',
        // Each of these matches nothing here; if one dimension were ignored, it would exempt everything.
        '  - kinds: [Deployment]',
        '    reason: no such kind',
        '  - namespaces: [prod]',
        '    reason: no such namespace',
        '  - names: [nothing]',
        '    reason: no such name',
        '  - images: [docker.io/library/*]',
        '    reason: no such image',
        '  - containers: [sidecar]',
        '    reason: no such container',
        '',
      ].join('\n'),
    });
    const { code, report } = await auditJson(['.'], { cwd: tree.path('repo/deploy'), today: '2026-12-31' });
    assert.equal(code, 1);
    assert.deepEqual(names(report.findings), [
      'app:error',
      'controller:error:exempt(ingress controller writes its config at run time)',
      'legacy-billing:error:exempt(billing is being rewritten (BILL-7))',
    ]);
    assert.equal(report.findings[1]?.exemption?.source, 'config');
    assert.equal(report.summary.exempted, 2);
    assert.deepEqual(report.notices, []);
  });

  it('stops applying an exemption after it expires, and says so', async () => {
    tree.write({
      'repo/.rootlock.yaml': `exemptions:\n  - names: [legacy-*]\n    reason: temporary\n    expires: 2026-05-31\n  - names: [nothing-*]\n    reason: unused\n    expires: 2020-01-01\n`,
    });
    const { code, report } = await auditJson(['.'], { cwd: tree.path('repo/deploy'), today: '2026-06-01' });
    assert.equal(code, 1);
    assert.deepEqual(names(report.findings), ['app:error', 'controller:error', 'legacy-billing:error']);
    assert.deepEqual(report.notices.map((n) => [n.file, n.code, n.message]), [
      [tree.path('repo/.rootlock.yaml'), 'exemption-expired', 'exemption 1 ("temporary") expired on 2026-05-31 and no longer applies; findings it used to waive are reported again'],
      [tree.path('repo/.rootlock.yaml'), 'exemption-expired', 'exemption 2 ("unused") expired on 2020-01-01 and no longer applies'],
    ]);
  });

  it('adds image knowledge that rules see', async () => {
    const probe = defineRule({
      id: 'knowledge-probe',
      severity: 'info',
      enforcement: 'warn',
      admission: { none: 'a test rule' },
      fixable: false,
      docs: { summary: 'Reports what the knowledge base knows of each image', rationale: 'test only', remediation: 'none' },
      check(context) {
        for (const container of context.containers()) {
          const known = context.knowledge.lookup(container.image);
          if (known) {
            context.report({ container, path: container.path, hint: '-', message: `${known.id} writes ${known.writablePaths.map((w) => w.path).join(' ')} as ${known.runsAsUser}` });
          }
        }
      },
    });
    tree.write({ 'repo/.rootlock.yaml': 'images:\n  - match: [ghcr.io/acme/billing*]\n    writablePaths: [/tmp, /var/cache/billing]\n    runAsUser: 10001\n' });
    const loaded = await loadConfig({ cwd: tree.path('repo/deploy'), knownRules: new Set([...RULE_IDS, probe.id]) });
    assert.deepEqual(loaded.errors, []);
    const report = await auditManifests({
      paths: ['.'], cwd: tree.path('repo/deploy'), rules: [probe], config: loaded.config, failOn: 'error', today: '2026-06-01', version: 'test',
    });
    assert.deepEqual(report.findings.map((f) => `${f.object.name}: ${f.message}`), ['legacy-billing: config:ghcr.io/acme/billing* writes /tmp /var/cache/billing as 10001']);
  });

  it('is a clear error naming file:line:column when invalid, with exit 2 and no report', async () => {
    const file = tree.path('repo/.rootlock.yaml');
    const cases: Array<[string, RegExp | string]> = [
      ['rules:\n  read-only-root-filesytem: off\n', `rootlock: ${file}:2:3: rules.read-only-root-filesytem: unknown rule "read-only-root-filesytem" [config-invalid]\n`],
      ['exemptions:\n  - names: [x]\n', `rootlock: ${file}:2:5: exemptions[0].reason: every exemption needs a reason [config-invalid]\n`],
      ['exemptions:\n  - names: [x]\n    reason: r\n    expires: next week\n', /\.rootlock\.yaml:4:5: exemptions\[0\]\.expires: must be a date written YYYY-MM-DD/],
      ['rules:\n  read-only-root-filesystem: loud\n', /\.rootlock\.yaml:2:3: .*must be "off", a severity/],
      ['failOn: sometimes\n', /\.rootlock\.yaml:1:1: failOn: must be one of error, warning, info/],
      ['colour: red\n', /\.rootlock\.yaml:1:1: colour: unknown key "colour"/],
      ['rules: [\n', /\.rootlock\.yaml:2:1: .*\[config-invalid\]/],
      ['rules: {}\nrules: {}\n', /\.rootlock\.yaml:2:1: duplicated mapping key "rules" \[config-invalid\]/],
      ['a: 1\n---\nb: 2\n', /\.rootlock\.yaml:1:1: config must be a single YAML document/],
      ['podSpecPaths:\n  - kind: Worker\n', /\.rootlock\.yaml:2:5: podSpecPaths\[0\]\.path: is required/],
      ['rules:\n  read-only-root-filesystem: w\xe9rning\n', /\.rootlock\.yaml:2:31: invalid UTF-8 byte sequence/],
    ];
    for (const [config, expected] of cases) {
      tree.write({ 'repo/.rootlock.yaml': Buffer.from(config, 'latin1') });
      const run = await runCli(['audit', 'deploy', '--format', 'json'], { cwd: tree.path('repo/deploy') });
      assert.equal(run.code, 2, config);
      assert.equal(run.stdout, '', config);
      if (typeof expected === 'string') assert.equal(run.stderr, expected, config);
      else assert.match(run.stderr, expected, config);
    }
    const missing = await runCli(['audit', '.', '--config', 'nope.yaml'], { cwd: tree.path('repo/deploy') });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: cannot read config/);
  });
});

describe('exit codes and usage', () => {
  let tree: TempTree;
  before(() => {
    tree = new TempTree({ 'bad.yaml': pod('bad'), 'good.yaml': pod('good', { securityContext: HARDENED }), 'broken.yaml': 'a: [\n' });
  });
  after(() => tree.remove());

  it('exits 0 when nothing is at or above --fail-on, 1 when something is, 2 for input that cannot be parsed', async () => {
    assert.equal((await runCli(['audit', 'good.yaml'], { cwd: tree.root })).code, 0);
    assert.equal((await runCli(['audit', 'bad.yaml'], { cwd: tree.root })).code, 1);
    assert.equal((await runCli(['audit', 'bad.yaml', '--fail-on', 'none'], { cwd: tree.root })).code, 0);
    assert.equal((await runCli(['audit', 'good.yaml', 'broken.yaml'], { cwd: tree.root })).code, 2);
    assert.equal((await runCli(['audit', 'missing.yaml'], { cwd: tree.root })).code, 2);
  });

  it('exits 2 for usage errors, with a message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['audit', '--format', 'yaml', 'good.yaml'], /argument 'yaml' is invalid/],
      [['audit', '--fail-on', 'sometimes'], /argument 'sometimes' is invalid/],
      [['audit', '--rules', 'no-such-rule', 'good.yaml'], /unknown rule "no-such-rule"/],
      [['audit', '--bogus'], /unknown option '--bogus'/],
      [['audit', '--max-document-size', 'lots'], /--max-document-size must be a positive number/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['audit', 'good.yaml', '-o', 'no/such/dir/report.txt'], /cannot write no\/such\/dir\/report\.txt/],
    ];
    for (const [argv, message] of cases) {
      const run = await runCli(argv, { cwd: tree.root });
      assert.equal(run.code, 2, argv.join(' '));
      assert.match(run.stderr, message, argv.join(' '));
    }
  });

  it('prints --version and --help, and exits 0', async () => {
    const version = await runCli(['--version'], { cwd: tree.root });
    assert.deepEqual([version.code, version.stdout], [0, '0.1.0\n']);
    const help = await runCli(['--help'], { cwd: tree.root });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: rootlock \[options\] \[command\]/);
    assert.match(help.stdout, /audit \[options\] \[paths\.\.\.\]/);
    const helpCommand = await runCli(['help', 'audit'], { cwd: tree.root });
    assert.equal(helpCommand.code, 0);
    assert.match(helpCommand.stdout, /Usage: rootlock audit/);
    const noCommand = await runCli([], { cwd: tree.root });
    assert.equal(noCommand.code, 2, 'no command is a usage error');
    assert.match(noCommand.stderr, /Usage: rootlock \[options\] \[command\]/);
    const auditHelp = await runCli(['audit', '--help'], { cwd: tree.root });
    assert.equal(auditHelp.code, 0);
    assert.match(auditHelp.stdout, /--fail-on <severity>/);
    assert.match(auditHelp.stdout, /Exit codes: 0 nothing at or above --fail-on/);
    assert.match(auditHelp.stdout, /helm template \.\/chart \| rootlock audit -/);
  });

  it('names itself after the kubectl plugin when run as one', async () => {
    const help = await runCli(['audit', '--help'], { cwd: tree.root, programName: 'kubectl rootlock' });
    assert.match(help.stdout, /Usage: kubectl rootlock audit/);
    assert.match(help.stdout, /helm template \.\/chart \| kubectl rootlock audit -/);
  });

  it('lists every registered rule', async () => {
    const run = await runCli(['rules', '--format', 'json'], { cwd: tree.root });
    assert.deepEqual((JSON.parse(run.stdout) as Array<{ id: string }>).map((r) => r.id), RULES.map((r) => r.id));
  });
});

describe('the executable (node bin/rootlock.js)', () => {
  const bin = join(repoRoot(), 'bin', 'rootlock.js');
  let tree: TempTree;
  before(() => {
    tree = new TempTree({ 'bad.yaml': pod('bad'), 'good.yaml': pod('good', { securityContext: HARDENED }) });
  });
  after(() => tree.remove());

  function spawn(command: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
    const result = spawnSync(command, args, {
      cwd: tree.root,
      input: input ?? '',
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`, NO_COLOR: '1', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('audits piped standard input and exits with the right code', () => {
    const helm = `---\n# Source: app/templates/pod.yaml\n${pod('piped')}`;
    const run = spawn(process.execPath, [bin, 'audit', '-', '--format', 'json', ...INPUT_TEST_RULES], helm);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    assert.deepEqual(report.findings.map((f) => [f.file, f.line, f.helmSource]), [['-', 9, 'app/templates/pod.yaml']]);
    assert.equal(spawn(process.execPath, [bin, 'audit', 'good.yaml', ...INPUT_TEST_RULES]).code, 0);
    assert.equal(spawn(process.execPath, [bin, 'audit', 'missing.yaml', ...INPUT_TEST_RULES]).code, 2);
  });

  it('stops quietly when the reader of its output goes away (rootlock audit | head)', () => {
    // Far more report than a pipe holds, so the writer is still writing when head exits.
    writeFileSync(tree.path('many.yaml'), Array.from({ length: 3000 }, (_, i) => pod(`web-${i}`)).join('---\n'));
    const run = spawnSync('bash', ['-c', `"$0" "$1" audit many.yaml --rules read-only-root-filesystem | head -c 100 >/dev/null; echo "exit $\{PIPESTATUS[0]}"`, process.execPath, bin], { cwd: tree.root, encoding: 'utf8' });
    assert.equal(run.stdout.trim(), 'exit 0', run.stderr);
    assert.equal(run.stderr, '');
  });

  it('works as a kubectl plugin through a symlink named kubectl-rootlock', () => {
    const plugin = tree.path('plugins/kubectl-rootlock');
    mkdirSync(dirname(plugin), { recursive: true });
    symlinkSync(bin, plugin);
    const help = spawn(plugin, ['audit', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: kubectl rootlock audit/m);
    const audit = spawn(plugin, ['audit', 'bad.yaml', ...INPUT_TEST_RULES]);
    assert.equal(audit.code, 1, audit.stderr);
    assert.match(audit.stdout, /bad\.yaml:7:5 +error +read-only-root-filesystem/);
  });
});
