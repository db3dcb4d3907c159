// The chart rendered by the real helm v4: `helm lint` and `helm template` over
// every combination of the main switches, each render audited by rootlock
// (no errors unpinned; nothing at all, warnings included, with the image
// pinned by digest), and the parts held to rootlock's own manifests: the
// webhook to `rootlock webhook manifests`, the drift DaemonSet to
// `rootlock drift manifests`, the auditor's and the dashboard's RBAC to deploy/rbac.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { driftManifests, DRIFT_MANIFEST_DEFAULTS } from '../../src/drift/manifests.js';
import { installManifests } from '../../src/webhook/manifests.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/repo.js';
import { CHART_DIR, PINNED_DIGEST, find, helm, inBatches, parseObjects, renderChart, switchCombinations, withValue, type K8sObject, type Values } from './chart.js';

const IMAGE = 'ghcr.io/rootlock/rootlock:0.1.0';
const PINNED = `${IMAGE}@${PINNED_DIGEST}`;
const ALL_ON: Values = { webhook: { mutate: true }, drift: { enabled: true }, dashboard: { enabled: true } };

type Json = Record<string, unknown>;
const spec = (o: K8sObject): Json => o['spec'] as Json;

/** rootlock's findings (not exemptions) in a rendered chart, as "severity rule object". */
async function findings(text: string): Promise<{ code: number; lines: string[]; report: string }> {
  const audit = await runCli(['audit', '--no-config', '--fail-on', 'warning', '--format', 'json', '-'], { cwd: repoRoot(), stdin: text });
  const report = JSON.parse(audit.stdout) as { findings: { severity: string; rule: string; object?: { kind: string; name: string }; exempted?: boolean }[]; errors: unknown[] };
  const lines = report.findings.filter((f) => !f.exempted).map((f) => `${f.severity} ${f.rule} ${f.object?.kind}/${f.object?.name}`);
  lines.push(...report.errors.map((e) => `input error ${JSON.stringify(e)}`));
  return { code: audit.code, lines, report: audit.stdout.slice(0, 4000) };
}

function containers(o: K8sObject): Json[] {
  const template = (spec(o)['template'] as Json)['spec'] as Json;
  return template['containers'] as Json[];
}

/** Deletes the keys the chart adds on purpose (helm's own labels, imagePullPolicy, config checksums), for comparison with rootlock's manifests. */
function withoutChartAdditions<T>(value: T): T {
  const copy = structuredClone(value) as Json;
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(strip);
    if (!node || typeof node !== 'object') return;
    const object = node as Json;
    delete object['imagePullPolicy'];
    const annotations = object['annotations'] as Json | undefined;
    if (annotations) delete annotations['rootlock.dev/config-checksum'];
    for (const child of Object.values(object)) strip(child);
  };
  strip(copy);
  return copy as T;
}

