// Audit reports built from real engine output, for the report format tests:
// every kind of entry a renderer must handle (findings of each severity,
// exemptions by annotation and by config, Helm sources, stdin, findings
// without positions, input errors with and without positions, notices).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../../src/app/audit.js';
import { reportCollected } from '../../src/cluster/audit.js';
import { emptyConfig, readConfig } from '../../src/core/config.js';
import { Engine } from '../../src/core/engine.js';
import type { RootlockConfig } from '../../src/core/config.js';
import type { Finding, InputError, Notice } from '../../src/core/types.js';
import { readSources } from '../../src/input/sources.js';
import type { AuditReport, RenderContext } from '../../src/report/model.js';
import { RULES, RULE_IDS } from '../../src/rules/index.js';
import { runRules } from './rule-tester.js';

export const WEB_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      initContainers:
      - name: setup
        image: busybox
        securityContext:
          readOnlyRootFilesystem: false
      containers:
      - name: app
        image: nginx
      - name: sidecar
        image: envoy
        securityContext:
          readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Pod
metadata:
  name: legacy
  annotations:
    rootlock.dev/ignore: read-only-root-filesystem
    rootlock.dev/ignore-reason: "vendor image writes to /opt | tracked in OPS-12"
spec:
  containers:
  - name: old
    image: vendor/app
---
just: a config map without kind
`;

/** Helm output: the `# Source:` comment names the template. */
export const HELM_YAML = `---
# Source: shop/templates/worker.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: worker
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: "job <main> & co"
        image: worker
`;

/** Names with characters that every format must escape: pipes, markup, quotes, a control character. */
export const HOSTILE_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: "evil|name"
  namespace: "team-a"
spec:
  containers:
  - name: "c\\u0001|<b>x</b>\\"'@here"
    image: x
`;

export const BROKEN_YAML = 'apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n';

/** A live object (no source text), as the cluster audit will hand over: its findings have no position. */
export const LIVE_POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'running', namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
};

function config(raw: unknown): RootlockConfig {
  const { config, problems } = readConfig(raw, RULE_IDS);
  if (problems.length) throw new Error(`bad test config: ${JSON.stringify(problems)}`);
  return config;
}

async function missingFileError(): Promise<InputError[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-report-'));
  try {
    const errors: InputError[] = [];
    for await (const item of readSources(['does-not-exist.yaml'], { cwd: dir })) if (item.kind === 'error') errors.push(item.error);
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A report with every kind of entry; the numbers in it come from the engine, not from the test. */
export async function richReport(): Promise<AuditReport> {
  const findings: Finding[] = [];
  const errors: InputError[] = [];
  const notices: Notice[] = [];
  let documents = 0;
  const add = (run: ReturnType<typeof runRules>) => {
    findings.push(...run.findings);
    errors.push(...run.errors);
    notices.push(...run.notices);
    documents += run.documents;
  };
  add(runRules(RULES, WEB_YAML, { file: 'deploy/web.yaml' }));
  add(runRules(RULES, HELM_YAML, { file: 'rendered/shop chart.yaml', config: config({ rules: { 'read-only-root-filesystem': 'warning' } }) }));
  add(runRules(RULES, HOSTILE_YAML, { file: '-', config: config({ rules: { 'read-only-root-filesystem': 'info' } }) }));
  add(runRules(RULES, WEB_YAML, {
    file: 'deploy/web-copy.yaml',
    config: config({ exemptions: [{ rules: ['read-only-root-filesystem'], namespaces: ['prod'], containers: ['setup'], reason: 'init container only copies files' }] }),
  }));
  add(runRules(RULES, BROKEN_YAML, { file: 'broken.yaml' }));

  const engine = new Engine({ rules: RULES, config: emptyConfig(), today: '2026-01-01' });
  const live = engine.audit({ file: 'cluster/default/pods/running', value: LIVE_POD });
  findings.push(...live.findings);
  errors.push(...live.errors, ...(await missingFileError()));

  return buildReport({ findings, errors, notices, files: 6, documents, objects: 6, workloads: 6, failOn: 'error', version: '0.1.0' });
}

/** A report of a clean input: an object no rule objects to, so no findings and no errors. */
export function cleanReport(): AuditReport {
  const run = runRules(RULES, 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  ports: [{port: 80}]\n');
  if (run.findings.length || run.errors.length || run.notices.length) throw new Error(`the clean fixture is not clean: ${JSON.stringify(run)}`);
  return buildReport({ ...run, files: 1, objects: 1, workloads: 0, failOn: 'error', version: '0.1.0' });
}

/** The rule the fixtures were written around; tests that look at one case at a time pick its findings. */
export const FOCUS_RULE = 'read-only-root-filesystem';

export function contextOf(report: AuditReport): RenderContext {
  return { report, rules: RULES, color: false };
}

const LIVE_SPEC = { containers: [{ name: 'app', image: 'nginx:1.27' }] };

/** Objects as a cluster lister returns them: apiVersion and kind set, uids and ownerReferences linking them. */
export function liveObjects() {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'd-1' },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: LIVE_SPEC } },
  };
  const replicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d8f', namespace: 'shop', uid: 'rs-1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-1', controller: true }] },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: LIVE_SPEC } },
  };
  const pod = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: `p-${name}`, labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs-1', controller: true }] },
    spec: { ...LIVE_SPEC, ...extra },
  });
  const rolloutPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'canary-x1', namespace: 'shop', uid: 'p-canary', ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'canary', uid: 'ro-1', controller: true }] },
    spec: LIVE_SPEC,
  };
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns-1' } };
  return {
    deployment,
    replicaSet,
    pods: [pod('web-5d8f-a'), pod('web-5d8f-b', { ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] }), pod('web-5d8f-c'), rolloutPod],
    namespace,
  };
}

/** A cluster audit report built from real engine output over liveObjects(), without an API server. */
export function clusterReport(): AuditReport {
  const objects = liveObjects();
  return reportCollected(
    {
      namespaces: [objects.namespace],
      serviceAccounts: [],
      pods: objects.pods,
      controllers: [objects.deployment, objects.replicaSet],
      podsListedIn: 'all',
      errors: [{ file: 'apps/v1/daemonsets', code: 'forbidden', message: 'cannot list daemonsets.apps in all namespaces: forbidden' }],
    },
    { context: 'prod', server: 'https://kube.example:6443', namespaces: ['shop'], selector: 'tier=web' },
    { rules: RULES, config: emptyConfig(), failOn: 'error', today: '2026-01-01', version: '0.1.0' },
  );
}