describe('the Helm chart, rendered by helm v4', () => {
  it('helm lint passes, and every combination of the main switches renders and passes rootlock audit', async () => {
    const combinations = switchCombinations();
    assert.ok(combinations.length >= 200, `${combinations.length} combinations`);
    const failures: string[] = [];
    await inBatches(combinations, 2, async ({ name, values }) => {
      try {
        // helm lint cannot be told what a cluster serves, so it runs without the chart's API checks.
        await helm(['lint', '--strict', CHART_DIR()], { ...values, apiChecks: false });
        const text = await renderChart(values);
        assert.ok(parseObjects(text).length > 0 || name.includes('webhook off, audit off'), `${name}: renders nothing`);
        // The image is the one thing a digest changes: unpinned, image-pinned-by-digest is all rootlock may find.
        const unpinned = await findings(text);
        const notDigest = unpinned.lines.filter((l) => !l.startsWith('warning image-pinned-by-digest '));
        if (notDigest.length) failures.push(`${name}: ${notDigest.join('; ')}`);
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    });
    assert.deepEqual(failures, []);
  });

  it('the schema refuses a value it does not know and a value out of its range, naming it', async () => {
    await assert.rejects(helm(['template', 'r', CHART_DIR()], { webhook: { mode: 'block' } }), /webhook.*mode|mode.*enforce/s);
    await assert.rejects(helm(['template', 'r', CHART_DIR()], { audit: { replica: 3 } }), /replica/);
    await assert.rejects(helm(['template', 'r', CHART_DIR()], { image: { digest: 'latest' } }), /digest/);
  });

  it('refuses, naming what to do, a part whose API the cluster does not serve', async () => {
    const refused: [Values, RegExp][] = [
      [{ policyReportCRDs: { install: false } }, /audit\.policyReports writes wgpolicyk8s\.io\/v1alpha2 PolicyReports, which this cluster does not serve: set policyReportCRDs\.install=true/],
      [{ webhook: { certificates: { source: 'cert-manager' } } }, /needs cert-manager, whose cert-manager\.io\/v1 API this cluster does not serve/],
      [{ policies: { engine: 'gatekeeper' } }, /needs Gatekeeper, whose templates\.gatekeeper\.sh\/v1 API/],
      [{ policies: { engine: 'kyverno' } }, /needs Kyverno, whose policies\.kyverno\.io\/v1 ValidatingPolicy API/],
    ];
    for (const [values, message] of refused) {
      await assert.rejects(renderChart(values, 'rootlock', []), message, JSON.stringify(values));
      await renderChart({ ...values, apiChecks: false }, 'rootlock', []);
    }
    await assert.rejects(renderChart({ policies: { engine: 'gatekeeper' } }, 'rootlock', ['templates.gatekeeper.sh/v1']), /install with policies\.gatekeeperConstraints=false, then helm upgrade/);
    await renderChart({ policies: { engine: 'gatekeeper', gatekeeperConstraints: false } }, 'rootlock', ['templates.gatekeeper.sh/v1']);
    await renderChart({ audit: { policyReports: false }, policyReportCRDs: { install: false } }, 'rootlock', []);
  });

  it('with every part on and the image pinned, rootlock audit finds nothing, warnings included', async () => {
    const pinned = await findings(await renderChart(withValue(withValue(ALL_ON, 'image.digest', PINNED_DIGEST), 'policies.engine', 'vap')));
    assert.equal(pinned.code, 0, pinned.report);
    assert.deepEqual(pinned.lines, []);
  });

  it('pins every container\'s image by digest when given one, and uses the tag otherwise', async () => {
    for (const [values, image] of [[ALL_ON, IMAGE], [withValue(ALL_ON, 'image.digest', PINNED_DIGEST), PINNED], [withValue(ALL_ON, 'image.tag', '0.2.0'), 'ghcr.io/rootlock/rootlock:0.2.0']] as const) {
      const objects = parseObjects(await renderChart(values));
      const workloads = objects.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind));
      assert.equal(workloads.length, 4, workloads.map((w) => w.metadata.name).join(', '));
      for (const w of workloads) for (const c of containers(w)) assert.equal(c['image'], image, `${w.kind}/${w.metadata.name}`);
    }
  });

  it('sets requests and limits everywhere, and a PodDisruptionBudget and anti-affinity for each replicated part', async () => {
    const objects = parseObjects(await renderChart(ALL_ON));
    for (const w of objects.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind))) {
      for (const c of containers(w)) {
        const resources = c['resources'] as { requests?: Json; limits?: Json };
        assert.ok(resources.requests?.['cpu'] && resources.requests['memory'] && resources.limits?.['cpu'] && resources.limits['memory'], `${w.metadata.name}: ${JSON.stringify(resources)}`);
      }
    }
    for (const name of ['rootlock-webhook', 'rootlock-audit']) {
      const deployment = find(objects, 'Deployment', name);
      assert.equal(spec(deployment)['replicas'], 2);
      const selector = (spec(deployment)['selector'] as Json)['matchLabels'];
      const pdb = find(objects, 'PodDisruptionBudget', name);
      assert.deepEqual(spec(pdb), { minAvailable: 1, selector: { matchLabels: selector } });
      const pod = (spec(deployment)['template'] as Json)['spec'] as Json;
      const anti = ((pod['affinity'] as Json)['podAntiAffinity'] as Json)['preferredDuringSchedulingIgnoredDuringExecution'] as Json[];
      assert.deepEqual(anti[0], { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } });
    }
    const single = parseObjects(await renderChart({ webhook: { replicas: 1 }, audit: { replicas: 1 } }));
    assert.deepEqual(single.filter((o) => o.kind === 'PodDisruptionBudget'), [], 'one replica: a PodDisruptionBudget would block every drain');
  });

  it('the webhook is what rootlock webhook manifests installs', async () => {
    for (const mutate of [false, true]) {
      const chart = parseObjects(await renderChart(withValue(withValue(ALL_ON, 'webhook.mutate', mutate), 'image.digest', PINNED_DIGEST)));
      const secret = find(chart, 'Secret', 'rootlock-webhook-tls');
      const data = secret['data'] as Record<string, string>;
      const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
      const manifests = installManifests({
        namespace: 'rootlock-system', name: 'rootlock-webhook', image: PINNED, mode: 'enforce', mutate,
        validateFailurePolicy: 'Fail', mutateFailurePolicy: 'Ignore',
        caBundlePem: decode(data['ca.crt']!), tls: { cert: decode(data['tls.crt']!), key: decode(data['tls.key']!) }, replicas: 2,
      }) as K8sObject[];
      for (const expected of manifests) {
        const actual = structuredClone(find(chart, expected.kind, expected.metadata.name));
        const label = `${expected.kind}/${expected.metadata.name} (mutate ${mutate})`;
        // The chart keeps the CA beside the certificate, to read it back (lookup) on helm upgrade.
        if (actual.kind === 'Secret') delete (actual['data'] as Json)['ca.crt'];
        for (const key of Object.keys(expected).filter((k) => !['metadata', 'apiVersion', 'kind'].includes(k))) {
          assert.deepEqual(withoutChartAdditions(actual[key]), expected[key], `${label}: ${key}`);
        }
        assert.equal(actual.apiVersion, expected.apiVersion, label);
        assert.equal(actual.metadata.namespace, expected.metadata.namespace, label);
        for (const [k, v] of Object.entries(expected.metadata.labels ?? {})) assert.equal(actual.metadata.labels?.[k], v, `${label}: label ${k}`);
        for (const [k, v] of Object.entries(expected.metadata.annotations ?? {})) assert.equal(actual.metadata.annotations?.[k], v, `${label}: annotation ${k}`);
      }
      // The CA the webhook configurations trust signed the serving certificate for the Service's name.
      const { X509Certificate } = await import('node:crypto');
      const cert = new X509Certificate(decode(data['tls.crt']!));
      assert.ok(cert.verify(new X509Certificate(decode(data['ca.crt']!)).publicKey));
      assert.match(cert.subjectAltName ?? '', /DNS:rootlock-webhook\.rootlock-system\.svc\b/);
    }
  });

  it('with cert-manager, the webhook has an Issuer and Certificate as rootlock webhook manifests --cert-manager writes, and no Secret of its own', async () => {
    const chart = parseObjects(await renderChart({ webhook: { certificates: { source: 'cert-manager' }, mutate: true } }));
    assert.equal(chart.filter((o) => o.kind === 'Secret').length, 0);
    const manifests = installManifests({ namespace: 'rootlock-system', name: 'rootlock-webhook', image: IMAGE, mode: 'enforce', mutate: true, validateFailurePolicy: 'Fail', mutateFailurePolicy: 'Ignore', certManager: true }) as K8sObject[];
    for (const expected of manifests.filter((o) => ['Issuer', 'Certificate', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].includes(o.kind))) {
      const actual = find(chart, expected.kind, expected.metadata.name);
      assert.deepEqual(actual['spec'] ?? actual['webhooks'], expected['spec'] ?? expected['webhooks'], `${expected.kind}`);
      assert.deepEqual(actual.metadata.annotations, expected.metadata.annotations, `${expected.kind} annotations`);
    }
  });

  it('the drift DaemonSet is what rootlock drift manifests writes, in its own privileged namespace', async () => {
    for (const values of [{}, { containerdRoot: '/data/containerd', containerdState: '/run/k3s/containerd', interval: '10s', port: 9900 }]) {
      const chart = parseObjects(await renderChart({ drift: { enabled: true, ...values }, image: { digest: PINNED_DIGEST } }));
      const expected = driftManifests({ ...DRIFT_MANIFEST_DEFAULTS, namespace: 'rootlock-drift', image: PINNED, ...values }) as K8sObject[];
      for (const object of expected) {
        const actual = find(chart, object.kind, object.metadata.name);
        const label = `${object.kind}/${object.metadata.name} ${JSON.stringify(values)}`;
        for (const key of Object.keys(object).filter((k) => !['metadata', 'apiVersion', 'kind'].includes(k))) {
          assert.deepEqual(withoutChartAdditions(actual[key]), object[key], `${label}: ${key}`);
        }
        assert.equal(actual.metadata.namespace, object.metadata.namespace, label);
        for (const [k, v] of Object.entries(object.metadata.labels ?? {})) assert.equal(actual.metadata.labels?.[k], v, `${label}: label ${k}`);
        for (const [k, v] of Object.entries(object.metadata.annotations ?? {})) assert.equal(actual.metadata.annotations?.[k], v, `${label}: annotation ${k}`);
      }
    }
  });

  it('the auditor runs the continuous audit with leader election, with exactly the RBAC of deploy/rbac and no Secret access', async () => {
    const chart = parseObjects(await renderChart({}));
    const shipped = ['audit-clusterrole.yaml', 'watch-clusterrole.yaml'].flatMap((f) =>
      parseAllDocuments(readFileSync(join(repoRoot(), 'deploy', 'rbac', f), 'utf8')).map((d) => d.toJS() as K8sObject & { rules: unknown }));
    for (const role of shipped) assert.deepEqual(find(chart, role.kind, role.metadata.name)['rules'], role.rules, `${role.kind}/${role.metadata.name}`);
    const roles = chart.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    assert.deepEqual(roles.map((r) => `${r.kind}/${r.metadata.name}`).sort(), ['ClusterRole/rootlock-audit', 'ClusterRole/rootlock-audit-reports', 'Role/rootlock-audit-lease']);
    for (const role of roles) {
      for (const rule of role['rules'] as { resources: string[]; verbs: string[] }[]) {
        assert.ok(!rule.resources.includes('secrets') && !rule.resources.includes('configmaps') && !rule.resources.includes('*') && !rule.verbs.includes('*'), JSON.stringify(rule));
      }
    }
    const bindings = chart.filter((o) => o.kind.endsWith('Binding')) as (K8sObject & { subjects: { name: string; namespace: string }[]; roleRef: { name: string } })[];
    assert.deepEqual(bindings.map((b) => `${b.roleRef.name} -> ${b.subjects.map((s) => `${s.namespace}/${s.name}`).join(',')}`).sort(),
      ['rootlock-audit -> rootlock-system/rootlock-audit', 'rootlock-audit-lease -> rootlock-system/rootlock-audit', 'rootlock-audit-reports -> rootlock-system/rootlock-audit']);
    const args = containers(find(chart, 'Deployment', 'rootlock-audit'))[0]!['args'];
    assert.deepEqual(args, ['audit', '--cluster', '--watch', '--config', '/etc/rootlock/config/.rootlock.yaml', '--metrics-listen', '0.0.0.0:9090', '--policy-reports', '--report-interval', '2', '--leader-elect', '--lease-duration', '15']);

    const metricsOnly = parseObjects(await renderChart({ audit: { policyReports: false } }));
    assert.deepEqual(metricsOnly.filter((o) => o.kind.includes('Role') && !o.kind.endsWith('Binding')).map((r) => r.metadata.name), ['rootlock-audit']);
    assert.ok(!(containers(find(metricsOnly, 'Deployment', 'rootlock-audit'))[0]!['args'] as string[]).includes('--leader-elect'));
  });

  it('the dashboard, when enabled, serves on the pod\'s addresses behind a ClusterIP Service, with the read-only RBAC of deploy/rbac', async () => {
    assert.ok(!parseObjects(await renderChart({})).some((o) => o.metadata.name.startsWith('rootlock-dashboard')));
    const chart = parseObjects(await renderChart({ dashboard: { enabled: true, port: 9443, interval: '1m' } }));
    const dashboard = chart.filter((o) => o.metadata.name.startsWith('rootlock-dashboard'));
    assert.deepEqual(dashboard.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      'ClusterRole/rootlock-dashboard', 'ClusterRole/rootlock-dashboard-audit', 'ClusterRoleBinding/rootlock-dashboard', 'ClusterRoleBinding/rootlock-dashboard-audit',
      'ConfigMap/rootlock-dashboard-config', 'Deployment/rootlock-dashboard', 'Service/rootlock-dashboard', 'ServiceAccount/rootlock-dashboard',
    ]);
    const read = (f: string) => parseAllDocuments(readFileSync(join(repoRoot(), 'deploy', 'rbac', f), 'utf8'))[0]!.toJS() as { rules: { verbs: string[] }[] };
    assert.deepEqual(find(chart, 'ClusterRole', 'rootlock-dashboard-audit')['rules'], read('audit-clusterrole.yaml').rules);
    assert.deepEqual(find(chart, 'ClusterRole', 'rootlock-dashboard')['rules'], read('dashboard-clusterrole.yaml').rules);
    for (const name of ['rootlock-dashboard', 'rootlock-dashboard-audit']) {
      for (const rule of find(chart, 'ClusterRole', name)['rules'] as { verbs: string[] }[]) assert.ok(rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v)), `${name}: ${JSON.stringify(rule)}`);
      const binding = find(chart, 'ClusterRoleBinding', name) as K8sObject & { subjects: { name: string; namespace: string }[] };
      assert.deepEqual(binding.subjects.map((x) => `${x.namespace}/${x.name}`), ['rootlock-system/rootlock-dashboard']);
    }
    const container = containers(find(chart, 'Deployment', 'rootlock-dashboard'))[0]!;
    assert.deepEqual(container['args'], ['dashboard', '--listen', '0.0.0.0:9443', '--interval', '1m', '--config', '/etc/rootlock/config/.rootlock.yaml']);
    assert.equal((container['securityContext'] as Json)['readOnlyRootFilesystem'], true);
    assert.ok((container['resources'] as Json | undefined)?.['limits']);
    const service = spec(find(chart, 'Service', 'rootlock-dashboard'));
    assert.equal(service['type'], 'ClusterIP');
    assert.deepEqual(service['ports'], [{ name: 'http', port: 9443, targetPort: 'http', protocol: 'TCP' }]);
    // Its own render, pinned, is clean too (the combinations cover it unpinned).
    const pinned = await findings(await renderChart({ dashboard: { enabled: true }, image: { digest: PINNED_DIGEST } }));
    assert.deepEqual(pinned.lines, [], pinned.report);
  });

  it('the CRDs are deploy/crds\' and are kept on uninstall unless asked; the config reaches every part', async () => {
    const chart = parseObjects(await renderChart({ drift: { enabled: true }, config: { rules: { 'resource-limits': 'error' } } }));
    const crds = chart.filter((o) => o.kind === 'CustomResourceDefinition');
    assert.deepEqual(crds.map((c) => c.metadata.name).sort(), ['clusterpolicyreports.wgpolicyk8s.io', 'policyreports.wgpolicyk8s.io']);
    for (const crd of crds) {
      assert.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
      const shipped = parseAllDocuments(readFileSync(join(repoRoot(), 'deploy', 'crds', `wgpolicyk8s.io_${crd.metadata.name.split('.')[0]}.yaml`), 'utf8'))[0]!.toJS() as K8sObject;
      assert.deepEqual(crd['spec'], shipped['spec']);
    }
    const notKept = parseObjects(await renderChart({ policyReportCRDs: { keep: false } }));
    assert.ok(notKept.filter((o) => o.kind === 'CustomResourceDefinition').every((c) => !c.metadata.annotations?.['helm.sh/resource-policy']));
    for (const name of ['rootlock-webhook-config', 'rootlock-audit-config', 'rootlock-drift']) {
      const data = (chart.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)!['data'] as Record<string, string>)['.rootlock.yaml']!;
      assert.match(data, /resource-limits: error/, name);
    }
  });

  it('installs the policies of the engine and action asked for, unchanged; Gatekeeper\'s Constraints can wait for a second step', async () => {
    for (const engine of ['gatekeeper', 'kyverno', 'vap']) {
      for (const action of ['deny', 'warn', 'audit']) {
        const text = await renderChart({ webhook: { enabled: false }, audit: { enabled: false }, policyReportCRDs: { install: false }, policies: { engine, action } });
        const file = readFileSync(join(CHART_DIR(), 'files', 'policies', `${engine}-${action}.yaml`), 'utf8');
        // helm orders the objects by kind; the set is the file's, each object unchanged.
        const byName = (objects: K8sObject[]): K8sObject[] => [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
        assert.deepEqual(byName(parseObjects(text)), byName(parseObjects(file)), `${engine} ${action}`);
      }
    }
    const templatesOnly = parseObjects(await renderChart({ policies: { engine: 'gatekeeper', gatekeeperConstraints: false } })).filter((o) => o.apiVersion.includes('gatekeeper.sh'));
    assert.equal(templatesOnly.length, 14);
    assert.ok(templatesOnly.every((o) => o.kind === 'ConstraintTemplate'));
  });

  it('other namespace names reach every object and every reference to them', async () => {
    const chart = parseObjects(await renderChart({ ...ALL_ON, namespaces: { system: 'security', drift: 'security-drift' } }));
    assert.deepEqual(chart.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort(), ['security', 'security-drift']);
    const namespaced = chart.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].includes(o.kind));
    assert.deepEqual([...new Set(namespaced.map((o) => o.metadata.namespace))].sort(), ['security', 'security-drift']);
    assert.equal(find(chart, 'DaemonSet', 'rootlock-drift').metadata.namespace, 'security-drift');
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const entry = (find(chart, kind, 'rootlock-webhook')['webhooks'] as Json[])[0]!;
      assert.equal(((entry['clientConfig'] as Json)['service'] as Json)['namespace'], 'security', kind);
      assert.deepEqual(((entry['namespaceSelector'] as Json)['matchExpressions'] as Json[])[0]!['values'], ['kube-system', 'security'], kind);
    }
    for (const binding of chart.filter((o) => o.kind.endsWith('Binding'))) {
      for (const subject of binding['subjects'] as Json[]) assert.ok(['security', 'security-drift'].includes(subject['namespace'] as string), `${binding.metadata.name}: ${JSON.stringify(subject)}`);
    }
    const secret = find(chart, 'Secret', 'rootlock-webhook-tls');
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(Buffer.from((secret['data'] as Record<string, string>)['tls.crt']!, 'base64'));
    assert.match(cert.subjectAltName ?? '', /DNS:rootlock-webhook\.security\.svc\b/);
    const existing = parseObjects(await renderChart({ namespaces: { create: false } }));
    assert.deepEqual(existing.filter((o) => o.kind === 'Namespace'), []);
  });
});
